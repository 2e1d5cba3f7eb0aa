"""The ticket: one page to print or show on a phone at the door, in the registrant's language.

It carries what the door needs (the QR code of the check-in code, exactly as stored,
since the desk looks that up, and the same code to read out) and what the holder
needs (the event, its time in the event's zone with the zone named, the venue, and
their own page). Only a confirmed registration at an event with a venue has one:
online events have no door, and anyone else has no seat.

The PDF is made again whenever it is asked for (the confirmation's delivery, the
self-service page) rather than stored: a retried delivery must send the same bytes,
so nothing in it depends on the moment it is made. WeasyPrint subsets its fonts with
HarfBuzz (Debian's libharfbuzz-subset0, installed by `make setup`), which writes no
timestamp and takes a few hundredths of a second where fontTools took a second for
a Chinese name.
"""

import unicodedata

from flask import current_app, render_template
from flask_babel import force_locale

from eventsys.links import external_url
from eventsys.locales import supported_locale
from eventsys.registration import checkin_codes, qrcodes
from eventsys.registration.models import Registration, RegistrationStatus

#: the ticket's PDF is sent as this file; the event's slug makes two tickets in one folder distinct
FILENAME = "ticket-{slug}.pdf"


def has_ticket(registration: Registration) -> bool:
    """Whether the registration has a ticket: a confirmed seat at a door, with a code the desk can match.

    An anonymised registration keeps its status but its code can never be scanned
    (retention/services.py): it has none.
    """
    event = registration.event
    return (registration.status is RegistrationStatus.confirmed and event.has_venue
            and event.anonymised_at is None
            and checkin_codes.normalised(registration.checkin_code) == registration.checkin_code)


def filename(registration: Registration) -> str:
    """The name the PDF is offered under: ticket-<event slug>.pdf."""
    return FILENAME.format(slug=registration.event.slug)


#: how much text (title, venue and name, a wide Chinese character counting twice) the usual type sizes fit on
#: the page; beyond it the ticket is set smaller, so that even a 300-character title stays on one page
DENSE_AFTER = 360


def _width(text: str) -> int:
    """How wide the text sets, roughly, in Latin characters: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in text)


def _dense(registration: Registration) -> bool:
    event = registration.event
    return _width(event.title) + _width(event.venue or "") + _width(registration.name) > DENSE_AFTER


def _language(registration: Registration) -> str:
    # A language we no longer write (stored before it was dropped) gets the first we do, as emails do.
    return supported_locale(registration.locale) or current_app.config["SUPPORTED_LOCALES"][0]


def ticket_html(registration: Registration) -> str:
    """The ticket as the HTML WeasyPrint lays out, in the registrant's language; every value escaped."""
    language = _language(registration)
    with force_locale(language):
        return render_template(
            "registration/ticket.html",
            registration=registration,
            event=registration.event,
            locale=language,
            dense=_dense(registration),
            qr_data_uri="data:image/png;base64," + qrcodes.png_base64(registration.checkin_code),
            manage_url=external_url("registration.manage", token=registration.token),
        )


def ticket_pdf(registration: Registration) -> bytes:
    """The ticket as a one-page PDF; the same registration gives the same bytes."""
    import weasyprint  # imported when a ticket is made: it loads Pango, which most requests never need

    return weasyprint.HTML(string=ticket_html(registration), base_url=None).write_pdf()
