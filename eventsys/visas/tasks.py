"""Periodic work on visa letters: a thin task over the retention rule."""

from celery import shared_task

from eventsys.visas import services


@shared_task(name="eventsys.visas.erase_due_passport_data", ignore_result=True)
def erase_due_passport_data() -> None:
    """Erase the passport details and PDFs of letters whose event ended long enough ago (run by beat)."""
    services.erase_due_passport_data()
