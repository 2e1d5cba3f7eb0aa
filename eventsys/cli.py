"""Command-line entry points: `flask --app eventsys <command>`."""

import click
from flask import Flask


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Load the demo programme of the School of Astronautics; running it twice changes nothing."""
    from eventsys.demo.seed import DEMO_ORGANISER_EMAIL, DEMO_ORGANISER_PASSWORD, seed_demo

    created = seed_demo()
    click.echo(f"Demo data ready ({created} new records).")
    click.echo(f"Organiser workspace: /manage/  (sign in as {DEMO_ORGANISER_EMAIL}, "
               f"password {DEMO_ORGANISER_PASSWORD})")


@click.command("tick")
def tick_command() -> None:
    """Do what beat does, once: reminders, invitations, due anonymising, lost or stuck emails (for cron).

    `flask run` without Redis does this by itself every 30 s (embedded_scheduler.py).
    """
    from eventsys.periodic import run_periodic_work

    done = run_periodic_work()
    click.echo(f"{done['eventsys.reminders.queue_due_reminders']} reminders queued, "
               f"{done['eventsys.speakers.expire_invitations']} invitations expired, "
               f"{done['eventsys.retention.anonymise_due_events']} events anonymised, "
               f"{done['eventsys.mail.sweep_outbox']} waiting emails handed to delivery.")


def register_commands(app: Flask) -> None:
    """Attach the commands to the app's `flask` CLI."""
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(tick_command)
    from eventsys.speakers.cli import import_speakers_command, invite_speaker_command
    app.cli.add_command(invite_speaker_command)
    app.cli.add_command(import_speakers_command)
    from eventsys.accounts.cli import create_user_command
    app.cli.add_command(create_user_command)
    from eventsys.visas.cli import visas_group
    app.cli.add_command(visas_group)
