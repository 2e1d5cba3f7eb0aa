"""Periodic work on data retention: a thin task over the retention rules."""

from celery import shared_task

from eventsys.retention import services


@shared_task(name="eventsys.retention.anonymise_due_events", ignore_result=True)
def anonymise_due_events() -> None:
    """Anonymise the registrations of every event whose retention time is over (run by beat)."""
    services.anonymise_due_events()
