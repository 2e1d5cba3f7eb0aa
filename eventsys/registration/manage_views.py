"""Organiser pages of an event's registrations (routes of the /manage/ blueprint)."""
