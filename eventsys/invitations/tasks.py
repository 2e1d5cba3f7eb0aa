"""Periodic work on invitations to register: thin tasks over periodic.py."""

from celery import shared_task

from eventsys.invitations import periodic


@shared_task(name="eventsys.invitations.expire_due", ignore_result=True)
def expire_due() -> None:
    """Expire unanswered invitations past their deadline; their held seats go to the waiting list (beat)."""
    periodic.expire_due()


@shared_task(name="eventsys.invitations.remind_due", ignore_result=True)
def remind_due() -> None:
    """Remind pending invitees once, INVITATION_REMINDER_DAYS before their deadline (beat)."""
    periodic.remind_due()
