"""What the speaker tests share: an organiser of the office, signed in."""

import pytest

from tests.factories import make_organiser, sign_in

ORGANISER = "office@astro.example.edu"


@pytest.fixture
def office(client):
    """A signed-in organiser who manages no event: the directory is shared by the whole office."""
    make_organiser(ORGANISER)
    sign_in(client, ORGANISER)
    return client
