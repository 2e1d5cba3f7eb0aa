"""What a link to an event page shows when pasted into a chat or a post: Open Graph and Twitter tags.

Previews are fetched by robots that run no script and keep no cookie, so every URL
is absolute and made from BASE_URL (never from the request's Host header), and the
date is written out with its zone: a reader in Moscow must not take Harbin's 10:00
for their own.
"""

from typing import NamedTuple

from eventsys.events.cards import card_version
from eventsys.events.models import Event
from eventsys.links import external_url
from eventsys.timezones import in_zone

#: how long a page's description may be; search engines and previews cut around here anyway
DESCRIPTION_LENGTH = 200
#: Open Graph names locales language_TERRITORY
OG_LOCALES = {"en": "en_US", "zh": "zh_CN", "ru": "ru_RU"}


class LinkPreview(NamedTuple):
    url: str
    title: str
    description: str
    #: the description with the date and time in the event's zone: og:description
    summary_with_date: str
    image: str
    locale: str
    alternate_locales: list[str]


def shortened(text: str, length: int = DESCRIPTION_LENGTH) -> str:
    """text on one line, cut at a word before length with an ellipsis when longer."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[:length - 1]
    if " " in cut[length // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + "…"


def event_preview(event: Event, language: str) -> LinkPreview:
    """The tags of the event's page, in language (one of SUPPORTED_LOCALES)."""
    description = shortened(event.summary or event.description)
    when = in_zone(event.starts_at, event.timezone, language)
    return LinkPreview(
        url=external_url("events.detail", slug=event.slug),
        title=event.title,
        description=description,
        summary_with_date=f"{description} · {when}" if description else when,
        image=external_url("events.card", slug=event.slug, v=card_version(event), lang=language),
        locale=OG_LOCALES.get(language, language),
        alternate_locales=[tag for code, tag in OG_LOCALES.items() if code != language],
    )
