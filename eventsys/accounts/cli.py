"""`flask --app eventsys create-user EMAIL [--admin]`."""

import click

from eventsys.accounts import services


@click.command("create-user")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Manage every event and the office-wide pages.")
@click.option("--name", default="", help="The organiser's name, as shown to colleagues.")
@click.password_option(help="Asked for when not given (never put it in shell history).")
def create_user_command(email: str, admin: bool, name: str, password: str) -> None:
    """Create an organiser account (or an admin's with --admin)."""
    try:
        user = services.create_user(email, password, name=name, admin=admin)
    except services.AccountError as refused:
        raise click.BadParameter(str(refused), param_hint=refused.field) from None
    click.echo(f"Created {'admin' if user.is_admin else 'organiser'} {user.email}.")
