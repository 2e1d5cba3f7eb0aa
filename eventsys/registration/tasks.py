"""Periodic work on registrations: thin tasks over the registration rules."""

from celery import shared_task

from eventsys.registration import verification


@shared_task(name="eventsys.registration.prune_attempts", ignore_result=True)
def prune_attempts() -> None:
    """Delete registration attempts nobody confirmed, once they count for nothing (run by beat)."""
    verification.prune()
