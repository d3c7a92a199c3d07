"""An approval committee session from the convocation to the signed minutes, in Chromium:
the manager convenes and takes the attendance, two members vote from their own browsers
(htmx, no reload), a recused member sees why, the chair follows the live tally and closes
the vote, the manager records the decision, the chair signs, and the minutes PDF says it
all."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from pypdf import PdfReader

from alize.models import Role
from comites import services
from comites.models import Decision, Vote
from comites.workflow import SessionStatus
from tests.alize.factories import AdvanceCapFactory, BasinFactory
from tests.browser.conftest import axe_violations
from tests.browser.test_dossier import field
from tests.comites.factories import CommitteeFactory, MembershipFactory
from tests.conftest import make_user
from tests.grandes_entreprises.factories import CorporationFactory
from tests.pme.factories import DossierFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def said(text: str) -> re.Pattern:
    """A sentence, whatever spaces French typography put between its words."""
    return re.compile(r"\s+".join(re.escape(word) for word in text.split()))


def sign_in(page, live_server, user):
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill("motdepasse-de-test")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


@pytest.fixture
def other_browser(browser, live_server):
    """Sign someone in from a browser of their own (a context: its own cookies)."""
    contexts = []

    def open_for(user):
        context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
        contexts.append(context)
        return sign_in(context.new_page(), live_server, user)

    yield open_for
    # Closed before the test database goes: their pages poll the tally.
    for context in contexts:
        context.close()


def vote_without_reload(page, choice: str):
    """Press a vote button: htmx swaps the item's card, the page itself stays."""
    # On a loaded machine, a click before htmx has bound the form would post it classically.
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.__still_here = true")
    with page.expect_response(
        lambda response: response.url.endswith("/voter/") and response.request.method == "POST",
        timeout=90_000,
    ) as answer:
        page.get_by_role("button", name=choice, exact=True).first.click()
    assert answer.value.status == 200, answer.value.status
    card = page.locator("article.agenda-item").first
    mine = page.get_by_test_id("mon-vote").filter(has_text=said(choice.lower()))
    try:
        mine.wait_for(timeout=30_000)
    except PlaywrightTimeout:
        # Say what the member sees instead (a refusal, the buttons still there).
        raise AssertionError(card.inner_text()) from None
    assert page.evaluate("window.__still_here === true"), "la page a été rechargée"


def test_a_committee_session_end_to_end(live_server, page, other_browser, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    basin = BasinFactory(valenciennes=True)
    AdvanceCapFactory(basin=basin, amount=Decimal("15000.00"), valid_from=datetime.date(2005, 7, 1))
    saint_gobain = CorporationFactory(basin=basin, group_name="Saint-Gobain", site_name="")
    alstom = CorporationFactory(basin=basin, group_name="Alstom", site_name="")
    committee = CommitteeFactory(basin=basin, name="Comité d'agrément du Valenciennois")
    manager = make_user(Role.MANAGER, basin)
    chair = MembershipFactory(
        committee=committee,
        chair=True,
        corporation=saint_gobain,
        organisation="Saint-Gobain",
        person=make_user(Role.COMMITTEE_MEMBER, basin),
    )
    recused = MembershipFactory(
        committee=committee,
        corporation=alstom,
        organisation="Alstom",
        person=make_user(Role.COMMITTEE_MEMBER, basin),
    )
    first, second = (
        MembershipFactory(
            committee=committee,
            organisation=name,
            person=make_user(Role.COMMITTEE_MEMBER, basin),
        )
        for name in ("Toyota", "Valenciennes Métropole")
    )
    dossier = DossierFactory(
        submitted=True,
        pme__basin=basin,
        pme__name="Heuille Mécanique",
        advance_requested=Decimal("15000.00"),
    )
    # Prepared with the services: a session this very day, Alstom proposed for the dossier.
    session = services.create_session(
        committee=committee,
        starts_at=timezone.now() + datetime.timedelta(minutes=30),
        place="CCI du Valenciennois, salle du conseil",
        by=manager,
    )
    services.add_agenda_item(
        session=session, dossier=dossier, proposed_corporations=[alstom], by=manager
    )
    session_path = f"/comites/seances/{session.pk}/"

    # The manager convenes the members from the session page.
    sign_in(page, live_server, manager)
    page.get_by_role("link", name="Comités").first.click()
    page.get_by_role("link", name=re.compile(r"à \d\d:\d\d")).first.click()
    page.wait_for_url(f"{live_server.url}{session_path}")
    page.get_by_role("button", name="Convoquer").click()
    page.get_by_text(said("La séance est convoquée")).wait_for()
    session.refresh_from_db()
    assert session.status == SessionStatus.CONVENED

    # Attendance: everyone in the room.
    page.get_by_role("link", name="Présences").click()
    for member in (chair, recused, first, second):
        page.get_by_label(f"Présence de {member.person}").select_option("present")
    page.get_by_role("button", name="Enregistrer les présences").click()
    page.get_by_text("Les présences sont enregistrées.").wait_for()
    page.get_by_role("button", name="Ouvrir la séance").click()
    page.get_by_text("La séance est ouverte.").wait_for()
    assert axe_violations(page) == []

    # The chair opens the vote and follows the tally.
    chair_page = other_browser(chair.person)
    chair_page.goto(f"{live_server.url}{session_path}")
    chair_page.get_by_role("button", name="Ouvrir le vote").click()
    chair_page.get_by_text(said("Le vote sur le point n° 1 est ouvert.")).wait_for()
    chair_page.get_by_text(said("0 pour, 0 contre, 0 abstention")).wait_for()

    # Two members vote, each in their own browser; Alstom's representative is recused.
    first_page = other_browser(first.person)
    first_page.goto(f"{live_server.url}{session_path}")
    vote_without_reload(first_page, "Pour")
    second_page = other_browser(second.person)
    second_page.goto(f"{live_server.url}{session_path}")
    vote_without_reload(second_page, "Contre")
    assert Vote.objects.filter(item__session=session).count() == 2
    # Members see the result only once the vote is closed.
    assert second_page.get_by_text(said("le résultat sera affiché à la clôture du vote")).count()

    recused_page = other_browser(recused.person)
    recused_page.goto(f"{live_server.url}{session_path}")
    recused_page.get_by_text(said("Vous êtes déporté(e) sur ce dossier")).wait_for()
    assert recused_page.get_by_role("button", name="Pour", exact=True).count() == 0

    # The chair's tally refreshes by itself; he votes, which breaks the tie, and closes.
    chair_page.get_by_text(said("1 pour, 1 contre, 0 abstention")).wait_for(timeout=10_000)
    vote_without_reload(chair_page, "Pour")
    chair_page.get_by_text(said("2 pour, 1 contre, 0 abstention")).wait_for(timeout=10_000)
    chair_page.get_by_role("button", name="Clore le vote").click()
    chair_page.get_by_text(said("est clos : 2 pour, 1 contre, 0 abstention")).wait_for()
    # The member's page learns the result by itself too.
    second_page.get_by_text(said("Résultat du vote : 2 pour, 1 contre")).wait_for(timeout=10_000)

    # The manager records the approval, then closes the session.
    page.goto(f"{live_server.url}{session_path}")
    page.get_by_role("link", name="Enregistrer la décision").click()
    page.get_by_label("Agréé").check()
    page.get_by_label("Alstom").check()
    page.get_by_label("Qualité", exact=True).check()
    # No advance here: granting one is the advances' business (fund, de minimis).
    field(page, "Avance remboursable accordée (€, agrément)").fill("0")
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.get_by_text("La décision est enregistrée.").wait_for()
    decision = Decision.objects.get(item__session=session)
    assert list(decision.corporations.all()) == [alstom]
    page.get_by_role("button", name="Clore la séance").click()
    page.get_by_text(said("La séance est close")).wait_for()

    # The chair signs the minutes.
    chair_page.goto(f"{live_server.url}/comites/seances/{session.pk}/proces-verbal/")
    chair_page.get_by_role("button", name="Signer le procès-verbal").click()
    chair_page.get_by_text(said("Le procès-verbal est signé")).wait_for()
    session.refresh_from_db()
    assert session.status == SessionStatus.SIGNED
    assert chair_page.get_by_role("button", name="Signer le procès-verbal").count() == 0

    # The minutes PDF, downloaded with the chair's session, says the tally and the recusal.
    response = chair_page.context.request.get(
        f"{live_server.url}/comites/seances/{session.pk}/proces-verbal.pdf"
    )
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    pdf = " ".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(response.body())).pages)
    pdf = re.sub(r"\s+", " ", pdf)
    assert "2 pour, 1 contre" in pdf
    assert str(recused.person) in pdf
    assert "déport" in pdf.lower()
    assert page.csp_violations == []
