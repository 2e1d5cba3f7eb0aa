"""Forms of the organisers' speaker pages; the rules behind them are in records, importing, invitations."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from eventsys.countries import countries, country_name
from eventsys.forms import Form
from eventsys.locales import LANGUAGES
from eventsys.registration.forms import zone_choices
from eventsys.speakers import photos
from eventsys.speakers.directory import FilterOptions, InstitutionFilters, SpeakerFilters
from eventsys.speakers.invitations import role_in_words
from eventsys.speakers.models import SpeakerRole
from eventsys.speakers.records import InstitutionDetails, SpeakerDetails

#: the choice that means "no value" in a select
NONE = ""


def _lines(text: str | None) -> list[str]:
    return (text or "").splitlines()


def _choices(first: str, pairs) -> list[SelectChoice]:
    """A "no value" choice labelled first, then (value, label) pairs."""
    return [SelectChoice(NONE, first), *(SelectChoice(value, label) for value, label in pairs)]


def _country_choices(first: str) -> list[SelectChoice]:
    return _choices(first, countries())


class DirectoryFilterForm(Form):
    """The directory's search and filters, read from the query string (a GET changes nothing: no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Name or email"), validators=[Optional(), Length(max=200)])
    country = SelectField(_l("Country"), default=NONE)
    institution = SelectField(_l("Institution"), default=NONE)
    honour = SelectField(_l("Honour"), default=NONE)
    expertise = SelectField(_l("Expertise"), default=NONE)
    partners = BooleanField(_l("Partner institutions only"))

    def offer(self, options: FilterOptions) -> "DirectoryFilterForm":
        """Fill the selects with the values some speaker has."""
        self.country.choices = _choices(_("Any country"), ((c, country_name(c)) for c in options.countries))
        self.institution.choices = _choices(_("Any institution"),
                                            ((str(i), name) for i, name in options.institutions))
        self.honour.choices = _choices(_("Any honour"), ((h, h) for h in options.honours))
        self.expertise.choices = _choices(_("Any field"), ((e, e) for e in options.expertise))
        return self

    def filters(self) -> SpeakerFilters:
        """What to search for; call after validate()."""
        return SpeakerFilters(
            text=self.q.data or "", country=self.country.data or "",
            institution_id=int(self.institution.data) if self.institution.data else None,
            honour=self.honour.data or "", expertise=self.expertise.data or "",
            partners_only=bool(self.partners.data),
        )


class SpeakerForm(Form):
    """A speaker's record: honours and expertise one per line."""

    name = StringField(_l("Name"),
                       validators=[DataRequired(_l("Enter the speaker's name.")), Length(max=200)])
    # Translators: a speaker's honorific title (Prof., Academician), not the title of an event.
    title = StringField(_lp("speaker", "Title"), validators=[Optional(), Length(max=100)],
                        description=_l("As the speaker uses it: Prof., Academician, Dr."))
    email = StringField(_l("Email"), validators=[Optional(), Email(_l("Enter a valid email address.")),
                                                 Length(max=254)],
                        description=_l("Needed to invite the speaker; two speakers cannot share one."))
    institution_id = SelectField(_l("Institution"), default=NONE)
    country = SelectField(_l("Country"),
                          validators=[DataRequired(_l("Choose the country the speaker works in."))])
    biography = TextAreaField(_l("Biography"), validators=[Optional(), Length(max=10000)],
                              render_kw={"rows": 6})
    honours = TextAreaField(_l("Honours"), render_kw={"rows": 4}, description=_l("One per line."))
    add_honour = StringField(_l("Add an honour"), validators=[Optional(), Length(max=200)],
                             render_kw={"list": "known-honours"},
                             description=_l("Pick a usual one from the suggestions, or type another."))
    expertise = TextAreaField(_l("Expertise"), render_kw={"rows": 4},
                              description=_l("Fields of expertise, one per line."))
    timezone = SelectField(_l("Time zone"), validate_choice=False,
                           description=_l("Where the speaker lives: their emails then show each time "
                                          "on their clock too."))
    locale = SelectField(_l("Language of emails"), default=NONE,
                         description=_l("Invitations and other emails to the speaker are written in it, "
                                        "whoever sends them."))
    photo = FileField(_l("Photo"), render_kw={"accept": "image/jpeg,image/png,image/webp"},
                      description=_l("JPEG, PNG or WebP, at most 2 MB; shown on the speaker's public page. "
                                     "Leave empty to keep the current one."))
    remove_photo = BooleanField(_l("Remove photo"))

    def validate_photo(self, field) -> None:
        """A real JPEG, PNG or WebP image, read and re-encoded now: `field.cleaned` is what is kept."""
        field.cleaned = None
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            return
        try:
            field.cleaned = photos.cleaned_photo(upload.read(photos.MAX_BYTES + 1))
        except photos.PhotoRefused as refused:
            raise ValidationError(str(refused)) from None

    def offer(self, institutions: list[tuple[int, str]]) -> "SpeakerForm":
        """Fill the institution, country and language selects."""
        self.institution_id.choices = _choices(_("— none —"), ((str(i), n) for i, n in institutions))
        self.country.choices = _country_choices(_("Choose a country…"))
        # Each language named in itself, as the switch on every page names it.
        self.locale.choices = _choices(_("By country: Chinese for China, Russian for Russia, else English"),
                                       LANGUAGES.items())
        self.timezone.choices = zone_choices()
        return self

    def fill_from(self, speaker) -> "SpeakerForm":
        """Show a stored speaker in the form (GET of the edit page)."""
        self.process(obj=speaker)
        self.institution_id.data = str(speaker.institution_id or NONE)
        self.honours.data = "\n".join(speaker.honours)
        self.expertise.data = "\n".join(speaker.expertise)
        return self

    def details(self) -> SpeakerDetails:
        """The form's values for records.create_speaker / update_speaker."""
        return SpeakerDetails(
            name=self.name.data or "", title=self.title.data or "", email=self.email.data or None,
            institution_id=int(self.institution_id.data) if self.institution_id.data else None,
            country=self.country.data or "", biography=self.biography.data or "",
            honours=[*_lines(self.honours.data), self.add_honour.data or ""],
            expertise=_lines(self.expertise.data), locale=self.locale.data or None,
            timezone=self.timezone.data or "",
        )


class InstitutionForm(Form):
    """An institution: the partner date only for partners."""

    name = StringField(_l("Name"),
                       validators=[DataRequired(_l("Enter the institution's name.")), Length(max=300)])
    country = SelectField(_l("Country"), validators=[DataRequired(_l("Choose the institution's country."))])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300)],
                          description=_l("Starting with https:// or http://"))
    partner = BooleanField(_l("Partner (cooperation agreement with the school)"))
    partner_since = DateField(_l("Partner since"), validators=[Optional()])

    def offer(self) -> "InstitutionForm":
        """Fill the country select."""
        self.country.choices = _country_choices(_("Choose a country…"))
        return self

    def details(self) -> InstitutionDetails:
        """The form's values for records.create_institution / update_institution."""
        return InstitutionDetails(
            name=self.name.data or "", country=self.country.data or "", city=self.city.data or "",
            website=self.website.data or "", partner=bool(self.partner.data),
            partner_since=self.partner_since.data,
        )


class InstitutionFilterForm(Form):
    """The institution list's filters (a GET: no CSRF)."""

    class Meta:
        csrf = False

    partners = BooleanField(_l("Partners only"))
    country = SelectField(_l("Country"), default=NONE)

    def offer(self, codes: list[str]) -> "InstitutionFilterForm":
        """Offer the countries some institution is in."""
        self.country.choices = _choices(_("Any country"), ((c, country_name(c)) for c in codes))
        return self

    def filters(self) -> InstitutionFilters:
        """What to list; call after validate()."""
        return InstitutionFilters(partners_only=bool(self.partners.data), country=self.country.data or "")


def _role_choices() -> list[SelectChoice]:
    """Each role as a sentence names it, made when the form is shown (in the page's language, once marked)."""
    return [SelectChoice(r.value, role_in_words(r).capitalize()) for r in SpeakerRole]


class InviteForm(Form):
    """Invite a speaker with an email address to this event, or to one item of its programme."""

    speaker_id = SelectField(_l("Speaker"), validators=[DataRequired(_l("Choose the speaker to invite."))])
    role = SelectField(_l("Role"), validators=[DataRequired(_l("Choose a role."))], choices=_role_choices)
    programme_item_id = SelectField(_l("Programme item"), default=NONE)
    message = TextAreaField(_l("Personal message"), validators=[Optional(), Length(max=5000)],
                            render_kw={"rows": 4}, description=_l("Shown in the invitation email."))

    def offer(self, speakers: list[tuple[int, str, str]], items) -> "InviteForm":
        """Fill the selects: speakers with an email address, and the event's programme items."""
        self.speaker_id.choices = _choices(_("Choose a speaker…"),
                                           ((str(i), f"{name} <{email}>") for i, name, email in speakers))
        self.programme_item_id.choices = _choices(_("The whole event"), ((str(i.id), i.title) for i in items))
        return self

    def item_id(self) -> int | None:
        """The chosen programme item's id, None for the whole event."""
        return int(self.programme_item_id.data) if self.programme_item_id.data else None


class ImportForm(Form):
    """A CSV file of speakers, and whether to import the valid rows when some are not."""

    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file to import.")),
                                                 FileAllowed(["csv"], _l("Choose a .csv file (UTF-8)."))])
    valid_only = BooleanField(_l("Import the valid rows even if some are invalid"))
