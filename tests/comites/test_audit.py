"""Every committee record is in the audit trail, with who made the change, for good."""

import pytest
from django.apps import apps
from django.db import DatabaseError, transaction
from pghistory.models import Event

from comites import services
from comites.workflow import VoteChoice

pytestmark = pytest.mark.django_db


def comites_event_models():
    return [m for m in apps.get_app_config("comites").get_models() if issubclass(m, Event)]


def test_every_committee_model_is_tracked():
    tracked = {m.pgh_tracked_model for m in comites_event_models()}
    for model in apps.get_app_config("comites").get_models():
        if not issubclass(model, Event):
            assert model in tracked, model


def test_a_vote_is_recorded_with_who_cast_it_and_the_trail_is_append_only(board):
    board.everyone_present()
    item = services.open_item(item=board.item(), by=board.chair.person)
    member = board.members[1]
    services.cast_vote(item=item, member=member, choice=VoteChoice.FOR, by=member.person)

    VoteEvent = apps.get_model("comites", "VoteEvent")
    event = VoteEvent.objects.get(item=item)
    assert event.pgh_label == "insert"
    assert event.pgh_context.metadata["user"] == member.person.pk
    with pytest.raises(DatabaseError), transaction.atomic():
        VoteEvent.objects.filter(pk=event.pk).update(choice=VoteChoice.AGAINST)
    with pytest.raises(DatabaseError), transaction.atomic():
        VoteEvent.objects.filter(pk=event.pk).delete()
