"""Command-line entry points: `flask --app eventsys <command>`."""

import click
from flask import Flask


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Load the demo programme of the School of Astronautics; running it twice changes nothing."""
    from eventsys.demo.seed import seed_demo

    created = seed_demo()
    click.echo(f"Demo data ready ({created} new records).")


def register_commands(app: Flask) -> None:
    """Attach the commands to the app's `flask` CLI."""
    app.cli.add_command(seed_demo_command)
