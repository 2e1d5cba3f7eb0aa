"""The message form: who receives it (audience and filters), what it says, and its two buttons.

No filter is ticked at first: a message goes to the people the organiser chose, never
to a default set they did not look at. Only the chosen audience's filters are shown
(static/js/message-audience.js) and kept (forget_other_audience).
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from eventsys.countries import country_name
from eventsys.forms import Form
from eventsys.messages.models import Audience
from eventsys.messages.services import SPEAKER_STANDINGS, Draft
from eventsys.registration.forms import CATEGORY_LABELS, STATUS_LABELS, CheckboxListField

SUBJECT_MAX = 200
BODY_MAX = 20_000

STANDING_LABELS = {
    "accepted": _l("Accepted the invitation"),
    "invited": _l("Invited, not answered yet"),
    "direct": _l("Added directly, without an invitation"),
}


def _normalised_text(value: str | None) -> str | None:
    """Browsers send CRLF line ends; the emails and the fingerprint of the draft want plain \\n."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip() if value is not None else None


class MessageForm(Form):
    """Compose, preview, send. The country choices are the event's, set by the view."""

    audience = RadioField(
        _l("Send to"), default=Audience.registrants.value,
        choices=[SelectChoice(Audience.registrants.value, _l("Registrants")),
                 SelectChoice(Audience.speakers.value, _l("Speakers of this event"))],
    )
    statuses = CheckboxListField(
        _l("Registrants who are"),
        choices=[SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()],
    )
    categories = CheckboxListField(
        _l("Only these categories (none ticked: all)"),
        choices=[SelectChoice(c.value, label) for c, label in CATEGORY_LABELS.items()],
    )
    countries = SelectMultipleField(_l("Only from these countries (none chosen: all)"), choices=[],
                                    render_kw={"size": 6})
    speakers = CheckboxListField(
        _l("Speakers who have"), choices=[SelectChoice(s, STANDING_LABELS[s]) for s in SPEAKER_STANDINGS],
    )
    subject = StringField(_l("Subject"), filters=[_normalised_text],
                          validators=[DataRequired(_l("Write a subject.")), Length(max=SUBJECT_MAX)],
                          render_kw={"maxlength": SUBJECT_MAX})
    body = TextAreaField(_l("Message (plain text)"), filters=[_normalised_text],
                         validators=[DataRequired(_l("Write the message.")), Length(max=BODY_MAX)],
                         render_kw={"rows": 12, "maxlength": BODY_MAX})
    #: the signed preview (send id, count, fingerprint of the draft) the send button acts on
    preview_token = HiddenField()
    preview = SubmitField(_l("Preview"))
    send = SubmitField(_l("Send"))

    def set_countries(self, codes: set[str]) -> None:
        """Offer the countries the event's registrants come from."""
        named = sorted((country_name(code), code) for code in codes)
        self.countries.choices = [SelectChoice(code, name) for name, code in named]

    def forget_other_audience(self) -> None:
        """Drop the ticks of the audience not chosen: hidden on the page, they must not count or come back."""
        if self.audience.data == Audience.speakers.value:
            self.statuses.data, self.categories.data, self.countries.data = [], [], []
        else:
            self.speakers.data = []

    def validate(self, extra_validators=None) -> bool:
        """The field rules, and at least one status or standing for the audience chosen."""
        valid = super().validate(extra_validators)
        if self.audience.data == Audience.registrants.value and not self.statuses.data:
            self.statuses.errors.append(_("Choose at least one status."))
            valid = False
        if self.audience.data == Audience.speakers.value and not self.speakers.data:
            self.speakers.errors.append(_("Choose at least one kind of speaker."))
            valid = False
        return valid

    def draft(self, event_id: int) -> Draft:
        """The validated form as a Draft; only the filters of the chosen audience count."""
        audience = Audience(self.audience.data)
        if audience is Audience.registrants:
            filters = {"statuses": sorted(self.statuses.data),
                       "categories": sorted(self.categories.data or []),
                       "countries": sorted(self.countries.data or [])}
        else:
            filters = {"speakers": sorted(self.speakers.data)}
        return Draft(event_id, audience, filters, self.subject.data, self.body.data)
