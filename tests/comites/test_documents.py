"""The committee pack, the minutes and the decision letter, read back from the PDF."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from comites import services
from comites.pdf import build_decision_letter_pdf, build_minutes_pdf, build_pack_pdf
from comites.workflow import AttendanceStatus, DecisionOutcome, VoteChoice
from pme.models import Need
from tests.alize.factories import BasinFactory
from tests.avances.factories import AdvanceFactory
from tests.comites.factories import (
    CommitteeFactory,
    DecisionFactory,
    MembershipFactory,
    RecusalFactory,
    SessionFactory,
    VoteFactory,
    close,
)
from tests.pme.factories import DossierFactory, PmeContactFactory

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    """The PDF's text on one line: French spaces (narrow, no-break) and line breaks as
    plain single spaces."""
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " "))


def pages_of(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def flat(value: str) -> str:
    return re.sub(r"\s+", " ", value.replace("\u202f", " ").replace("\u00a0", " "))


def agenda(board, count: int):
    """`count` dossiers on the agenda, Alstom proposed on each, each SME with a contact."""
    items = []
    for n in range(count):
        item = board.item(
            proposed_corporations=[board.alstom.corporation],
            dossier__pme__name=f"Mécanique de précision n° {n + 1}",
            dossier__jobs_planned=7 + n,
            dossier__advance_requested=Decimal("12500.00"),
        )
        PmeContactFactory(
            pme=item.dossier.pme,
            name=f"Marc Contact{n + 1}",
            email=f"marc{n + 1}@heuille.test",
            phone="03 27 45 67 8" + str(n % 10),
        )
        items.append(item)
    return items


# --- The pack ----------------------------------------------------------------------------


def test_the_approval_pack_holds_the_cover_the_agenda_and_each_dossier(board):
    items = agenda(board, 2)

    pdf = build_pack_pdf(board.session)

    text = text_of(pdf)
    assert "Dossier de séance" in text
    assert str(board.committee) in text
    assert board.basin.name in text
    assert board.session.place in text
    assert str(board.chair.person) in text
    assert "Ordre du jour" in text
    for item in items:
        pme = item.dossier.pme
        # On the agenda, then on its own one-page summary.
        assert text.count(pme.name) >= 2
        assert f"Dossier n° {item.dossier.pk}" in text
    assert "Développement" in text
    assert "12 500,00 €" in text
    assert "Alstom Transport" in text  # the corporation proposed for the first dossier
    assert text.count("Développer une ligne d'usinage de précision") == 2
    # The cover and agenda, then one page per dossier.
    assert pages_of(pdf) >= 3


def test_the_pack_discloses_no_sme_contact(board):
    agenda(board, 2)

    text = text_of(build_pack_pdf(board.session))

    for n in (1, 2):
        assert f"Contact{n}" not in text
        assert f"marc{n}@heuille.test" not in text
    assert "03 27 45 67" not in text


def test_a_video_session_gives_its_link_on_the_cover(board):
    board.session.place = ""
    board.session.video_link = "https://visio.example.test/comite-agrement"
    board.session.save()
    agenda(board, 1)

    text = text_of(build_pack_pdf(board.session))

    assert "Visioconférence" in text
    assert "https://visio.example.test/comite-agrement" in text


def test_the_pack_costs_the_same_queries_for_2_or_8_dossiers(board):
    def queries(count):
        agenda(board, count - len(board.items))
        with CaptureQueriesContext(connection) as captured:
            text = text_of(build_pack_pdf(board.session))
        assert text.count("Développer une ligne d'usinage de précision") == count
        return len(captured.captured_queries)

    assert queries(2) == queries(8)


def test_the_steering_pack_gives_the_programme_report(board):
    """`steering_key_counts` (a second way of computing indicators) is gone (issue 11):
    the pack holds the programme report `pilotage` registers."""
    steering = CommitteeFactory(basin=board.basin, steering=True)
    chair = MembershipFactory(committee=steering, chair=True, organisation="Sous-préfecture")
    session = SessionFactory(
        committee=steering, agenda_notes="Bilan de la première période\nRenouvellement"
    )
    approved = DossierFactory(approved=True, pme__basin=board.basin, jobs_planned=13)
    AdvanceFactory(dossier=approved, basin=board.basin, amount=Decimal("15000.00"), disbursed=True)

    # The basin has a programme period: its programme report is the pack.
    text = text_of(build_pack_pdf(session))
    assert f"Rapport de programme – {board.basin.name}" in text
    assert "Chiffres clés du bassin" not in text
    assert "Bilan de la première période" in text and "Renouvellement" in text
    assert str(chair.person) in text


def test_without_a_programme_period_the_steering_pack_is_its_cover():
    basin = BasinFactory()
    steering = CommitteeFactory(basin=basin, steering=True)
    MembershipFactory(committee=steering, chair=True, organisation="Sous-préfecture")
    session = SessionFactory(committee=steering)
    DossierFactory(approved=True, pme__basin=basin, jobs_planned=13)

    text = text_of(build_pack_pdf(session))

    assert "Rapport de programme" not in text
    assert "Chiffres clés du bassin" not in text


# --- The minutes -------------------------------------------------------------------------


def signed_session(board, manager):
    """Convened two days before (late), one dossier approved with a recusal and a proxy,
    one left unexamined; signed, then amended."""
    board.session.convened_at = board.session.starts_at - datetime.timedelta(days=2)
    board.session.save()
    holder, giver = board.members[1], board.members[2]
    board.attend(board.chair, holder, board.secretary)
    board.attend(board.alstom, status=AttendanceStatus.REMOTE)
    board.attend(giver, status=AttendanceStatus.REPRESENTED, proxy_holder=holder)
    board.attend(board.members[3], status=AttendanceStatus.ABSENT)
    approved = board.item(
        proposed_corporations=[board.alstom.corporation],
        dossier__pme__name="Heuille Mécanique",
    )
    services.open_item(item=approved, by=board.chair.person)
    services.declare_interest(
        item=approved, membership=board.members[3], details="Client de l'entreprise", by=manager
    )
    chair = board.chair
    services.cast_vote(item=approved, member=chair, choice=VoteChoice.FOR, by=chair.person)
    services.cast_vote(item=approved, member=holder, choice=VoteChoice.AGAINST, by=holder.person)
    services.cast_vote(item=approved, member=giver, choice=VoteChoice.ABSTAIN, by=holder.person)
    services.close_item(item=approved, by=board.chair.person)
    services.record_decision(
        item=approved,
        outcome=DecisionOutcome.APPROVED,
        corporations=[board.alstom.corporation],
        domains=[Need.QUALITY],
        advance_granted=Decimal("12000"),
        by=manager,
    )
    board.item(dossier__pme__name="Transports Scarpe")  # left unexamined
    services.close_session(session=board.session, by=manager)
    services.sign_off(session=board.session, by=board.chair.person)
    services.amend_minutes(
        session=board.session, item=approved, text="Le montant est de 12 000 €.", by=manager
    )
    return approved


def test_the_minutes_say_attendance_votes_recusals_proxies_and_amendments(board, manager):
    signed_session(board, manager)
    holder, giver = board.members[1], board.members[2]

    text = text_of(build_minutes_pdf(board.session))

    assert "Procès-verbal de la séance" in text
    # Attendance: present, remote, represented by whom, absent.
    assert "Présent(e)" in text and "À distance" in text and "Absent(e)" in text
    assert f"Représenté(e) par {holder.person}" in text
    assert f"{giver.person} a donné procuration à {holder.person}" in text
    assert "Présents : 2 · à distance : 1 · représentés : 1 · absents : 1" in text
    assert "quorum atteint" in text
    # The dossier: its tally, its recusals with their reason, the decision.
    assert "Heuille Mécanique" in text
    assert "1 pour, 1 contre, 1 abstention" in text
    assert "voix prépondérante" in text
    assert f"{board.alstom.person} (Alstom) ne prend pas part au vote" in text
    assert "Motif : Intérêt déclaré – Client de l'entreprise." in text
    assert "Décision : Agréé" in text
    assert "Avance remboursable accordée : 12 000,00 €" in text
    assert "Transports Scarpe" in text and "Non examiné" in text
    assert "Convocation tardive" in text
    assert "2 jours avant la séance, pour un délai requis de 5 jours" in text
    assert "Le montant est de 12 000 €." in text
    assert f"Procès-verbal signé par {board.chair.person}" in text
    assert "Projet non signé" not in text


def test_unsigned_minutes_say_so(board):
    board.everyone_present()
    item = board.item(voting=True)
    VoteFactory(item=item, member=board.chair, choice=VoteChoice.AGAINST)
    close(item)
    DecisionFactory(item=item)

    text = text_of(build_minutes_pdf(board.session))

    assert "Projet non signé" in text
    assert "Convocation tardive" not in text
    assert "Décision : Refusé" in text and "Projet sans création d'emploi." in text


def test_the_minutes_cost_the_same_queries_for_2_or_8_dossiers(board):
    board.everyone_present()

    def queries(count):
        while len(board.items) < count:
            item = board.item(voting=True, proposed_corporations=[board.alstom.corporation])
            RecusalFactory(item=item, membership=board.alstom, automatic=True)
            VoteFactory(item=item, member=board.chair)
            close(item)
            DecisionFactory(item=item, approved=True).corporations.set([board.alstom.corporation])
        with CaptureQueriesContext(connection) as captured:
            build_minutes_pdf(board.session)
        return len(captured.captured_queries)

    assert queries(2) == queries(8)


# --- The decision letter -----------------------------------------------------------------


def test_an_approval_letter_gives_the_support_plan_and_the_advance(board, manager):
    approved = signed_session(board, manager)
    pme = approved.dossier.pme
    PmeContactFactory(pme=pme, name="Marc Heuille", role="Gérant")

    text = text_of(build_decision_letter_pdf(approved.decision))

    assert board.basin.operator_name in text
    assert pme.name in text and flat(pme.address) in text and pme.commune.name in text
    # The letter may be downloaded by committee members: no SME contact on it.
    assert "Marc Heuille" not in text
    assert "Objet : décision du comité d'agrément" in text
    assert "agréé" in text
    assert str(board.alstom.corporation) in text and "Qualité" in text
    assert "avance remboursable sans intérêt de 12 000,00 €" in text
    assert str(board.chair.person) in text


def test_a_deferral_letter_says_what_is_missing(board):
    item = close(board.item())
    decision = DecisionFactory(item=item, deferred=True, missing="Le bilan 2006 certifié.")

    text = text_of(build_decision_letter_pdf(decision))

    assert "ajourner" in text and "Le bilan 2006 certifié." in text
    assert "avance remboursable" not in text


def test_a_rejection_letter_gives_the_reason(board):
    item = close(board.item())
    decision = DecisionFactory(item=item, reason="Le projet ne crée aucun emploi.")

    text = text_of(build_decision_letter_pdf(decision))

    assert "n'a pas retenu votre dossier" in text
    assert "Le projet ne crée aucun emploi." in text
