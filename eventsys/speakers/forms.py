"""The speaker's answer to an invitation: an optional note, and Accept or Decline."""

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from eventsys.forms import Form
from eventsys.speakers.invitations import NOTE_MAX


class InvitationAnswerForm(Form):
    """Two submit buttons share one note; which one was pressed is the answer."""

    note = TextAreaField(
        _l("A note for the organisers (optional)"),
        validators=[Optional(), Length(max=NOTE_MAX)],
        render_kw={"maxlength": NOTE_MAX, "rows": 4},
    )
    accept = SubmitField(_l("Accept"))
    decline = SubmitField(_l("Decline"))

    def answer(self) -> bool | None:
        """True to accept, False to decline, None when neither button was pressed."""
        if self.accept.data:
            return True
        if self.decline.data:
            return False
        return None
