"""The email of webhooks: telling an endpoint's owner that it was turned off, and why.

It goes in the owner's language, through the outbox, in the transaction that turns
the endpoint off (disabling.py). A kind's value is stored in its outbox rows and
names its templates: never change one.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from eventsys.links import external_url
from eventsys.mail import outbox
from eventsys.mail.kinds import EmailKind
from eventsys.mail.models import OutboundEmail

ENDPOINT_DISABLED = "webhook_endpoint_disabled"


def queue_endpoint_disabled(session: Session, endpoint) -> None:
    """Tell the owner their endpoint is off; once for each time it is turned off."""
    from eventsys.accounts.models import User

    owner = session.get(User, endpoint.owner_id)
    outbox.enqueue(ENDPOINT_DISABLED, owner.email,
                   f"{ENDPOINT_DISABLED}:{endpoint.id}:{endpoint.disabled_at.isoformat()}",
                   locale=owner.locale or "en", session=session,
                   context={"endpoint_id": endpoint.id, "url": endpoint.url,
                            "reason": endpoint.disabled_reason.value})


def _disabled_context(session: Session, email: OutboundEmail) -> dict:
    """The reason in words, the event it was for (if one), and the link to its page."""
    from eventsys.webhooks.models import DisabledReason, WebhookEndpoint

    endpoint = session.get(WebhookEndpoint, email.context["endpoint_id"])
    return {
        "reason_text": DisabledReason(email.context["reason"]).label,
        "scope_title": endpoint.event.title if endpoint is not None and endpoint.event is not None else None,
        "page_url": external_url("manage.webhook_endpoint", endpoint_id=email.context["endpoint_id"])
        if endpoint is not None else None,
    }


#: registered by eventsys.register_email_kinds
KINDS = (EmailKind(ENDPOINT_DISABLED, _disabled_context, label=_l("Webhook turned off")),)
