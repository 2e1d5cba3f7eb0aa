"""Placeholder: replaced by the reminders work."""


def queue_due_reminders(now=None) -> int:
    """Queue the reminders that are due; returns how many emails were queued."""
    return 0
