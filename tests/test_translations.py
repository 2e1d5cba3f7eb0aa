"""The catalogues: current with the code, complete in every language, and what pages are written in."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from eventsys.locales import LANGUAGES
from tests.factories import make_event

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "eventsys" / "translations"
TRANSLATED = [code for code in LANGUAGES if code != "en"]


def _catalog(path: Path):
    with path.open("rb") as file:
        return read_po(file)


def _ids(catalog) -> set:
    return {message.id if isinstance(message.id, str) else tuple(message.id)
            for message in catalog if message.id}


def test_the_committed_template_lists_exactly_the_marked_messages_of_the_code(tmp_path):
    fresh = tmp_path / "messages.pot"
    # The same keywords as `make extract-messages` (read from the Makefile, so the two cannot drift
    # apart), so a test failure is fixed by running it.
    makefile = (ROOT / "Makefile").read_text()
    extract = re.search(r"^EXTRACT :=(.*?[^\\])$", makefile, re.M | re.S).group(1)
    keywords = [arg for keyword in re.findall(r"-k (\S+)", extract) for arg in ("-k", keyword)]
    assert "lazy_pgettext:1c,2" in keywords
    command = [str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg", *keywords,
               "--no-location", "-o", str(fresh), "."]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    committed, extracted = _ids(_catalog(TRANSLATIONS / "messages.pot")), _ids(_catalog(fresh))
    assert extracted - committed == set(), "new messages are not in messages.pot: `make update-translations`"
    assert committed - extracted == set(), "messages.pot lists messages gone: `make update-translations`"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    template = _ids(_catalog(TRANSLATIONS / "messages.pot"))
    catalog = _catalog(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
    assert _ids(catalog) >= template, f"run `make update-translations`: {language} lacks messages"
    missing = [message.id for message in catalog if message.id and (
        not message.string or (isinstance(message.string, tuple) and not all(message.string)))]
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert missing == [], f"untranslated in {language}"
    assert fuzzy == [], f"fuzzy in {language}: check each and remove the flag"
    # Babel's checks: the same %(placeholders)s as the original, the right number of plural forms.
    problems = [(message.id, [str(error) for error in errors]) for message, errors in catalog.check()]
    assert problems == []


@pytest.mark.parametrize(("language", "word"), [("en", "Language"), ("zh", "语言"), ("ru", "Язык")])
def test_a_page_is_written_in_the_language_chosen_with_the_switch(client, language, word):
    event = make_event()
    chosen = client.get(f"/language/{language}?next=/events/{event.slug}")
    assert chosen.status_code == 303 and chosen.headers["Location"] == f"/events/{event.slug}"
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert f'<html lang="{language}">' in page
    assert f'aria-label="{word}"' in page


def test_without_a_choice_the_browser_language_decides_and_unknown_ones_fall_back_to_english(client):
    event = make_event()
    russian = client.get(f"/events/{event.slug}", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert '<html lang="ru">' in russian.get_data(as_text=True)
    ukrainian = client.get(f"/events/{event.slug}", headers={"Accept-Language": "uk-UA"})
    assert '<html lang="en">' in ukrainian.get_data(as_text=True)


def test_the_switch_only_knows_our_languages_and_only_returns_to_our_own_pages(client):
    assert client.get("/language/de").status_code == 404
    for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        answer = client.get("/language/ru", query_string={"next": elsewhere})
        assert answer.status_code == 303 and answer.headers["Location"] == "/"
    remembered = client.get("/language/zh?next=/")
    assert "lang=zh" in remembered.headers["Set-Cookie"] and "HttpOnly" in remembered.headers["Set-Cookie"]


def test_dates_on_a_page_follow_its_language_not_a_stored_one(client):
    event = make_event()
    client.get("/language/ru")
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    month = event.starts_at.month
    russian_months = ["янв.", "февр.", "мар.", "апр.", "мая", "июн.", "июл.", "авг.", "сент.", "окт.",
                      "нояб.", "дек."]
    assert russian_months[month - 1] in page


@pytest.mark.parametrize(("language", "russia"),
                         [("en", "Russian Federation"), ("ru", "Россия"), ("zh", "俄罗斯")])
def test_country_names_on_the_form_follow_the_page_language(client, language, russia):
    event = make_event()
    client.get(f"/language/{language}")
    page = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert f'<option value="RU">{russia}</option>' in page
