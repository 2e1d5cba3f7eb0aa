"""Why a registration could not be made or changed, in words for the person concerned."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import gettext as _

if TYPE_CHECKING:
    from eventsys.registration.models import Registration


class RegistrationError(Exception):
    """A registration could not be made or changed; the message says why, for the person."""


class InvalidRegistration(RegistrationError):
    """Some fields are wrong; `errors` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(_("Some fields need attention."))
        self.errors = errors


class RegistrationClosed(RegistrationError):
    """The event does not take registrations now; `gone` when it never will again."""

    def __init__(self, message: str, *, gone: bool):
        super().__init__(message)
        self.gone = gone


class AlreadyRegistered(RegistrationError):
    """This email already holds an active registration for the event."""

    def __init__(self, registration: Registration):
        super().__init__(_("This email address is already registered for this event."))
        self.registration = registration
