"""Periodic work of the API: a thin task over its rules."""

from celery import shared_task

from eventsys.api import idempotency


@shared_task(name="eventsys.api.prune_idempotency_keys", ignore_result=True)
def prune_idempotency_keys() -> None:
    """Forget the Idempotency-Keys older than a day (run by beat)."""
    idempotency.prune()
