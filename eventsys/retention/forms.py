"""The organisers' form for anonymising an event by hand."""

from eventsys.forms import Form


class AnonymiseForm(Form):
    """Nothing to fill in: the confirmation page's button, with its CSRF token."""
