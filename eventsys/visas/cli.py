"""`flask --app eventsys visas new-key` and `visas rotate-key`: the keys that encrypt passport details."""

import click

from eventsys.visas import passports, services


@click.group("visas")
def visas_group() -> None:
    """Visa invitation letters: their encryption keys."""


@visas_group.command("new-key")
def new_key_command() -> None:
    """Print a new key for PASSPORT_KEYS (put it first, keep the old ones after it, then rotate-key)."""
    click.echo(passports.new_key())


@visas_group.command("rotate-key")
def rotate_key_command() -> None:
    """Re-encrypt every stored passport record and letter with the first key of PASSPORT_KEYS."""
    if not passports.available():
        raise click.ClickException("PASSPORT_KEYS is not set.")
    try:
        count = services.rotate_keys()
    except passports.UnreadablePassportData:
        raise click.ClickException("A stored record opens with none of the keys in PASSPORT_KEYS: keep "
                                   "the old key in the list until every record is rotated.") from None
    click.echo(f"Re-encrypted {count} letter(s) with the newest key. The older keys can now be removed.")
