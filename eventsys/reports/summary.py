"""The report's summary paragraph, in the reader's language and in the voice of the school's profile.

Each sentence is one marked string whose counted parts come from ngettext, so that
Chinese and Russian translators can order and inflect them as their language needs.
"""

from babel.lists import format_list
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from eventsys.events.models import EventKind
from eventsys.locales import current_language
from eventsys.reports.services import ExchangeReport

#: the honours the office lists most often (speakers.models.KNOWN_HONOURS), in the reader's language;
#: others are shown as they were typed
HONOUR_LABELS = {
    "Nobel Laureate": _l("Nobel Laureate"),
    "IEEE Fellow": _l("IEEE Fellow"),
    "Member of the Academia Europaea": _l("Member of the Academia Europaea"),
    "WORLD FELLOW of ICCM": _l("WORLD FELLOW of ICCM"),
    "Highly Cited Researcher": _l("Highly Cited Researcher"),
    "Foreign Thousand Talents Program Participant": _l("Foreign Thousand Talents Program Participant"),
    "Member of the Russian Academy of Sciences": _l("Member of the Russian Academy of Sciences"),
    "Member of the National Academy of Engineering": _l("Member of the National Academy of Engineering"),
}


def honour_label(honour: str) -> str:
    """The honour's name in the reader's language when it is a known one."""
    return str(HONOUR_LABELS.get(honour, honour))


def _kind_phrase(kind: EventKind, number: int) -> str:
    if kind is EventKind.conference:
        return ngettext("%(num)d conference", "%(num)d conferences", number)
    if kind is EventKind.symposium:
        return ngettext("%(num)d symposium", "%(num)d symposiums", number)
    if kind is EventKind.forum:
        return ngettext("%(num)d forum", "%(num)d forums", number)
    if kind is EventKind.competition:
        return ngettext("%(num)d competition", "%(num)d competitions", number)
    return ngettext("%(num)d lecture", "%(num)d lectures", number)


def _listed(parts: list[str]) -> str:
    return format_list(parts, locale=current_language()) if parts else ""


def summary_sentences(report: ExchangeReport) -> list[str]:
    """The summary paragraph, sentence by sentence."""
    kinds = _listed([_kind_phrase(kind, n) for kind, n in report.events_by_kind.items() if n])
    sentences = [
        ngettext("In this period the school hosted %(num)d international academic event.",
                 "In this period the school hosted %(num)d international academic events.", report.events)
        if not kinds else
        ngettext("In this period the school hosted %(num)d international academic event (%(kinds)s).",
                 "In this period the school hosted %(num)d international academic events (%(kinds)s).",
                 report.events, kinds=kinds),
        # Translators: experts is "12 foreign experts", countries "5 countries".
        _("%(experts)s from %(countries)s gave lectures or online lectures: %(in_person)s in person and "
          "%(online)s online.",
          experts=ngettext("%(num)d foreign expert", "%(num)d foreign experts", report.foreign_experts),
          countries=ngettext("%(num)d country", "%(num)d countries", report.foreign_expert_countries),
          in_person=ngettext("%(num)d expert", "%(num)d experts", report.foreign_in_person),
          online=ngettext("%(num)d expert", "%(num)d experts", report.foreign_online)),
        # Translators: attendees is "250 attendees", countries "12 countries", foreign "80 attendees".
        _("The events welcomed %(attendees)s from %(countries)s, %(foreign)s of them from abroad.",
          attendees=ngettext("%(num)d attendee", "%(num)d attendees", report.attendees),
          countries=ngettext("%(num)d country", "%(num)d countries", report.attendee_countries),
          foreign=ngettext("%(num)d attendee", "%(num)d attendees", report.foreign_attendees)),
        # Translators: partners is "8 partner institutions", new "2 new partners".
        _("The speakers came from %(partners)s of the school; %(new)s joined in this period.",
          partners=ngettext("%(num)d partner institution", "%(num)d partner institutions",
                            len(report.partners_engaged)),
          new=ngettext("%(num)d new partner", "%(num)d new partners", len(report.new_partners))),
    ]
    if report.honours:
        # Translators: honours is a list such as "Nobel Laureate (1), IEEE Fellow (3)".
        sentences.append(_("Among the speakers were: %(honours)s.", honours=_listed(
            [_("%(honour)s (%(num)d)", honour=honour_label(name), num=n) for name, n in report.honours])))
    return sentences


def summary_paragraph(report: ExchangeReport) -> str:
    """The sentences as one paragraph; Chinese sets sentences one after another without a space."""
    return ("" if current_language() == "zh" else " ").join(summary_sentences(report))
