"""ISO 3166-1 countries, for choosing and naming where people and institutions are."""

from functools import cache

import pycountry
from babel import Locale

from eventsys.locales import current_language

#: English names people write that ISO spells otherwise
COUNTRY_ALIASES = {
    "russia": "RU", "usa": "US", "u.s.a.": "US", "uk": "GB", "great britain": "GB", "britain": "GB",
    "turkey": "TR", "holland": "NL", "macau": "MO", "ivory coast": "CI", "cape verde": "CV",
    "swaziland": "SZ", "palestine": "PS",
}


def countries(language: str | None = None) -> list[tuple[str, str]]:
    """(alpha-2 code, name) for every country, named and sorted in the language (the current one)."""
    return _countries_in(language or current_language())


#: names the school writes otherwise than CLDR, by language: its official usage
NAME_OVERRIDES = {"zh": {"TW": "中国台湾"}}


@cache
def _countries_in(language: str) -> list[tuple[str, str]]:
    # English keeps pycountry's common names, as before. Other languages take Babel's (CLDR),
    # the names their readers expect ("Россия", "俄罗斯"), pycountry's English standing in for
    # the few CLDR lacks. Sorted by code point: right for Russian, and for Chinese a stable
    # order (there is no pinyin collation without ICU).
    english = {c.alpha_2: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    if language == "en":
        names = english
    else:
        cldr = Locale.parse(language).territories
        names = {code: cldr.get(code) or name for code, name in english.items()}
        names.update(NAME_OVERRIDES.get(language, {}))
    return sorted(names.items(), key=lambda pair: pair[1])


@cache
def _codes() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


def is_country(code: str) -> bool:
    """Whether code is an ISO 3166-1 alpha-2 country code (upper case)."""
    return code in _codes()


def country_name(code: str, language: str | None = None) -> str:
    """The country's name in the language (the current one), or the code itself when unknown."""
    return _names_in(language or current_language()).get(code, code)


@cache
def _names_in(language: str) -> dict[str, str]:
    return dict(_countries_in(language))


@cache
def _country_names() -> dict[str, str]:
    names = dict(COUNTRY_ALIASES)
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            if getattr(country, attribute, None):
                names[getattr(country, attribute).lower()] = country.alpha_2
    return names


def country_code(text: str) -> str | None:
    """The ISO alpha-2 code for an alpha-2 code or an English country name, None if it is neither."""
    text = " ".join(text.split())
    if len(text) == 2 and is_country(text.upper()):
        return text.upper()
    return _country_names().get(text.lower())
