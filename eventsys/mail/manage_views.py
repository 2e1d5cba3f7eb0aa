"""The outbox page for admins (routes of the /manage/ blueprint)."""
