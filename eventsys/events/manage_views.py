"""Organiser pages of events and their programme (routes of the /manage/ blueprint)."""
