"""Registration: attendees signing up, the waiting list, and the event's custom questions."""
