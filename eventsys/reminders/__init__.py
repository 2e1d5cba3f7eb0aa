"""Reminders before an event, by email, at the offsets the event asks for."""
