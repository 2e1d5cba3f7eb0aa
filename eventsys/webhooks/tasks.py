"""Celery tasks of webhooks: thin, given ids, safe to run twice (each claims what it works on)."""

from datetime import datetime

from celery import shared_task

from eventsys.webhooks import delivery, dispatch


@shared_task(name="eventsys.webhooks.fan_out", ignore_result=True)
def fan_out(message_ids: list[int]) -> None:
    """Make the deliveries of these committed messages and queue each one."""
    dispatch.fan_out(message_ids)


@shared_task(name="eventsys.webhooks.deliver", ignore_result=True)
def deliver(delivery_id: int, claimed_until: str | None = None) -> None:
    """One attempt at the delivery, if it is still ours to make (claimed by the sweep, or due)."""
    claim = datetime.fromisoformat(claimed_until) if claimed_until else None
    delivery.deliver(delivery_id, claimed_until=claim)


@shared_task(name="eventsys.webhooks.sweep", ignore_result=True)
def sweep() -> None:
    """Start due retries and deliveries whose task was lost (run by beat)."""
    dispatch.sweep()
