"""Celery tasks of the outbox: thin, given ids, and safe to run twice."""

from celery import shared_task

from eventsys.mail import delivery, outbox


@shared_task(name="eventsys.mail.deliver_emails", acks_late=True, ignore_result=True)
def deliver_emails(email_ids: list[int]) -> None:
    """Send these outbox rows if they are still waiting; a repeated delivery sends nothing twice."""
    delivery.deliver(email_ids)


@shared_task(name="eventsys.mail.sweep_outbox", ignore_result=True)
def sweep_outbox() -> None:
    """Re-queue rows whose task was lost and rows stuck in `sending` (run by beat)."""
    outbox.sweep()
