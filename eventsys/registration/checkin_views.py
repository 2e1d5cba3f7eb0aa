"""The check-in desk of an event (routes of the /manage/ blueprint)."""
