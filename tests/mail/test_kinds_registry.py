"""Mail knows the kinds of email only through its registry, and each domain registers the kinds it sends."""

import ast
from dataclasses import replace
from pathlib import Path

import pytest

from eventsys import create_app
from eventsys.mail.kinds import UnknownEmailKind, kind_named, register, registered_names
from eventsys.registration.emails import EMAIL_TELLING_STATUS
from eventsys.reminders.emails import REMINDER

ROOT = Path(__file__).resolve().parents[2]
MAIL = ROOT / "eventsys" / "mail"
#: the packages of eventsys other than mail/: domains, and the interfaces over them (shared modules such
#: as database.py or links.py are not packages)
DOMAINS = sorted(path.name for path in (ROOT / "eventsys").iterdir()
                 if (path / "__init__.py").exists() and path.name != "mail")


@pytest.fixture(scope="module")
def kinds() -> set[str]:
    """The kinds an app knows once created, as the web app and the worker are."""
    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return registered_names()


def test_every_kind_with_templates_is_registered_and_every_registered_kind_has_templates(kinds):
    templates = ROOT / "templates" / "mail"
    templated = {path.name.removesuffix(".subject.txt") for path in templates.glob("*.subject.txt")}
    assert kinds == templated
    for name in kinds:
        assert (templates / f"{name}.txt").exists() and (templates / f"{name}.html").exists(), name


def test_the_kind_seats_writes_in_sql_for_each_first_status_is_registered(kinds):
    # seats.py builds the first email's kind as "registration_" || status, in the statement itself.
    for status, kind in EMAIL_TELLING_STATUS.items():
        assert kind == f"registration_{status.value}"
        assert kind in kinds


def _imported(path: Path) -> set[str]:
    """Every module path imports, at its top or inside a function; `from a import b` counts as a.b too."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            package = ["eventsys", "mail"][:3 - node.level] if node.level else []
            module = ".".join(package + ([node.module] if node.module else []))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", sorted(MAIL.glob("*.py")), ids=lambda path: path.name)
def test_the_mail_package_imports_no_domain(path):
    domains = {name for name in _imported(path) for domain in DOMAINS
               if name == f"eventsys.{domain}" or name.startswith(f"eventsys.{domain}.")}
    assert domains == set()


def test_an_unknown_kind_is_refused_by_name(kinds):
    with pytest.raises(UnknownEmailKind, match="'no_such_kind'.*emails.py"):
        kind_named("no_such_kind")


def test_a_kind_registered_again_changes_nothing_and_a_second_meaning_of_a_name_is_refused(kinds):
    reminder = kind_named(REMINDER)
    register(reminder)
    with pytest.raises(ValueError, match="two kinds of email are named 'reminder'"):
        register(replace(reminder, ics=lambda context: ""))
    assert kind_named(REMINDER) is reminder
