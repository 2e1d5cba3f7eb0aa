"""`flask --app eventsys invite-speaker` and `import-speakers`: speakers from the command line."""

import click

from eventsys.events.services import event_by_slug
from eventsys.speakers import importing, invitations
from eventsys.speakers.models import SpeakerRole
from eventsys.timezones import in_zone


@click.command("invite-speaker")
@click.argument("speaker_email")
@click.argument("event_slug")
@click.option("--role", type=click.Choice([role.value for role in SpeakerRole]), required=True,
              help="What the speaker is invited to do.")
@click.option("--message", default="", help="The organiser's personal words, shown in the invitation.")
@click.option("--by", "invited_by", required=True, help="The organiser's email; they are told the answer.")
@click.option("--item", "item_title", default=None, help="Programme item title, if not the whole event.")
def invite_speaker_command(speaker_email: str, event_slug: str, role: str, message: str, invited_by: str,
                           item_title: str | None) -> None:
    """Invite the speaker with SPEAKER_EMAIL to the event at EVENT_SLUG; inviting again sends nothing."""
    speaker = invitations.speaker_by_email(speaker_email)
    if speaker is None:
        raise click.ClickException(f"No speaker has the email address {speaker_email}.")
    event = event_by_slug(event_slug)
    if event is None:
        raise click.ClickException(f"No event has the address /events/{event_slug}.")
    item_id = None
    if item_title:
        item = invitations.programme_item_by_title(event.id, item_title)
        if item is None:
            raise click.ClickException(f"{event.title} has no programme item titled {item_title!r}.")
        item_id = item.id

    before = invitations.find_engagement(speaker.id, event.id, item_id)
    if before is not None and before.invitation_status is not None:
        sent = in_zone(before.invited_at, event.timezone)
        click.echo(f"{speaker.display_name} was already invited to {event.title} on {sent} "
                   f"(status: {before.invitation_status.value}); nothing sent.")
        return
    try:
        engagement = invitations.invite_speaker(
            speaker.id, event.id, role, message, item_id, invited_by_email=invited_by
        )
    except invitations.InvitationError as refused:
        raise click.ClickException(str(refused)) from None
    expires = in_zone(engagement.invitation_expires_at, event.timezone)
    click.echo(f"Invited {speaker.display_name} <{speaker.email}> to {event.title} as "
               f"{invitations.role_in_words(engagement.role)}; the invitation email is queued. "
               f"It expires {expires}; {invited_by} will be told the answer.")


@click.command("import-speakers")
@click.argument("csv_file", type=click.File("rb"))
@click.option("--valid-only", is_flag=True,
              help="Import the valid rows even when some are invalid (by default nothing is imported then).")
def import_speakers_command(csv_file, valid_only: bool) -> None:
    """Import speakers from CSV_FILE: UTF-8 with a header row (columns: see speakers/importing.py)."""
    plan = importing.check_file(csv_file.read())
    to_write = len(plan.to_write(valid_only))
    with click.progressbar(length=to_write, label=f"Importing {to_write} speakers") as bar:
        report = importing.carry_out(plan, valid_only, progress=bar.update)
    for row in report.rows:
        for problem in row.errors or [f"OK, {row.note}"]:
            click.echo(f"row {row.number}: {problem}")
    click.echo(report.outcome())
    if not report.imported and (report.file_errors or report.invalid_rows):
        raise SystemExit(1)
