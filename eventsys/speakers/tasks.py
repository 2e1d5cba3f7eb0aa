"""Periodic work on invitations: thin tasks over the invitation rules."""

from celery import shared_task

from eventsys.speakers import invitations


@shared_task(name="eventsys.speakers.expire_invitations", ignore_result=True)
def expire_invitations() -> None:
    """Mark unanswered invitations past their time as expired (run by beat)."""
    invitations.expire_invitations()
