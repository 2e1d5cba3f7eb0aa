"""Celery tasks of reminders: thin, the rules are in services."""

from celery import shared_task

from eventsys.reminders import services


@shared_task(name="eventsys.reminders.queue_due_reminders", ignore_result=True)
def queue_due_reminders_task() -> None:
    """Turn the reminders that are due into outbox rows (run by beat every minute)."""
    services.queue_due_reminders()
