"""A renewed invitation is a new round: only the link of the latest email answers it."""

from eventsys.database import db
from eventsys.speakers import invitations
from eventsys.speakers.models import InvitationStatus
from tests.conftest import both_databases
from tests.factories import make_event
from tests.speakers.test_invitations import ORGANISER, SPEAKER, _answer, _invite, _link, _speaker, _status


@both_databases
def test_the_first_rounds_link_is_replaced_by_the_renewed_invitations(app, client, smtp_sink):
    app.config.update(smtp_sink.config())
    engagement = _invite(_speaker(), make_event(title="Forum on Space Robotics"))
    [first] = smtp_sink.to(SPEAKER)
    first_accept = _link(first, "Accept")
    assert _answer(client, _link(first, "Decline"), "decline").status_code == 303

    invitations.renew_invitation(engagement.id, invited_by_email=ORGANISER)
    first_again, renewed = smtp_sink.to(SPEAKER)
    assert first_again["Message-ID"] == first["Message-ID"]

    old = client.get(first_accept)
    assert old.status_code == 410
    assert "replaced by a newer invitation" in old.text
    refused = client.post(first_accept, data={"accept": "Accept"})
    assert refused.status_code in (400, 410)
    db.session.expire_all()
    assert _status(engagement.id) is InvitationStatus.invited

    assert _answer(client, _link(renewed, "Accept"), "accept").status_code == 303
    db.session.expire_all()
    assert _status(engagement.id) is InvitationStatus.accepted
    # Once answered, the old link still only says it was replaced.
    assert "replaced by a newer invitation" in client.get(first_accept).text


def test_an_old_rounds_answer_posted_from_an_open_tab_is_refused(app, client, smtp_sink):
    app.config.update(smtp_sink.config())
    engagement = _invite(_speaker(), make_event())
    [first] = smtp_sink.to(SPEAKER)
    decline_link = _link(first, "Decline")
    page = client.get(decline_link)
    from tests.formpage import read_form

    csrf = read_form(page.text).fields["csrf_token"]
    assert client.post(decline_link, data={"csrf_token": csrf, "decline": "Decline"}).status_code == 303
    invitations.renew_invitation(engagement.id, invited_by_email=ORGANISER)

    again = client.post(decline_link, data={"csrf_token": csrf, "accept": "Accept"})
    assert again.status_code == 410 and "replaced by a newer invitation" in again.text
    db.session.expire_all()
    assert _status(engagement.id) is InvitationStatus.invited
