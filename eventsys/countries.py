"""ISO 3166-1 countries, for choosing and naming where people and institutions are."""

from functools import cache

import pycountry


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
