"""Name badges for an event's attendees, printed as one PDF."""
