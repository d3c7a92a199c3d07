"""The committees' screens: committees and members, sessions, agenda, attendance, votes with
htmx, decisions, minutes, downloads and a member's view of a dossier."""

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from alize.models import Role
from comites import services
from comites.models import (
    AgendaItem,
    Amendment,
    Attendance,
    CommitteeMembership,
    Decision,
    Recusal,
    Vote,
)
from comites.workflow import (
    AttendanceStatus,
    ItemStatus,
    MemberRole,
    SessionStatus,
    VoteChoice,
)
from tests.comites.factories import (
    AgendaItemFactory,
    CommitteeFactory,
    DecisionFactory,
    MembershipFactory,
    RecusalFactory,
    SessionFactory,
    VoteFactory,
    close,
    in_days,
    move_session,
)
from tests.conftest import make_user
from tests.pme.factories import DossierFactory, PmeContactFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def text(response) -> str:
    """The page's text, French spaces read as plain ones, tags left out."""
    html = response.content.decode()
    html = re.sub(r"<[^>]+>", " ", html)
    html = html.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")
    return re.sub(r"[\s\u202f\u00a0]+", " ", html)


def pdf_text(response) -> str:
    """A downloaded PDF's text on one line, French spaces read as plain ones."""
    reader = PdfReader(io.BytesIO(response.content))
    return re.sub(r"[\s\u202f\u00a0]+", " ", " ".join(p.extract_text() for p in reader.pages))


def move(client, session, name: str, **kwargs):
    """Press a button of the session's state panel (`session_transition`), as the page shows
    it: the move's name and the state the user sees."""
    session.refresh_from_db()
    return client.post(
        reverse("comites:session_transition", args=[session.pk]),
        {"transition": name, "expected_state": session.status},
        **kwargs,
    )


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def voting(board):
    """Everyone present; one dossier whose vote is open."""
    board.everyone_present()
    item = board.item(voting=True)
    return item


# --- Committees --------------------------------------------------------------------------


def test_operators_list_their_basin_committees_members_their_own(client, board, staff):
    other = CommitteeFactory(name="Comité d'ailleurs")
    board.committee.name = "Comité d'agrément du Valenciennois"
    board.committee.save()

    page = text(login(client, staff).get(reverse("comites:committee_list")))
    assert "Comité d'agrément du Valenciennois" in page
    assert "Comité d'ailleurs" not in page

    member = board.members[1].person
    page = text(login(client, member).get(reverse("comites:committee_list")))
    assert "Comité d'agrément du Valenciennois" in page
    assert "Comité d'ailleurs" not in page
    assert (
        login(client, member).get(reverse("comites:committee_detail", args=[other.pk])).status_code
        == 404
    )


def test_people_without_a_seat_do_not_see_committees(client, board):
    funder = make_user(Role.FUNDER, board.basin)
    assert login(client, funder).get(reverse("comites:committee_list")).status_code == 404
    assert login(client, funder).get(reverse("comites:session_list")).status_code == 404


def test_the_committee_page_shows_its_members_and_chair(client, board, staff):
    response = login(client, staff).get(
        reverse("comites:committee_detail", args=[board.committee.pk])
    )
    page = text(response)
    assert str(board.chair.person) in page
    assert "Présidence" in page
    assert "Saint-Gobain" in page
    assert "Alstom" in page
    assert 'class="table-primary"' in response.content.decode()
    # Staff read; the manager sets the committee up.
    assert "Nommer un membre" not in page


def test_a_manager_appoints_a_member(client, board, manager):
    person = make_user(Role.COMMITTEE_MEMBER)
    url = reverse("comites:member_appoint", args=[board.committee.pk])
    response = login(client, manager).post(
        url,
        {
            "person": person.pk,
            "role": MemberRole.MEMBER,
            "organisation": "Toyota",
            "start_date": "2008-01-01",
        },
    )
    assert response.status_code == 302
    assert CommitteeMembership.objects.filter(person=person, organisation="Toyota").exists()

    # A second mandate over the same period: the service's French refusal on the form.
    response = client.post(
        url,
        {
            "person": person.pk,
            "role": MemberRole.MEMBER,
            "organisation": "Toyota",
            "start_date": "2009-01-01",
        },
    )
    assert response.status_code == 200
    assert "Cette personne siège déjà à ce comité sur cette période." in text(response)


def test_staff_do_not_set_up_committees(client, board, staff):
    for name in ("member_appoint", "chair_change", "committee_rules"):
        url = reverse(f"comites:{name}", args=[board.committee.pk])
        assert login(client, staff).get(url).status_code == 404


def test_a_manager_changes_the_chair(client, board, manager):
    vallourec = make_user(Role.COMMITTEE_MEMBER)
    response = login(client, manager).post(
        reverse("comites:chair_change", args=[board.committee.pk]),
        {"person": vallourec.pk, "organisation": "Vallourec", "start_date": "2008-07-01"},
    )
    assert response.status_code == 302
    board.chair.refresh_from_db()
    assert board.chair.end_date == datetime.date(2008, 6, 30)
    assert CommitteeMembership.objects.get(person=vallourec).role == MemberRole.CHAIR


def test_a_manager_ends_a_mandate_and_is_told_when_he_cannot(client, board, manager):
    member = board.members[2]
    url = reverse("comites:mandate_end", args=[member.pk])
    response = login(client, manager).post(url, {"end_date": "2001-01-01"})
    assert response.status_code == 200
    assert "il ne peut finir avant" in text(response)

    response = client.post(url, {"end_date": "2010-12-31"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.end_date == datetime.date(2010, 12, 31)


def test_a_manager_edits_the_rules(client, board, manager):
    url = reverse("comites:committee_rules", args=[board.committee.pk])
    data = {
        "name": "Comité d'agrément",
        "quorum_numerator": 3,
        "quorum_denominator": 2,
        "notice_days": 5,
        "chair_casting_vote": "on",
    }
    response = login(client, manager).post(url, data)
    assert response.status_code == 200
    assert "Le quorum est une fraction comprise entre 0 et 1." in text(response)

    response = client.post(url, {**data, "quorum_numerator": 2, "quorum_denominator": 3})
    assert response.status_code == 302
    board.committee.refresh_from_db()
    assert (board.committee.quorum_numerator, board.committee.quorum_denominator) == (2, 3)


# --- Sessions: creation, agenda, convocation ---------------------------------------------


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_staff_create_a_session(client, board, staff):
    url = reverse("comites:session_create", args=[board.committee.pk])
    starts = in_days(20)
    response = login(client, staff).post(
        url, {"starts_at": _local(starts), "duration_minutes": 120, "place": "CCI, salle 2"}
    )
    assert response.status_code == 302
    session = board.committee.sessions.get(place="CCI, salle 2")
    assert session.status == SessionStatus.DRAFT
    assert response.url == reverse("comites:session_detail", args=[session.pk])


def test_a_session_in_the_past_or_without_a_place_is_refused(client, board, staff):
    url = reverse("comites:session_create", args=[board.committee.pk])
    login(client, staff)
    response = client.post(
        url, {"starts_at": _local(in_days(-3)), "duration_minutes": 120, "place": "CCI"}
    )
    assert response.status_code == 200
    assert "Une séance se prévoit à une date à venir." in text(response)
    response = client.post(url, {"starts_at": _local(in_days(3)), "duration_minutes": 120})
    assert "Indiquez le lieu de la séance ou son lien de visioconférence." in text(response)


@pytest.fixture
def draft(board):
    return SessionFactory(committee=board.committee, starts_at=in_days(12))


def test_staff_compose_the_agenda(client, board, staff, draft):
    first = DossierFactory(submitted=True, pme__basin=board.basin, pme__name="Heuille")
    second = DossierFactory(submitted=True, pme__basin=board.basin, pme__name="Tôlerie Sud")
    DossierFactory(pme__basin=board.basin, pme__name="Pas prête")
    url = reverse("comites:agenda_add", args=[draft.pk])
    login(client, staff)
    page = text(client.get(url))
    assert "Heuille" in page and "Pas prête" not in page

    alstom = board.alstom.corporation
    assert (
        client.post(url, {"dossier": first.pk, "proposed_corporations": [alstom.pk]}).status_code
        == 302
    )
    assert client.post(url, {"dossier": second.pk}).status_code == 302
    one, two = AgendaItem.objects.filter(session=draft).order_by("order")
    assert (one.dossier, two.dossier) == (first, second)
    assert Recusal.objects.filter(item=one, membership=board.alstom).exists()

    # Reorder, then remove.
    client.post(reverse("comites:item_move", args=[two.pk]), {"direction": "up"})
    two.refresh_from_db()
    one.refresh_from_db()
    assert (two.order, one.order) == (1, 2)
    client.post(reverse("comites:item_remove", args=[one.pk]))
    assert list(AgendaItem.objects.filter(session=draft)) == [two]

    # A dossier that is not submitted is refused with the form's message.
    response = client.post(url, {"dossier": DossierFactory(pme__basin=board.basin).pk})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in text(response)


def test_proposed_corporations_recuse_their_representatives(client, board, staff, draft):
    item = AgendaItemFactory(session=draft)
    response = login(client, staff).post(
        reverse("comites:item_corporations", args=[item.pk]),
        {"corporations": [board.alstom.corporation.pk]},
    )
    assert response.status_code == 302
    assert list(item.recusals.values_list("membership", flat=True)) == [board.alstom.pk]


def test_staff_convene_through_the_page(
    client, board, staff, draft, django_capture_on_commit_callbacks
):
    AgendaItemFactory(session=draft)
    with django_capture_on_commit_callbacks(execute=False):
        response = move(login(client, staff), draft, "convene")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == SessionStatus.CONVENED

    # Twice: the service's message, no error page.
    response = move(client, draft, "convene", follow=True)
    assert response.status_code == 200
    assert "impossible de « convoquer les membres »" in text(response)


def test_an_empty_agenda_is_not_convened(client, board, staff, draft):
    response = move(login(client, staff), draft, "convene", follow=True)
    assert "Inscrivez au moins un dossier" in text(response)
    draft.refresh_from_db()
    assert draft.status == SessionStatus.DRAFT


def test_members_do_not_see_a_draft(client, board, draft):
    member = board.members[1].person
    url = reverse("comites:session_detail", args=[draft.pk])
    assert login(client, member).get(url).status_code == 404
    assert client.get(reverse("comites:pack_pdf", args=[draft.pk])).status_code == 404


# --- Attendance --------------------------------------------------------------------------


def _attendance_data(board, **overrides):
    data = {}
    for member in [*board.voters, board.secretary]:
        data[f"status_{member.pk}"] = AttendanceStatus.PRESENT
        if member.is_voting:
            data[f"proxy_{member.pk}"] = ""
    data.update(overrides)
    return data


def test_attendance_of_every_member_at_once(client, board, manager):
    url = reverse("comites:attendance", args=[board.session.pk])
    holder, giver, away = board.members[1], board.members[2], board.members[3]
    data = _attendance_data(
        board,
        **{
            f"status_{giver.pk}": AttendanceStatus.REPRESENTED,
            f"proxy_{giver.pk}": holder.pk,
            f"status_{away.pk}": AttendanceStatus.ABSENT,
        },
    )
    response = login(client, manager).post(url, data)
    assert response.status_code == 302
    statuses = dict(
        Attendance.objects.filter(session=board.session).values_list("membership", "status")
    )
    assert statuses[giver.pk] == AttendanceStatus.REPRESENTED
    assert statuses[away.pk] == AttendanceStatus.ABSENT
    assert Attendance.objects.get(membership=giver).proxy_holder == holder

    page = text(client.get(url))
    assert "Représenté(e) par procuration" in page


def test_a_refused_proxy_saves_no_attendance(client, board, manager):
    url = reverse("comites:attendance", args=[board.session.pk])
    holder, first, second = board.members[1], board.members[2], board.members[3]
    data = _attendance_data(
        board,
        **{
            f"status_{first.pk}": AttendanceStatus.REPRESENTED,
            f"proxy_{first.pk}": holder.pk,
            f"status_{second.pk}": AttendanceStatus.REPRESENTED,
            f"proxy_{second.pk}": holder.pk,
        },
    )
    response = login(client, manager).post(url, data)
    assert response.status_code == 200
    assert "un membre ne détient qu'une procuration" in text(response)
    assert not Attendance.objects.filter(session=board.session).exists()

    # A proxy given to an absent member, and one without its holder.
    data = _attendance_data(
        board,
        **{
            f"status_{first.pk}": AttendanceStatus.REPRESENTED,
            f"proxy_{first.pk}": holder.pk,
            f"status_{holder.pk}": AttendanceStatus.ABSENT,
            f"status_{second.pk}": AttendanceStatus.REPRESENTED,
        },
    )
    response = client.post(url, data)
    page = text(response)
    assert "Indiquez le membre qui détient la procuration." in page
    assert not Attendance.objects.filter(session=board.session).exists()


def test_members_do_not_keep_attendance(client, board):
    url = reverse("comites:attendance", args=[board.session.pk])
    assert login(client, board.members[1].person).get(url).status_code == 404


# --- The session page and its query count -------------------------------------------------


def test_the_session_page_shows_agenda_attendance_and_documents(client, board, staff):
    board.attend(board.chair, board.members[1])
    item = board.item()
    page = text(
        login(client, staff).get(reverse("comites:session_detail", args=[board.session.pk]))
    )
    assert f"Point n° 1 : {item.dossier.pme.name}" in page
    assert "Dossier de séance (PDF)" in page
    assert "Ajouter à mon agenda (.ics)" in page
    assert "présent(e)" in page
    assert "présence non notée" in page


def _session_page_queries(client, user, session) -> int:
    url = reverse("comites:session_detail", args=[session.pk])
    client.get(url)  # warm the caches of the user
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_session_page_query_count_does_not_grow_with_the_agenda(client, board):
    board.everyone_present()
    for _ in range(2):
        board.item()
    board.items[0].proposed_corporations.set([board.alstom.corporation])
    RecusalFactory(item=board.items[0], membership=board.alstom, automatic=True)
    chair = board.chair.person
    login(client, chair)
    few = _session_page_queries(client, chair, board.session)
    for _ in range(8):
        board.item()
    RecusalFactory(item=board.items[5], membership=board.members[2])
    assert _session_page_queries(client, chair, board.session) == few


def test_the_session_list_query_count_does_not_grow(client, board, staff):
    login(client, staff)
    url = reverse("comites:session_list")
    for _ in range(2):
        AgendaItemFactory(session=SessionFactory(committee=board.committee))
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(8):
        AgendaItemFactory(session=SessionFactory(committee=board.committee))
    with CaptureQueriesContext(connection) as many:
        page = text(client.get(url))
    assert len(many) == len(few)
    assert "En préparation" in page


# --- Votes -------------------------------------------------------------------------------


def _vote(client, item, member, choice=VoteChoice.FOR, **extra):
    return client.post(
        reverse("comites:vote", args=[item.pk]),
        {"member": member.pk, "choice": choice},
        **{**HTMX, **extra},
    )


def test_a_member_votes_with_htmx_and_cannot_vote_twice(client, board, voting):
    member = board.members[1]
    login(client, member.person)
    page = text(client.get(reverse("comites:session_detail", args=[board.session.pk])))
    assert "Votre vote" in page and "Pour" in page and "Contre" in page

    response = _vote(client, voting, member)
    assert response.status_code == 200
    assert "Votre vote est enregistré : pour." in text(response)
    assert f'id="point-{voting.pk}"' in response.content.decode()
    assert Vote.objects.get(item=voting, member=member).choice == VoteChoice.FOR

    response = _vote(client, voting, member, VoteChoice.AGAINST)
    assert response.status_code == 200
    assert "on ne vote qu'une fois" in text(response)
    assert Vote.objects.filter(item=voting, member=member).count() == 1


def test_a_member_does_not_vote_for_someone_else(client, board, voting):
    response = _vote(login(client, board.members[1].person), voting, board.members[2])
    assert response.status_code == 200
    assert "Vous ne votez que pour vous-même" in text(response)
    assert not Vote.objects.exists()


def test_without_htmx_a_refusal_is_a_message(client, board, voting):
    login(client, board.members[1].person)
    response = client.post(
        reverse("comites:vote", args=[voting.pk]),
        {"member": board.members[2].pk, "choice": "pour"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Vous ne votez que pour vous-même" in text(response)


def test_a_proxy_holder_votes_for_the_member_represented(client, board):
    holder, giver = board.members[1], board.members[2]
    board.attend(board.chair, holder, board.members[3], board.alstom, board.secretary)
    board.attend(giver, status=AttendanceStatus.REPRESENTED, proxy_holder=holder)
    item = board.item(voting=True)
    login(client, holder.person)
    page = text(client.get(reverse("comites:session_detail", args=[board.session.pk])))
    assert f"Vote de {giver.person} (procuration)" in page

    response = _vote(client, item, giver, VoteChoice.AGAINST)
    assert f"Le vote de {giver.person} est enregistré : contre." in text(response)
    vote = Vote.objects.get(member=giver)
    assert vote.cast_by == holder

    # The member represented does not vote himself.
    response = _vote(login(client, giver.person), item, giver)
    assert "Vous avez donné procuration" in text(response)


def test_a_recused_member_sees_why_and_cannot_vote(client, board):
    board.everyone_present()
    item = board.item(proposed_corporations=[board.alstom.corporation])
    RecusalFactory(item=item, membership=board.alstom, automatic=True)
    item.status, item.opened_at = ItemStatus.OPEN, timezone.now()
    item.save()
    login(client, board.alstom.person)
    page = text(client.get(reverse("comites:session_detail", args=[board.session.pk])))
    assert "Vous êtes déporté(e) sur ce dossier" in page
    assert "Motif : Son entreprise est proposée pour accompagner la PME" in page
    response = _vote(client, item, board.alstom)
    assert "déporté(e) sur ce dossier : il ou elle ne prend pas part au vote" in text(response)


def test_no_vote_on_a_closed_item(client, board, voting):
    close(voting)
    response = _vote(login(client, board.members[1].person), voting, board.members[1])
    assert "Le vote sur ce dossier est clos : il ne change plus." in text(response)


def test_a_member_of_another_basin_gets_a_404(client, board, voting):
    stranger = MembershipFactory(committee=CommitteeFactory()).person
    response = _vote(login(client, stranger), voting, board.members[1])
    assert response.status_code == 404
    assert not Vote.objects.exists()


def test_the_secretary_records_a_vote_in_the_room(client, board, voting):
    login(client, board.secretary.person)
    page = text(client.get(reverse("comites:session_detail", args=[board.session.pk])))
    assert "Enregistrer un vote exprimé en séance" in page
    response = _vote(client, voting, board.members[3], VoteChoice.ABSTAIN)
    assert f"Le vote de {board.members[3].person} est enregistré : abstention." in text(response)
    assert Vote.objects.get(member=board.members[3]).cast_by == board.secretary


def test_the_chair_sees_the_live_tally_members_only_the_result(client, board, voting):
    VoteFactory(item=voting, member=board.members[1])
    VoteFactory(item=voting, member=board.members[2], against=True)
    url = reverse("comites:item_tally", args=[voting.pk])

    chair_view = text(login(client, board.chair.person).get(url, **HTMX))
    assert "1 pour, 1 contre, 0 abstention" in chair_view
    assert "Quorum atteint" in chair_view

    member_view = text(login(client, board.members[3].person).get(url, **HTMX))
    assert "1 pour" not in member_view
    assert "le résultat sera affiché à la clôture du vote" in member_view

    close(voting)
    member_view = text(client.get(url, **HTMX))
    assert "Résultat du vote : 1 pour, 1 contre, 0 abstention" in member_view


def test_the_chair_opens_and_closes_a_vote(client, board):
    board.everyone_present()
    item = board.item()
    login(client, board.chair.person)
    response = client.post(reverse("comites:item_open", args=[item.pk]), follow=True)
    assert "Le vote sur le point n° 1 est ouvert." in text(response)
    VoteFactory(item=item, member=board.members[1])
    response = client.post(reverse("comites:item_close", args=[item.pk]), follow=True)
    assert "est clos : 1 pour, 0 contre, 0 abstention" in text(response)
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED


def test_without_quorum_the_chair_is_told(client, board):
    board.attend(board.chair)
    item = board.item()
    response = login(client, board.chair.person).post(
        reverse("comites:item_open", args=[item.pk]), follow=True
    )
    assert "Le quorum n'est pas atteint" in text(response)


def test_members_do_not_open_votes(client, board):
    item = board.item()
    url = reverse("comites:item_open", args=[item.pk])
    assert login(client, board.members[1].person).post(url).status_code == 404


def test_a_member_declares_an_interest(client, board, voting):
    member = board.members[2]
    response = login(client, member.person).post(
        reverse("comites:declare_interest", args=[voting.pk]),
        {"details": "Administrateur de l'entreprise"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Vous êtes déporté(e) sur ce dossier" in text(response)
    assert Recusal.objects.get(item=voting, membership=member).details == (
        "Administrateur de l'entreprise"
    )
    response = client.post(
        reverse("comites:declare_interest", args=[voting.pk]), {"details": ""}, **HTMX
    )
    assert "Précisez l'intérêt déclaré." in text(response)


# --- Decisions ---------------------------------------------------------------------------


@pytest.fixture
def adopted(board, voting):
    voting.proposed_corporations.set([board.alstom.corporation])
    for member in board.members[1:]:
        VoteFactory(item=voting, member=member)
    return close(voting)


def test_the_secretary_records_an_approval(
    client, board, adopted, django_capture_on_commit_callbacks
):
    url = reverse("comites:decision_create", args=[adopted.pk])
    login(client, board.secretary.person)
    assert "3 pour, 0 contre, 0 abstention" in text(client.get(url))
    data = {
        "outcome": "agree",
        "corporations": [board.alstom.corporation.pk],
        "domains": ["qualite"],
        "advance_granted": "20 000",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "dépasse" in text(response)
    assert not Decision.objects.exists()

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url, {**data, "advance_granted": ""})
    assert response.status_code == 302
    decision = Decision.objects.get(item=adopted)
    assert decision.advance_granted == 0
    assert decision.domains == ["qualite"]
    page = text(client.get(reverse("comites:session_detail", args=[board.session.pk])))
    assert "Décision : Agréé" in page
    assert "Lettre de décision (PDF)" in page
    # Once recorded, the form is gone.
    assert client.get(url).status_code == 302


def test_a_rejection_needs_its_reason(client, board, voting):
    VoteFactory(item=voting, member=board.members[1], against=True)
    close(voting)
    response = login(client, board.secretary.person).post(
        reverse("comites:decision_create", args=[voting.pk]), {"outcome": "refuse"}
    )
    assert response.status_code == 200
    assert "Un refus est motivé." in text(response)


def test_members_do_not_record_decisions(client, board, adopted):
    url = reverse("comites:decision_create", args=[adopted.pk])
    assert login(client, board.members[1].person).get(url).status_code == 404


# --- Minutes, signature, amendments ------------------------------------------------------


@pytest.fixture
def held(board, adopted):
    """The session closed, its dossier decided, one member recused."""
    DecisionFactory(
        item=adopted, approved=True, domains=["qualite"], advance_granted=0, cap_copied=None
    )
    return move_session(board.session, SessionStatus.CLOSED)


def test_the_minutes_page_and_the_signature(client, board, held):
    url = reverse("comites:minutes", args=[board.session.pk])
    login(client, board.chair.person)
    page = text(client.get(url))
    assert "3 pour, 0 contre, 0 abstention" in page
    assert "Décision : Agréé" in page
    assert "Signer le procès-verbal" in page

    # A member reads the minutes but does not sign them.
    member_page = text(login(client, board.members[1].person).get(url))
    assert "Signer le procès-verbal" not in member_page
    refused = text(move(client, board.session, "sign", follow=True))
    assert "Seul(e) le ou la président(e) du comité signe le procès-verbal." in refused
    board.session.refresh_from_db()
    assert board.session.status == SessionStatus.CLOSED

    login(client, board.chair.person)
    page = client.get(url).content.decode()
    assert form_action(page, "Signer le procès-verbal") == reverse(
        "comites:session_transition", args=[board.session.pk]
    )
    response = move(client, board.session, "sign", follow=True)
    assert "Le procès-verbal est signé" in text(response)
    board.session.refresh_from_db()
    assert board.session.status == SessionStatus.SIGNED
    page = text(client.get(url))
    assert "Signer le procès-verbal" not in page

    # Signed: forms gone from the session page, the services refuse; amendments only.
    session_page = text(client.get(reverse("comites:session_detail", args=[board.session.pk])))
    assert "Enregistrer la décision" not in session_page
    assert "Clore la séance" not in session_page
    login(client, board.secretary.person)
    assert "Ajouter un avenant" in text(client.get(url))
    response = client.post(
        reverse("comites:amendment_create", args=[board.session.pk]),
        {"text": "Lire « 4 pour » au point n° 1."},
    )
    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert amendment.by == board.secretary.person
    page = text(client.get(url))
    assert "Lire « 4 pour » au point n° 1." in page
    assert f"par {board.secretary.person}" in page


def form_action(html: str, submit_label: str) -> str:
    """The action of the page's form whose submit button says `submit_label`."""
    for form in re.findall(r"<form\b.*?</form>", html, flags=re.S):
        if submit_label in form:
            match = re.search(r'<form\b[^>]*\baction="([^"]+)"', form)
            assert match, "the form names no action: it would post to the page itself"
            return match.group(1)
    raise AssertionError(f"no form with {submit_label!r}")


def test_the_amendment_form_of_the_minutes_page_posts_where_it_is_taken(client, board, held):
    services.sign_off(session=board.session, by=board.chair.person)
    login(client, board.secretary.person)
    minutes_url = reverse("comites:minutes", args=[board.session.pk])
    action = form_action(client.get(minutes_url).content.decode(), "Ajouter l&#x27;avenant")

    response = client.post(action, {"text": "Lire « 4 pour » au point n° 1.", "item": ""})

    assert response.status_code == 302
    assert response["Location"] == minutes_url
    assert Amendment.objects.get().text == "Lire « 4 pour » au point n° 1."
    pdf = client.get(reverse("comites:minutes_pdf", args=[board.session.pk]))
    assert "Lire « 4 pour » au point n° 1." in pdf_text(pdf)


def test_an_empty_amendment_is_refused_in_french(client, board, held):
    services.sign_off(session=board.session, by=board.chair.person)
    response = login(client, board.secretary.person).post(
        reverse("comites:amendment_create", args=[board.session.pk]), {"text": "  "}
    )
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in text(response)
    assert not Amendment.objects.exists()


def test_no_amendment_before_the_signature(client, board, held):
    response = login(client, board.secretary.person).post(
        reverse("comites:amendment_create", args=[board.session.pk]), {"text": "Correction"}
    )
    assert response.status_code == 200
    assert "Seul un procès-verbal signé se corrige par avenant" in text(response)


def test_a_late_convocation_is_flagged_on_the_minutes(client, board, staff):
    board.session.convened_at = board.session.starts_at - datetime.timedelta(days=2)
    board.session.save()
    page = text(login(client, staff).get(reverse("comites:minutes", args=[board.session.pk])))
    assert "Convocation tardive" in page


# --- Downloads ---------------------------------------------------------------------------


def test_downloads(client, board, held):
    login(client, board.members[1].person)
    session = board.session
    pack = client.get(reverse("comites:pack_pdf", args=[session.pk]))
    assert pack["Content-Type"] == "application/pdf"
    minutes = client.get(reverse("comites:minutes_pdf", args=[session.pk]))
    assert minutes["Content-Type"] == "application/pdf"
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(minutes.content)).pages)
    assert "3 pour" in pdf_text
    letter = client.get(reverse("comites:decision_letter", args=[Decision.objects.get().pk]))
    assert letter["Content-Type"] == "application/pdf"
    ics = client.get(reverse("comites:session_ics", args=[session.pk]))
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in ics.content
    assert board.items[0].dossier.pme.name.encode()[:10] in ics.content.replace(b"\r\n ", b"")


# --- A member's view of a dossier --------------------------------------------------------


def test_a_member_reads_a_dossier_of_the_agenda_without_contacts(client, board):
    item = board.item()
    contact = PmeContactFactory(pme=item.dossier.pme, name="Jeanne Martin", phone="03 27 11 22 33")
    url = reverse("comites:dossier_detail", args=[item.dossier.pk])
    page = text(login(client, board.members[1].person).get(url))
    assert item.dossier.pme.name in page
    assert "Avance demandée" in page
    assert contact.name not in page
    assert contact.email not in page
    assert "03 27 11 22 33" not in page and "+33327112233" not in page

    elsewhere = DossierFactory(submitted=True, pme__basin=board.basin)
    assert client.get(reverse("comites:dossier_detail", args=[elsewhere.pk])).status_code == 404


# --- Steering committee ------------------------------------------------------------------


def test_a_steering_session_has_no_votes(client, basin, staff):
    steering = CommitteeFactory(basin=basin, steering=True)
    MembershipFactory(committee=steering, chair=True)
    member = MembershipFactory(committee=steering, organisation="Sous-préfecture")
    session = SessionFactory(committee=steering, sitting=True, agenda_notes="Bilan du programme")
    response = login(client, member.person).get(
        reverse("comites:session_detail", args=[session.pk])
    )
    page = text(response)
    assert "n'examine pas de dossiers" in page
    assert "Bilan du programme" in page
    assert 'name="choice"' not in response.content.decode()
    minutes = text(client.get(reverse("comites:minutes", args=[session.pk])))
    assert "Dossiers examinés" not in minutes


def test_the_menu_shows_committees_to_those_who_sit_or_operate(client, board, staff):
    menu_link = f'href="{reverse("comites:session_list")}"'
    home = reverse("home")
    assert menu_link in login(client, staff).get(home).content.decode()
    assert menu_link in login(client, board.members[1].person).get(home).content.decode()
    funder = make_user(Role.FUNDER, board.basin)
    assert menu_link not in login(client, funder).get(home).content.decode()
