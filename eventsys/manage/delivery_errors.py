"""Why an email was not delivered, in words an organiser understands.

The outbox keeps the mail server's own answer ("550 5.1.1 user unknown", "gave up
after 8 attempts: …") for whoever runs the server; organisers need to know what it
means for them: a wrong address, a server that will take it later, a withdrawal.
The pages show this sentence first, and the server's words beside it as detail.
"""

import re

from flask_babel import gettext as _

from eventsys.mail.models import EmailState

#: the SMTP reply code at the start of the reason, or after "gave up after N attempts: "
_CODE = re.compile(r"(?:^|: )([245])\d\d\b")


def plain_error(reason: str | None, state: EmailState) -> str:
    """One sentence for the last error of an email in this state; "" when there is none."""
    if not reason:
        return ""
    if reason.startswith("withdrawn"):
        return _("Withdrawn before it was sent.")
    if "not a usable address" in reason or "SMTPUTF8" in reason:
        return _("This address cannot receive email: check how it is spelt.")
    code = _CODE.search(reason)
    if reason.startswith("gave up after"):
        return _("The recipient's mail server did not accept it after several tries, so sending stopped.")
    if code and code.group(1) == "5":
        return _("The recipient's mail server refused it: the address may be wrong or the mailbox full.")
    if state is EmailState.queued:
        return _("The last try did not go through; it will be tried again by itself.")
    return _("It could not be sent.")
