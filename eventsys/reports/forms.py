"""The report's period, chosen on a GET form (it changes nothing, so it carries no CSRF token)."""

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField
from wtforms.fields.choices import SelectChoice

from eventsys.forms import Form
from eventsys.reports.periods import FIRST_DAY, LAST_DAY, Period, calendar_year, last_three_years

YEAR = "year"
LAST_THREE_YEARS = "last3"
DATES = "dates"


class _BlankIsNone:
    """An empty box means no value (the fields of the other kinds of period are sent empty)."""

    def process_formdata(self, valuelist):
        if valuelist and not str(valuelist[0]).strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class YearField(_BlankIsNone, IntegerField):
    """A year, or nothing."""


class DayField(_BlankIsNone, DateField):
    """A day (yyyy-mm-dd, as date inputs send it), or nothing."""


#: the fields each kind of period reads; the others are ignored, whatever they hold
_FIELDS_USED = {YEAR: ("year",), LAST_THREE_YEARS: (), DATES: ("start", "end")}


class PeriodForm(Form):
    """A calendar year, the last three years, or any first and last day."""

    class Meta:
        csrf = False

    period = RadioField(_l("Period"), default=LAST_THREE_YEARS, choices=[
        SelectChoice(YEAR, _l("A calendar year")),
        SelectChoice(LAST_THREE_YEARS, _l("The last three years")),
        SelectChoice(DATES, _l("From one day to another")),
    ])
    year = YearField(_l("Year"))
    start = DayField(_l("First day"))
    end = DayField(_l("Last day"))

    def validate(self, extra_validators=None) -> bool:
        """Validate the fields the chosen kind of period reads; the others may hold anything."""
        super().validate(extra_validators)
        used = _FIELDS_USED.get(self.period.data, ())
        for name in ("year", "start", "end"):
            if name not in used:
                self[name].errors = []
        return not any(field.errors for field in self)

    def validate_year(self, field) -> None:
        """A year is needed for a calendar year, and must be one of the report's years."""
        if self.period.data != YEAR:
            return
        if field.data is None:
            if not field.errors:  # "Not a valid integer value" says it better already
                field.errors.append(_("Enter the year to report on."))
            return
        if not FIRST_DAY.year <= field.data <= LAST_DAY.year:
            field.errors.append(_("Enter a year from %(first)d to %(last)d.",
                                  first=FIRST_DAY.year, last=LAST_DAY.year))

    def validate_start(self, field) -> None:
        """The first day is needed for a span of days, and must be within the report's range."""
        self._check_day(field, _("Enter the first day of the period."))

    def validate_end(self, field) -> None:
        """The last day is needed for a span of days, within range, and not before the first."""
        self._check_day(field, _("Enter the last day of the period."))
        if self.period.data == DATES and field.data and self.start.data and field.data < self.start.data:
            field.errors.append(_("The last day cannot be before the first day (%(first)s).",
                                  first=format_date(self.start.data, "medium")))

    def _check_day(self, field, missing: str) -> None:
        if self.period.data != DATES:
            return
        if field.data is None:
            if not field.errors:  # a date that could not be read says so itself
                field.errors.append(missing)
            return
        if not FIRST_DAY <= field.data <= LAST_DAY:
            field.errors.append(_("Enter a day from %(first)s to %(last)s.",
                                  first=format_date(FIRST_DAY, "medium"),
                                  last=format_date(LAST_DAY, "medium")))

    def chosen_period(self, today: date) -> Period:
        """The period asked for; call after validate()."""
        if self.period.data == YEAR:
            return calendar_year(self.year.data)
        if self.period.data == DATES:
            return Period(self.start.data, self.end.data)
        return last_three_years(today)
