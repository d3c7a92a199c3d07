"""Ids written into forms and element ids stay plain digits past 999: French number
formatting would write 1 000, which the vote form refused (« Ce vote n'est pas reconnu »)."""

from types import SimpleNamespace

from django.template.loader import render_to_string
from django.test import RequestFactory


def test_the_vote_buttons_carry_the_member_and_the_card_id_unformatted():
    request = RequestFactory().get("/")
    item = SimpleNamespace(pk=12345)
    html = render_to_string(
        "comites/partials/_vote_buttons.html",
        {"iv": SimpleNamespace(item=item), "member": SimpleNamespace(pk=23456), "legend": "Vote"},
        request=request,
    )
    assert 'name="member" value="23456"' in html
    assert 'hx-target="#point-12345"' in html
