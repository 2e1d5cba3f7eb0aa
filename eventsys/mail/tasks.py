"""Celery tasks of the outbox: thin, given ids, and safe to run twice."""

from celery import shared_task
from celery.signals import worker_ready, worker_shutting_down

from eventsys.mail import delivery, health, outbox

_heartbeat_stop = None


@worker_ready.connect
def _start_heartbeat(sender=None, **_kwargs) -> None:
    """Once the worker listens, tell the organisers' pages it is alive, every 30 s (mail/health.py)."""
    global _heartbeat_stop
    _heartbeat_stop = health.start_heartbeat(sender.app.flask_app, sender.hostname)


@worker_shutting_down.connect
def _stop_heartbeat(**_kwargs) -> None:
    if _heartbeat_stop is not None:
        _heartbeat_stop.set()


@shared_task(name="eventsys.mail.deliver_emails", ignore_result=True)
def deliver_emails(email_ids: list[int]) -> None:
    """Send these outbox rows if they are still waiting; a repeated delivery sends nothing twice.

    Acknowledged when it starts (celery_app.SURVIVE_BROKER_LOSS): if the worker dies,
    the sweep puts its claimed rows back after MAIL_SENDING_TIMEOUT_SECONDS.
    """
    delivery.deliver(email_ids)


@shared_task(name="eventsys.mail.sweep_outbox", ignore_result=True)
def sweep_outbox() -> None:
    """Re-queue rows whose task was lost and rows stuck in `sending` (run by beat)."""
    outbox.sweep()
