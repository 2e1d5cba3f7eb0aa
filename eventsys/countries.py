"""ISO 3166-1 countries, for choosing and naming where people and institutions are."""

from functools import cache

import pycountry

#: English names people write that ISO spells otherwise
COUNTRY_ALIASES = {
    "russia": "RU", "usa": "US", "u.s.a.": "US", "uk": "GB", "great britain": "GB", "britain": "GB",
    "turkey": "TR", "holland": "NL", "macau": "MO", "ivory coast": "CI", "cape verde": "CV",
    "swaziland": "SZ", "palestine": "PS",
}


@cache
def countries() -> list[tuple[str, str]]:
    """(alpha-2 code, common name) for every country, sorted by name."""
    pairs = [(c.alpha_2, getattr(c, "common_name", None) or c.name) for c in pycountry.countries]
    return sorted(pairs, key=lambda pair: pair[1])


@cache
def _names() -> dict[str, str]:
    return dict(countries())


def is_country(code: str) -> bool:
    """Whether code is an ISO 3166-1 alpha-2 country code (upper case)."""
    return code in _names()


def country_name(code: str) -> str:
    """The country's common name, or the code itself when unknown."""
    return _names().get(code, code)


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
