"""The forms of visa letters: the request, an organiser's decision, and the office's template."""

import io
import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from eventsys.countries import countries, is_country
from eventsys.forms import Form
from eventsys.locales import current_language
from eventsys.visas import letters
from eventsys.visas.passports import PassportDetails
from eventsys.visas.services import LetterRequest

#: passport numbers are letters and digits; ICAO 9303 allows up to 9 in the machine-readable zone, some
#: countries print more on the data page
PASSPORT_NUMBER = re.compile(r"[A-Z0-9]{5,20}")
#: the seal or signature image: small enough for a letter, and only what WeasyPrint and browsers show
SEAL_MAX_BYTES = 512 * 1024
SEAL_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}


def _nationality_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("Choose…"))] + [SelectChoice(*c) for c in countries(current_language())]


class LetterRequestForm(Form):
    full_name = StringField(_l("Full name, exactly as in your passport"),
                            [InputRequired(_l("Give your name as it is printed in your passport.")),
                             Length(max=200)])
    passport_number = StringField(_l("Passport number"),
                                  [InputRequired(_l("Give your passport number.")), Length(max=40)])
    nationality = SelectField(_l("Nationality"), choices=_nationality_choices, validate_choice=False)
    date_of_birth = DateField(_l("Date of birth"), [InputRequired(_l("Give your date of birth."))])
    arrival_on = DateField(_l("Planned arrival"), [InputRequired(_l("Give the day you plan to arrive."))])
    departure_on = DateField(_l("Planned departure"), [InputRequired(_l("Give the day you plan to leave."))])
    purpose = StringField(_l("Purpose of the visit"),
                          [InputRequired(_l("Say why you travel.")), Length(max=300)],
                          description=_l("Printed on the letter as you write it: please write it in "
                                         "English."))
    consulate = StringField(_l("Embassy or consulate where you will apply"),
                            [InputRequired(_l("Name the embassy or consulate, e.g. the Consulate-General "
                                              "of China in Munich.")), Length(max=200)],
                            description=_l("The letter is addressed to it. Please write it in English."))

    def validate_passport_number(self, field) -> None:
        """Letters and digits only; spaces and dashes people type are dropped."""
        field.data = re.sub(r"[\s-]", "", field.data or "").upper()
        if not PASSPORT_NUMBER.fullmatch(field.data):
            raise ValidationError(_l("A passport number has 5 to 20 letters and digits."))

    def validate_nationality(self, field) -> None:
        """One of the listed countries."""
        if not is_country(field.data or ""):
            raise ValidationError(_l("Choose your nationality from the list."))

    def request(self) -> LetterRequest:
        """What the requester gave; call after validate()."""
        passport = PassportDetails(full_name=self.full_name.data.strip(),
                                   passport_number=self.passport_number.data,
                                   nationality=self.nationality.data, date_of_birth=self.date_of_birth.data)
        return LetterRequest(passport=passport, arrival_on=self.arrival_on.data,
                             departure_on=self.departure_on.data, purpose=self.purpose.data.strip(),
                             consulate=self.consulate.data.strip())


class DecisionForm(Form):
    """Reject or revoke: the requester reads the reason and so does the verification page once revoked."""

    reason = TextAreaField(_l("Reason"), [Length(max=2000)],
                           description=_l("The requester reads it in the email."))


class EmptyForm(Form):
    """A button with its CSRF token."""


class OfferForm(Form):
    offered = BooleanField(_l("Offer visa invitation letters for this event"),
                           description=_l("Registrants with a confirmed seat and speakers who accepted, from "
                                          "outside the host country, can then request one from their own "
                                          "page."))


class TemplateForm(Form):
    school_name = StringField(_l("School name"),
                              [InputRequired(_l("Give the school's name.")), Length(max=300)])
    school_name_zh = StringField(_l("School name in Chinese"), [Length(max=300)])
    address = TextAreaField(_l("Address"), [Length(max=1000)])
    address_zh = TextAreaField(_l("Address in Chinese"), [Length(max=1000)])
    signatory_name = StringField(_l("Signatory"), [Length(max=200)])
    signatory_title = StringField(_l("Signatory's position"), [Length(max=200)])
    signatory_title_zh = StringField(_l("Signatory's position in Chinese"), [Length(max=200)])
    body = TextAreaField(_l("Letter text"),
                         [InputRequired(_l("Write the letter's text.")), Length(max=10000)],
                         render_kw={"rows": 12})
    body_zh = TextAreaField(_l("Letter text in Chinese"), [Optional(), Length(max=10000)],
                            description=_l("Printed on a second page when given."), render_kw={"rows": 10})
    seal = FileField(_l("Seal or signature image"),
                     description=_l("PNG or JPEG, at most 512 KB. Leave empty to keep the current one."))
    remove_seal = BooleanField(_l("Remove the current image"))

    def validate_body(self, field) -> None:
        """Only the placeholders we can fill."""
        for message in letters.placeholder_errors(field.data or ""):
            raise ValidationError(message)

    def validate_body_zh(self, field) -> None:
        """Only the placeholders we can fill."""
        for message in letters.placeholder_errors(field.data or ""):
            raise ValidationError(message)

    def validate_seal(self, field) -> None:
        """A real PNG or JPEG image of a sensible size: the upload is read, not trusted by its name."""
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            field.image = None
            return
        data = upload.read(SEAL_MAX_BYTES + 1)
        if len(data) > SEAL_MAX_BYTES:
            raise ValidationError(_l("The image is larger than 512 KB."))
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise ValidationError(_l("This file is not a PNG or JPEG image.")) from None
        if kind not in SEAL_TYPES:
            raise ValidationError(_l("This file is not a PNG or JPEG image."))
        field.image = (data, SEAL_TYPES[kind])
