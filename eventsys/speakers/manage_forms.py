"""Forms of the organisers' speaker pages; the rules behind them are in records, importing, invitations."""

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from eventsys.countries import countries, country_name
from eventsys.forms import Form
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

    q = StringField("Name or email", validators=[Optional(), Length(max=200)])
    country = SelectField("Country", default=NONE)
    institution = SelectField("Institution", default=NONE)
    honour = SelectField("Honour", default=NONE)
    expertise = SelectField("Expertise", default=NONE)
    partners = BooleanField("Partner institutions only")

    def offer(self, options: FilterOptions) -> "DirectoryFilterForm":
        """Fill the selects with the values some speaker has."""
        self.country.choices = _choices("Any country", ((c, country_name(c)) for c in options.countries))
        self.institution.choices = _choices("Any institution",
                                            ((str(i), name) for i, name in options.institutions))
        self.honour.choices = _choices("Any honour", ((h, h) for h in options.honours))
        self.expertise.choices = _choices("Any field", ((e, e) for e in options.expertise))
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

    name = StringField("Name", validators=[DataRequired("Enter the speaker's name."), Length(max=200)])
    title = StringField("Title", validators=[Optional(), Length(max=100)],
                        description="As the speaker uses it: Prof., Academician, Dr.")
    email = StringField("Email", validators=[Optional(), Email("Enter a valid email address."),
                                             Length(max=254)],
                        description="Needed to invite the speaker; two speakers cannot share one.")
    institution_id = SelectField("Institution", default=NONE)
    country = SelectField("Country", validators=[DataRequired("Choose the country the speaker works in.")])
    biography = TextAreaField("Biography", validators=[Optional(), Length(max=10000)], render_kw={"rows": 6})
    honours = TextAreaField("Honours", render_kw={"rows": 4}, description="One per line.")
    add_honour = StringField("Add an honour", validators=[Optional(), Length(max=200)],
                             render_kw={"list": "known-honours"},
                             description="Pick a usual one from the suggestions, or type another.")
    expertise = TextAreaField("Expertise", render_kw={"rows": 4},
                              description="Fields of expertise, one per line.")

    def offer(self, institutions: list[tuple[int, str]]) -> "SpeakerForm":
        """Fill the institution and country selects."""
        self.institution_id.choices = _choices("— none —", ((str(i), n) for i, n in institutions))
        self.country.choices = _country_choices("Choose a country…")
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
            expertise=_lines(self.expertise.data),
        )


class InstitutionForm(Form):
    """An institution: the partner date only for partners."""

    name = StringField("Name", validators=[DataRequired("Enter the institution's name."), Length(max=300)])
    country = SelectField("Country", validators=[DataRequired("Choose the institution's country.")])
    city = StringField("City", validators=[Optional(), Length(max=120)])
    website = StringField("Website", validators=[Optional(), Length(max=300)],
                          description="Starting with https:// or http://")
    partner = BooleanField("Partner (cooperation agreement with the school)")
    partner_since = DateField("Partner since", validators=[Optional()])

    def offer(self) -> "InstitutionForm":
        """Fill the country select."""
        self.country.choices = _country_choices("Choose a country…")
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

    partners = BooleanField("Partners only")
    country = SelectField("Country", default=NONE)

    def offer(self, codes: list[str]) -> "InstitutionFilterForm":
        """Offer the countries some institution is in."""
        self.country.choices = _choices("Any country", ((c, country_name(c)) for c in codes))
        return self

    def filters(self) -> InstitutionFilters:
        """What to list; call after validate()."""
        return InstitutionFilters(partners_only=bool(self.partners.data), country=self.country.data or "")


class InviteForm(Form):
    """Invite a speaker with an email address to this event, or to one item of its programme."""

    speaker_id = SelectField("Speaker", validators=[DataRequired("Choose the speaker to invite.")])
    role = SelectField("Role", validators=[DataRequired("Choose a role.")],
                       choices=[SelectChoice(r.value, role_in_words(r).capitalize()) for r in SpeakerRole])
    programme_item_id = SelectField("Programme item", default=NONE)
    message = TextAreaField("Personal message", validators=[Optional(), Length(max=5000)],
                            render_kw={"rows": 4}, description="Shown in the invitation email.")

    def offer(self, speakers: list[tuple[int, str, str]], items) -> "InviteForm":
        """Fill the selects: speakers with an email address, and the event's programme items."""
        self.speaker_id.choices = _choices("Choose a speaker…",
                                           ((str(i), f"{name} <{email}>") for i, name, email in speakers))
        self.programme_item_id.choices = _choices("The whole event", ((str(i.id), i.title) for i in items))
        return self

    def item_id(self) -> int | None:
        """The chosen programme item's id, None for the whole event."""
        return int(self.programme_item_id.data) if self.programme_item_id.data else None


class ImportForm(Form):
    """A CSV file of speakers, and whether to import the valid rows when some are not."""

    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to import."),
                                             FileAllowed(["csv"], "Choose a .csv file (UTF-8).")])
    valid_only = BooleanField("Import the valid rows even if some are invalid")
