"""Email: every message goes through the outbox, is delivered by the worker, and is never sent twice."""
