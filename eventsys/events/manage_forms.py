"""The organisers' forms for an event, its programme items, speakers on items, questions and managers.

Times are typed as wall-clock times where the event happens and read as instants
here; the rules on the values live in lifecycle and management.
"""

import re
from datetime import datetime
from functools import cache
from zoneinfo import available_timezones

from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from eventsys.events.lifecycle import RETENTION_DAYS_MAX, RETENTION_DAYS_MIN, SLUG_MAX, EventDetails
from eventsys.events.management import ItemDetails, QuestionDetails
from eventsys.events.models import Event, EventKind, EventMode, ProgrammeItem
from eventsys.forms import Form
from eventsys.registration.models import Question, QuestionKind
from eventsys.speakers.models import Speaker, SpeakerRole
from eventsys.timezones import instant_in_zone, is_timezone, wall_time

#: where the school is (Harbin); new events start out in its zone
DEFAULT_TIMEZONE = "Asia/Shanghai"
#: the choices of the selects: each value with its enum's one label
KIND_LABELS = {kind: kind.label for kind in EventKind}
MODE_LABELS = {mode: mode.label for mode in EventMode}
ROLE_LABELS = {role: role.label for role in SpeakerRole}
QUESTION_KIND_LABELS = {kind: kind.label for kind in QuestionKind}
#: minutes in each unit a reminder time may be written in: 7d, 1 day, 2 weeks, 90 min …
_MINUTES = {"w": 7 * 1440, "d": 1440, "h": 60, "m": 1}
_OFFSET = re.compile(r"(\d{1,6})\s*(w|weeks?|d|days?|h|hours?|m|mins?|minutes?)")
MAX_REMINDERS = 10


def parse_offsets(text: str) -> list[int] | None:
    """'7d, 1d, 1h' → [10080, 1440, 60] minutes; blank → None (the defaults); 'none' → [] (no reminders)."""
    if text.strip().lower() == "none":
        return []
    offsets = set()
    for part in filter(None, (p.strip() for p in re.split(r"[,;]", text.lower()))):
        match = _OFFSET.fullmatch(part)
        if not match:
            raise ValueError(_("“%(part)s” is not a time before the start: write a number and a unit, "
                               "like 7d, 1d, 1h or 30m, separated by commas.", part=part))
        minutes = int(match[1]) * _MINUTES[match[2][0]]
        if not 0 < minutes <= 365 * 1440:
            raise ValueError(_("“%(part)s”: reminders go out between 1 minute and 365 days before the start.",
                               part=part))
        offsets.add(minutes)
    if len(offsets) > MAX_REMINDERS:
        raise ValueError(_("At most %(count)s reminders, please.", count=MAX_REMINDERS))
    return sorted(offsets, reverse=True) or None


def format_offsets(offsets: list[int] | None) -> str:
    """The reverse of parse_offsets: [10080, 90] → '7d, 90m'."""
    if offsets is None:
        return ""
    units = [("d", 1440), ("h", 60), ("m", 1)]
    return ", ".join(next(f"{m // size}{unit}" for unit, size in units if m % size == 0)
                     for m in offsets) or "none"


@cache
def timezone_choices() -> list[SelectChoice]:
    """Every IANA timezone this machine knows, sorted."""
    return [SelectChoice(name) for name in sorted(available_timezones())]


class LocalDateTimeField(DateTimeLocalField):
    """A date and time as typed, naive: the form reads it in the event's zone."""

    def __init__(self, label: str, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
                         invalid_value_message=_l("Enter a date and time, like 2026-05-12 14:00."), **kwargs)


class ParsedTextField(StringField):
    """Text read into a value by `parse` (a ValueError's message is shown); `show` writes a value back."""

    def __init__(self, label: str, parse, show=str, **kwargs):
        super().__init__(label, **kwargs)
        self.parse, self.show = parse, show

    def process_formdata(self, valuelist):
        """Parse the typed text, blank included."""
        self.data = None
        self.data = self.parse(valuelist[0] if valuelist else "")

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else self.show(self.data)


def parse_seats(text: str) -> int | None:
    """A whole number of seats; blank means no limit (None)."""
    if not text.strip():
        return None
    if not re.fullmatch(r"\d{1,7}", text.strip()):
        raise ValueError(_("Enter a whole number of seats, or leave it blank for no limit."))
    return int(text)


def parse_retention_days(text: str) -> int | None:
    """A whole number of days from 1 to 3650; blank means registrations are kept (None)."""
    if not text.strip():
        return None
    days = int(text) if re.fullmatch(r"\s*\d{1,6}\s*", text) else None
    if days is None or not RETENTION_DAYS_MIN <= days <= RETENTION_DAYS_MAX:
        raise ValueError(_("Give a whole number of days from %(min)s to %(max)s, or leave it blank to keep "
                           "the registrations until you anonymise them.",
                           min=format_number(RETENTION_DAYS_MIN), max=format_number(RETENTION_DAYS_MAX)))
    return days


class _LocalTimes:
    """Reads a form's LocalDateTimeFields as instants in a zone, once the fields' own checks passed."""

    def read_local_times(self, zone_name: str) -> bool:
        """Fill self.moments; False, with the error under the field, when a time does not exist there."""
        self.moments: dict[str, datetime | None] = {}
        ok = True
        for field in self:
            if isinstance(field, LocalDateTimeField) and field.data is not None and not field.errors:
                try:
                    self.moments[field.name] = instant_in_zone(field.data, zone_name)
                except ValueError as problem:
                    field.errors.append(str(problem))
                    ok = False
        return ok


def _text(field) -> str:
    return (field.data or "").strip()


class EventForm(_LocalTimes, Form):
    kind = SelectField(_l("Kind of event"),
                       choices=[SelectChoice(k.value, text) for k, text in KIND_LABELS.items()])
    mode = SelectField(_l("Attendance"),
                       choices=[SelectChoice(m.value, text) for m, text in MODE_LABELS.items()])
    title = StringField(_l("Title"), [DataRequired(_l("Give the event a title.")), Length(max=300)])
    slug = StringField(_l("Web address"), [Optional(), Length(max=SLUG_MAX)],
                       description=_l("The page is /events/<address>: lower-case letters, digits and "
                                      "hyphens. Left blank, it is made from the title. Changing it breaks "
                                      "links already shared."))
    summary = StringField(_l("Summary"), [Length(max=500)],
                          description=_l("One or two sentences for lists and link previews."))
    description = TextAreaField(_l("Description"), [Length(max=20000)],
                                render_kw={"rows": 8})
    timezone = SelectField(_l("Timezone"), choices=timezone_choices, default=DEFAULT_TIMEZONE,
                           validate_choice=False,
                           description=_l("Where the event happens: the times here are clock times there."))
    starts_at = LocalDateTimeField(_l("Starts"), [InputRequired(_l("Give the start."))],
                                   description=_l("Moving the start moves the programme with it."))
    ends_at = LocalDateTimeField(_l("Ends"), [InputRequired(_l("Give the end."))])
    venue = StringField(_l("Venue"), [Length(max=300)])
    meeting_url = StringField(_l("Meeting link"), [Length(max=500)],
                              description=_l("Private: in the last reminder, or at once to anyone seated "
                                             "later. Online events need it by then; it may be added later."))
    capacity = ParsedTextField(_l("Seats"), parse_seats,
                               description=_l("Blank: no limit. New seats go to the waiting list at once."))
    registration_opens_at = LocalDateTimeField(_l("Registration opens"), [Optional()],
                                               description=_l("Blank: as soon as the event is published."))
    registration_closes_at = LocalDateTimeField(_l("Registration closes"), [Optional()],
                                                description=_l("Blank: open until the event ends."))
    language = StringField(_l("Language of the event"),
                           [DataRequired(_l("Give the language.")), Length(max=16)],
                           default="en", description=_l("A language tag: en, zh, ru, uk …"))
    requires_approval = BooleanField(
        _l("Registrations wait for an organiser's approval"),
        description=_l("Turning this off does not approve the people already pending: approve them on the "
                       "registrations page."))
    verify_emails = BooleanField(
        _l("Public registrants confirm their email address first"), default=True,
        description=_l("They get a link by email, and their seat or waiting-list place is decided when they "
                       "click it: a script cannot take seats with made-up addresses. Your own additions "
                       "skip this."))
    reminder_offsets = ParsedTextField(
        _l("Reminders before the start"), parse_offsets, format_offsets,
        description=_l("Like 7d, 1d, 1h (w weeks, d days, h hours, m minutes), separated by commas. "
                       "Blank: the defaults (7 days, 1 day, and 1 hour for online and hybrid events). "
                       "“none”: none."))
    anonymise_after_days = ParsedTextField(
        _l("Anonymise registrations after (days)"), parse_retention_days,
        description=_l("This many days after the event ends, each registrant's name, email address, "
                       "affiliation and answers are erased; their country, category and status stay for the "
                       "exchange report. From 1 to 3650. Blank: kept until you anonymise them on the event's "
                       "page."))

    def validate(self, extra_validators=None) -> bool:
        """Check every field, then read the times in the chosen zone."""
        valid = super().validate(extra_validators)
        if not is_timezone(self.timezone.data or ""):
            self.timezone.errors.append(_("Choose the timezone from the list."))
            return False
        return self.read_local_times(self.timezone.data) and valid

    def details(self) -> EventDetails:
        """The event as the organiser described it; call after validate()."""
        return EventDetails(
            kind=EventKind(self.kind.data), mode=EventMode(self.mode.data), title=_text(self.title),
            slug=_text(self.slug), summary=_text(self.summary), description=_text(self.description),
            starts_at=self.moments["starts_at"], ends_at=self.moments["ends_at"], timezone=self.timezone.data,
            venue=_text(self.venue), meeting_url=_text(self.meeting_url) or None, capacity=self.capacity.data,
            registration_opens_at=self.moments.get("registration_opens_at"),
            registration_closes_at=self.moments.get("registration_closes_at"),
            language=_text(self.language), requires_approval=self.requires_approval.data,
            reminder_offsets=self.reminder_offsets.data, verify_emails=self.verify_emails.data,
            anonymise_after_days=self.anonymise_after_days.data,
        )


def event_form(event: Event | None = None) -> EventForm:
    """The event form, empty or filled from the event (times as clock times in its zone)."""
    if event is None:
        return EventForm()
    names = ("title", "slug", "summary", "description", "timezone", "venue", "meeting_url", "capacity",
             "language", "requires_approval", "verify_emails", "reminder_offsets", "anonymise_after_days")
    data = {name: getattr(event, name) for name in names}
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        data[name] = wall_time(getattr(event, name), event.timezone)
    return EventForm(data=data | {"kind": event.kind.value, "mode": event.mode.value})


class ProgrammeItemForm(_LocalTimes, Form):
    title = StringField(_l("Title"), [DataRequired(_l("Give the item a title.")), Length(max=300)])
    starts_at = LocalDateTimeField(_l("Starts"), [InputRequired(_l("Give the start."))])
    ends_at = LocalDateTimeField(_l("Ends"), [InputRequired(_l("Give the end."))])
    location = StringField(_l("Room or hall"), [Length(max=200)])
    description = TextAreaField(_l("Description"), [Length(max=5000)],
                                render_kw={"rows": 4})

    #: the event's timezone, in which the times are read; set by programme_item_form
    zone_name = "UTC"

    def validate(self, extra_validators=None) -> bool:
        """Check every field, then read the times in the event's zone."""
        valid = super().validate(extra_validators)
        return self.read_local_times(self.zone_name) and valid

    def details(self) -> ItemDetails:
        """The item as the organiser described it; call after validate()."""
        return ItemDetails(title=_text(self.title), starts_at=self.moments["starts_at"],
                           ends_at=self.moments["ends_at"], location=_text(self.location),
                           description=_text(self.description))


def programme_item_form(event: Event, item: ProgrammeItem | None = None) -> ProgrammeItemForm:
    """The item form, its times as clock times in the event's zone; a new item starts with the event."""
    if item is None:
        data = {"starts_at": wall_time(event.starts_at, event.timezone),
                "ends_at": wall_time(event.starts_at, event.timezone)}
    else:
        data = {name: getattr(item, name) for name in ("title", "location", "description")}
        data |= {name: wall_time(getattr(item, name), event.timezone) for name in ("starts_at", "ends_at")}
    form = ProgrammeItemForm(data=data)
    form.zone_name = event.timezone
    return form


def _speaker_id(value) -> int:
    return int(value) if re.fullmatch(r"\d{1,9}", str(value)) else 0


class ItemSpeakerForm(Form):
    speaker_id = SelectField(_l("Speaker"), coerce=_speaker_id, validate_choice=False)
    role = SelectField(_l("Role"), choices=[SelectChoice(r.value, text) for r, text in ROLE_LABELS.items()])


def item_speaker_form(speakers: list[Speaker]) -> ItemSpeakerForm:
    """The form that puts one of these speakers on a programme item."""
    form = ItemSpeakerForm()
    form.speaker_id.choices = [SelectChoice(0, _("Choose a speaker…"))] + [
        SelectChoice(s.id, s.display_name + (f" ({s.institution.name})" if s.institution else ""))
        for s in speakers
    ]
    return form


class QuestionForm(Form):
    label = StringField(_l("Question"), [DataRequired(_l("Write the question.")), Length(max=300)])
    help_text = StringField(_l("Help text"), [Length(max=500)],
                            description=_l("Shown under the question, to explain what you need."))
    kind = SelectField(_l("Kind of answer"),
                       choices=[SelectChoice(k.value, label) for k, label in QUESTION_KIND_LABELS.items()])
    required = BooleanField(_l("An answer is required"))
    options = TextAreaField(_l("Choices, one per line"), [Length(max=5000)],
                            description=_l("Only for the choice kinds."), render_kw={"rows": 5})
    number_min = StringField(_l("Smallest answer"), description=_l("Only for numbers; blank for no limit."),
                             render_kw={"type": "number", "step": "any", "inputmode": "decimal"})
    number_max = StringField(_l("Largest answer"), description=_l("Only for numbers; blank for no limit."),
                             render_kw={"type": "number", "step": "any", "inputmode": "decimal"})
    whole_numbers = BooleanField(_l("Whole numbers only"),
                                 description=_l("Only for numbers: people or nights, not 1.5 of them."))

    def validate_number_min(self, field) -> None:
        """A limit is a number or blank; its range and order are the service's to check."""
        _limit(field)

    def validate_number_max(self, field) -> None:
        """A limit is a number or blank; its range and order are the service's to check."""
        _limit(field)

    def details(self) -> QuestionDetails:
        """The question as the organiser wrote it."""
        return QuestionDetails(kind=QuestionKind(self.kind.data), label=_text(self.label),
                               help_text=_text(self.help_text), required=self.required.data,
                               options=(self.options.data or "").splitlines(),
                               number_min=_limit(self.number_min), number_max=_limit(self.number_max),
                               whole_numbers=self.whole_numbers.data)


def _limit(field) -> float | None:
    """A number question's limit as typed (a comma for the decimal point too), None when blank."""
    text = (field.data or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is None or number != number or number in (float("inf"), float("-inf")):
        raise ValidationError(_("Enter a number, like 0 or 5, or leave it blank for no limit."))
    return number


def _limit_shown(number: float | None) -> str:
    """A stored limit as its field shows it: 5 rather than 5.0, blank for none."""
    if number is None:
        return ""
    return str(int(number)) if number == int(number) else str(number)


def question_form(question: Question | None = None) -> QuestionForm:
    """The question form, empty or filled from the question."""
    if question is None:
        return QuestionForm()
    return QuestionForm(data={"label": question.label, "help_text": question.help_text,
                              "kind": question.kind.value, "required": question.required,
                              "options": "\n".join(question.options),
                              "number_min": _limit_shown(question.number_min),
                              "number_max": _limit_shown(question.number_max),
                              "whole_numbers": question.whole_numbers})


class ManagerForm(Form):
    email = EmailField(_l("Organiser's email"), [DataRequired(_l("Enter the organiser's email address.")),
                                                 Length(max=254)])


class CancelForm(Form):
    reason = TextAreaField(_l("Why (sent to everyone registered)"), [Length(max=2000)],
                           render_kw={"rows": 4})
