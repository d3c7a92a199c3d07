"""A vote or a decision sent twice (a double click) is recorded once; the second answer
shows the first result."""

import re

import pytest
from django.urls import reverse

from alize.models import Submission
from comites.models import Decision, Vote
from tests.comites.test_views import HTMX, adopted, login, text, voting  # noqa: F401

pytestmark = pytest.mark.django_db


def token_in(page: str) -> str:
    match = re.search(r'name="once" value="([0-9a-f-]{36})"', page)
    assert match, "no one-time token in the page"
    return match.group(1)


def test_a_double_click_on_a_vote_button_records_one_vote(client, board, voting):  # noqa: F811
    member = board.members[1]
    login(client, member.person)
    page = client.get(reverse("comites:session_detail", args=[board.session.pk]))
    token = token_in(page.content.decode())
    url = reverse("comites:vote", args=[voting.pk])
    data = {"member": member.pk, "choice": "pour", "once": token}
    client.post(url, data, **HTMX)
    second = client.post(url, data, **HTMX)
    assert second.status_code == 200
    shown = text(second)
    assert "rien de plus n'a été enregistré" in shown
    assert "Votre vote est enregistré : pour." in shown
    assert Vote.objects.filter(item=voting, member=member).count() == 1


def test_a_decision_sent_twice_is_recorded_once(client, board, adopted):  # noqa: F811
    url = reverse("comites:decision_create", args=[adopted.pk])
    login(client, board.secretary.person)
    token = token_in(client.get(url).content.decode())
    data = {
        "outcome": "agree",
        "corporations": [board.alstom.corporation.pk],
        "domains": ["qualite"],
        "advance_granted": "",
        "once": token,
    }
    assert client.post(url, data).status_code == 302
    second = client.post(url, data, follow=True)
    assert "rien de plus n'a été enregistré" in text(second)
    assert "La décision est enregistrée." in text(second)
    assert Decision.objects.filter(item=adopted).count() == 1
    assert Submission.objects.filter(token=token).count() == 1
