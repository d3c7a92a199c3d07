"""A new operator starts on Alizé from an empty database (migrations only, no demo), in
Chromium, with no admin page and no shell: the administrator opens the basin and invites
its manager; the manager sets the basin up (advance terms and reference rate, an
intercommunality and its communes from the official referential, a programme period, a
funder and its contribution paid into the fund, a corporation with an expert, the approval
committee with its chair and members, a corporation's committee representative) and
invites a colleague; the colleague registers an SME and its dossier, records its de
minimis declaration and submits it; the committee meets, votes and approves an advance;
the chair signs the minutes and the manager adds an amendment; the colleague signs the
contract, pays the advance out and records the first repayment; the dashboard counts that
SME, that advance and that repayment. Every page passed through is checked with axe-core,
and no page of a non-administrator links to the Django admin."""

import datetime
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from alize.models import Basin, Role, User
from avances.models import Advance, Payment
from comites.models import Committee, Decision, Session
from comites.workflow import SessionStatus
from pme.models import Dossier, DossierState
from tests.browser.conftest import axe_violations
from tests.browser.test_committee_session import said, vote_without_reload
from tests.browser.test_dossier import PDF, field
from tests.conftest import make_user
from tests.pme.factories import make_siret

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Un-mot-de-passe-solide-2026"
PARIS = ZoneInfo("Europe/Paris")


class Visitor:
    """One person in a browser of their own; every page they reach is checked."""

    def __init__(self, browser, url, mailoutbox):
        self.context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
        self.page = self.context.new_page()
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.url = url
        self.mailoutbox = mailoutbox
        self.admin = False

    def sign_in(self, email, password):
        page = self.page
        page.goto(f"{self.url}/compte/connexion/")
        page.get_by_label("Adresse électronique").fill(email)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(f"{self.url}/")
        self.check()
        return self

    def accept_invitation(self, email):
        """Follow the emailed link, choose a password, sign in."""
        links = [
            re.search(r"https?://\S+/invitation/\S+/", message.body)
            for message in self.mailoutbox
            if email in message.to
        ]
        link = next(found.group(0) for found in reversed(links) if found)
        self.page.goto(link)
        self.check()
        self.page.locator("#id_new_password1").fill(PASSWORD)
        self.page.locator("#id_new_password2").fill(PASSWORD)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Enregistrer mon mot de passe").click()
        return self.sign_in(email, PASSWORD)

    def go(self, path):
        self.page.goto(f"{self.url}{path}")
        self.check()
        return self.page

    def submit(self, button, then, *, exact=True):
        """Press a form's button and wait for the page that says it is done."""
        self.page.get_by_role("button", name=button, exact=exact).first.click()
        self.page.get_by_text(said(then)).first.wait_for()
        self.check()
        return self.page

    def check(self):
        page = self.page
        page.wait_for_load_state("load")
        violations = axe_violations(page)
        assert violations == [], f"{page.url}: " + "\n".join(violations)
        if not self.admin:
            assert page.locator('a[href^="/admin"]').count() == 0, page.url

    def close(self):
        self.context.close()


@pytest.fixture
def visitors(browser, live_server, mailoutbox):
    opened = []

    def open_visitor():
        visitor = Visitor(browser, live_server.url, mailoutbox)
        opened.append(visitor)
        return visitor

    yield open_visitor
    for visitor in opened:
        visitor.close()


def invite(visitor, *, email, first, last, role, basin, organisation="", link=None):
    page = visitor.go("/referentiel/utilisateurs/")
    page.get_by_role("link", name="Inviter un utilisateur").click()
    page.locator("#id_email").wait_for()
    visitor.check()
    page.locator("#id_email").fill(email)
    page.locator("#id_first_name").fill(first)
    page.locator("#id_last_name").fill(last)
    if organisation:
        page.locator("#id_organisation").fill(organisation)
    page.locator("#id_role").select_option(role)
    page.locator("#id_basin").select_option(str(basin.pk))
    if link:
        name, value = link
        page.locator(f"#id_{name}").select_option(str(value))
    visitor.submit("Envoyer l'invitation", f"Invitation envoyée à {email}")


def test_a_new_operator_runs_its_programme_from_an_empty_database(
    live_server, visitors, mailoutbox, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert not Basin.objects.exists() and not Dossier.objects.exists()
    today = timezone.localdate()
    year = today.year

    # --- The administrator opens the basin and invites its manager.
    admin = visitors()
    admin.admin = True
    administrator = make_user(Role.ADMIN)
    admin.sign_in(administrator.email, "motdepasse-de-test")
    page = admin.go("/referentiel/bassins/")
    page.get_by_role("link", name="Ajouter").click()
    page.locator("#id_name").wait_for()
    admin.check()
    page.locator("#id_name").fill("Valenciennois")
    page.locator("#id_slug").fill("valenciennois")
    page.locator("#id_operator_name").fill("CCI Grand Hainaut")
    page.locator("#id_departement").fill("59")
    page.locator("#id_cap_amount").fill("25 000")
    page.locator("#id_cap_valid_from").fill(f"{year - 1}-01-01")
    admin.submit("Créer le bassin", "Le bassin est créé.")
    basin = Basin.objects.get(slug="valenciennois")
    invite(
        admin,
        email="responsable@cci-hainaut.test",
        first="Marc",
        last="Lefebvre",
        role=Role.MANAGER,
        basin=basin,
    )

    # --- The manager sets the basin up.
    manager = visitors().accept_invitation("responsable@cci-hainaut.test")
    page = manager.go(f"/avances/bassins/{basin.pk}/conditions/")
    page.locator("#id_taux-valid_from").fill(f"{year - 1}-01-01")
    page.locator("#id_taux-annual_rate_percent").fill("3,91")
    manager.submit("Enregistrer le taux", "Le taux de référence est enregistré.")

    page = manager.go("/referentiel/intercommunalites/referentiel-officiel/")
    page.get_by_label("Nom ou SIREN").fill("Valenciennes Métropole")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("button", name="Ajouter CA Valenciennes Métropole").wait_for()
    manager.check()
    page.get_by_role("button", name="Ajouter CA Valenciennes Métropole").click()
    page.get_by_text(re.compile(r"est ajoutée avec ses\s+35\s+communes")).first.wait_for(
        timeout=120_000
    )

    page = manager.go("/referentiel/periodes/nouvelle/")
    page.locator("#id_basin").select_option(str(basin.pk))
    page.locator("#id_name").fill(f"Programme {year}-{year + 2}")
    page.locator("#id_start_date").fill(f"{year}-01-01")
    page.locator("#id_end_date").fill(f"{year + 2}-12-31")
    page.locator("#id_target_jobs").fill("300")
    manager.submit("Enregistrer", "Enregistré.")

    page = manager.go("/referentiel/financeurs/nouveau/")
    page.locator("#id_name").fill("Région Hauts-de-France")
    page.locator("#id_kind").select_option("local_authority")
    page.locator("#id_basin").select_option(str(basin.pk))
    manager.submit("Enregistrer", "Enregistré.")
    page.get_by_role("link", name="Nouvelle contribution").click()
    page.locator("#id_committed").wait_for()
    manager.check()
    page.locator("#id_period").select_option(index=1)
    page.locator("#id_committed").fill("100 000")
    page.locator("#id_earmarked_for_advances").fill("60 000")
    manager.submit("Enregistrer", "Enregistré.")
    page = manager.go(f"/avances/fonds/{basin.pk}/")
    page.get_by_role("link", name="Enregistrer une entrée au fonds").click()
    page.locator("#id_entree-amount").wait_for()
    manager.check()
    page.locator("#id_entree-amount").fill("60 000")
    manager.submit("Enregistrer l'entrée", "entrée au fonds est enregistrée")

    page = manager.go("/grandes-entreprises/entreprises/nouvelle/")
    page.locator("#id_group_name").fill("Alstom")
    page.locator("#id_siret").fill("542 107 651 13030")
    page.locator("#id_sector").fill("Ferroviaire")
    page.locator("#id_headcount").fill("80000")
    page.locator("#id_basin").select_option(str(basin.pk))
    manager.submit("Enregistrer", "Alstom")
    corporation_path = page.url.removeprefix(live_server.url)
    page.get_by_role("link", name="Nouvel expert").click()
    page.locator("#id_name").wait_for()
    manager.check()
    page.locator("#id_name").fill("Sophie Martin")
    page.locator("#id_job_title").fill("Responsable qualité")
    page.get_by_label("Qualité", exact=True).check()
    manager.submit("Enregistrer", "Sophie Martin")

    page = manager.go("/comites/comites/nouveau/")
    page.locator("#id_kind").select_option("agrement")
    page.locator("#id_name").fill("Comité d'agrément du Valenciennois")
    page.get_by_role("button", name="Créer le comité").click()
    page.get_by_role("link", name="Nommer un membre").wait_for()
    manager.check()
    committee_pk = Committee.objects.get(basin=basin).pk
    committee_path = f"/comites/comites/{committee_pk}/"
    members = [
        ("presidente@saint-gobain.test", "Claire", "Delattre", "Saint-Gobain"),
        ("membre@toyota.test", "Paul", "Durand", "Toyota"),
        ("membre@alstom.test", "Anne", "Roche", "Alstom"),
    ]
    for email, first, last, organisation in members:
        invite(
            manager,
            email=email,
            first=first,
            last=last,
            role=Role.COMMITTEE_MEMBER,
            basin=basin,
            organisation=organisation,
            link=("committee", committee_pk),
        )
    chair_user = User.objects.get(email="presidente@saint-gobain.test")
    page = manager.go(f"{committee_path}presidence/")
    page.locator("#id_person").select_option(str(chair_user.pk))
    page.locator("#id_organisation").fill("Saint-Gobain")
    page.locator("#id_start_date").fill(today.isoformat())
    manager.submit("Changer la présidence", "Claire Delattre")
    page = manager.go(f"{corporation_path}representants/nommer/")
    page.locator("#id_user").select_option(str(User.objects.get(email="membre@alstom.test").pk))
    manager.submit("Nommer", "Anne Roche")

    invite(
        manager,
        email="charge.mission@cci-hainaut.test",
        first="Julie",
        last="Moreau",
        role=Role.STAFF,
        basin=basin,
    )

    # --- The colleague registers an SME and its dossier, its de minimis declaration, and
    # submits the dossier to the committee.
    staff = visitors().accept_invitation("charge.mission@cci-hainaut.test")
    page = staff.go("/pme/entreprises/nouvelle/")
    siret = make_siret(2026)
    field(page, "SIRET").fill(siret)
    field(page, "Raison sociale").fill("Heuille Mécanique de précision")
    field(page, "Forme juridique").select_option(label="SAS")
    field(page, "Code NAF/APE").fill("25.62B")
    field(page, "Effectif salarié").fill("34")
    field(page, "Adresse").fill("12 rue de l'Industrie")
    field(page, "Commune").select_option(label="Valenciennes (59300)")
    field(page, "Résumé du projet").fill("Obtenir la certification ISO 9001.")
    page.get_by_label("Qualité", exact=True).check()
    field(page, "Emplois prévus").fill("7")
    field(page, "Avance demandée (€)").fill("20000")
    field(page, "Orientée par").select_option(label="Démarche spontanée")
    page.get_by_role("button", name="Enregistrer l'entreprise et ouvrir le dossier").click()
    page.wait_for_url(re.compile(r"/pme/dossiers/\d+/$"))
    staff.check()
    dossier = Dossier.objects.get(pme__siret=siret)
    dossier_path = page.url.removeprefix(live_server.url)
    staff.submit("Commencer l'instruction", "Soumettre au comité d'agrément")
    staff.submit("Soumettre au comité d'agrément", "Déclaration de minimis : à recueillir")

    page = staff.go(f"/avances/entreprises/{dossier.pme_id}/de-minimis/")
    page.locator("#id_declaration-declared_on").fill(today.isoformat())
    page.locator("#id_declaration-signatory").fill("Jean Heuille, président")
    page.locator("#id_declaration-signed_declaration").set_input_files(
        {"name": "de-minimis.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    staff.submit(
        "Enregistrer la déclaration", "La déclaration des aides de minimis est enregistrée."
    )
    page = staff.go(dossier_path)
    assert "Déclaration de minimis : à recueillir" not in page.locator("main").inner_text()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED

    # --- The manager creates the session, puts the dossier on its agenda, convenes it,
    # takes the attendance and opens it.
    starts = (timezone.now() + datetime.timedelta(minutes=5)).astimezone(PARIS)
    page = manager.go(f"{committee_path}seances/nouvelle/")
    page.locator("#id_starts_at").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_place").fill("CCI, salle du conseil")
    manager.submit("Créer la séance", "Ordre du jour")
    session = Session.objects.get(committee_id=committee_pk)
    session_path = f"/comites/seances/{session.pk}/"
    page = manager.go(f"{session_path}ordre-du-jour/ajouter/")
    page.locator("#id_dossier").select_option(str(dossier.pk))
    page.get_by_label("Alstom").check()
    page.get_by_role("button", name="Inscrire à l'ordre du jour").click()
    page.get_by_role("heading", name=re.compile("Point n° 1")).wait_for()
    manager.check()
    manager.submit("Convoquer", "La séance est convoquée", exact=False)
    page.get_by_role("link", name="Présences").click()
    for _email, first, last, _organisation in members:
        page.get_by_label(f"Présence de {first} {last}").select_option("present")
    manager.submit("Enregistrer les présences", "Les présences sont enregistrées.")
    manager.submit("Ouvrir la séance", "La séance est ouverte.")

    # --- The chair opens the vote; the members vote from their own browsers; the chair
    # votes and closes the vote.
    chair = visitors().accept_invitation("presidente@saint-gobain.test")
    chair.go(session_path)
    chair.submit("Ouvrir le vote", "Le vote sur le point n° 1 est ouvert.", exact=False)
    member = visitors().accept_invitation("membre@toyota.test")
    member.go(session_path)
    vote_without_reload(member.page, "Pour")
    member.check()
    # Alstom is proposed to support the dossier: its representative does not vote.
    recused = visitors().accept_invitation("membre@alstom.test")
    recused.go(session_path).get_by_text(said("Vous êtes déporté(e) sur ce dossier")).wait_for()
    vote_without_reload(chair.page, "Pour")
    chair.page.get_by_text(said("2 pour, 0 contre, 0 abstention")).wait_for(timeout=20_000)
    chair.submit("Clore le vote", "est clos : 2 pour, 0 contre, 0 abstention", exact=False)

    # --- The manager records the approval with an advance and closes the session.
    page = manager.go(session_path)
    page.get_by_role("link", name="Enregistrer la décision").click()
    page.get_by_label("Agréé").wait_for()
    manager.check()
    page.get_by_label("Agréé").check()
    page.get_by_label("Alstom").check()
    page.get_by_label("Qualité", exact=True).check()
    field(page, "Avance remboursable accordée (€, agrément)").fill("20 000")
    manager.submit("Enregistrer la décision", "La décision est enregistrée.")
    decision = Decision.objects.get(item__session=session)
    assert decision.advance_granted == Decimal("20000.00")
    manager.submit("Clore la séance", "La séance est close")

    # --- The chair signs the minutes; the manager adds an amendment.
    page = chair.go(f"{session_path}proces-verbal/")
    chair.submit("Signer le procès-verbal", "Le procès-verbal est signé")
    session.refresh_from_db()
    assert session.status == SessionStatus.SIGNED
    page = manager.go(f"{session_path}proces-verbal/")
    field(page, "Correction").fill("Lire « Heuille Mécanique de précision SAS ».")
    manager.submit("Ajouter l'avenant", "Heuille Mécanique de précision SAS")

    # --- The colleague signs the contract, pays the advance out, records a repayment.
    advance = Advance.objects.get(dossier=dossier)
    page = staff.go(f"/avances/{advance.pk}/")
    page.locator("#id_contrat-contract_signed_on").fill(today.isoformat())
    staff.submit("Enregistrer la signature", "contrat")
    page.locator("#id_versement-disbursed_on").fill(today.isoformat())
    staff.submit(
        "Enregistrer le versement", "Le versement est enregistré ; l'échéancier est à jour."
    )
    page.locator("#id_paiement-paid_on").fill(today.isoformat())
    page.locator("#id_paiement-amount").fill("500,00")
    staff.submit(
        "Enregistrer le paiement", "Le remboursement est enregistré et imputé sur les échéances."
    )
    assert Payment.objects.get(advance=advance).amount == Decimal("500.00")

    # --- The dashboard counts that SME, that advance and that repayment.
    page = manager.go("/pilotage/")

    def figure(key):
        return page.locator(f'[data-indicator="{key}"] .figure-value').inner_text().strip()

    assert figure("smes_supported") == "1"
    assert figure("advances_granted_count") == "1"
    assert figure("advances_repaid").startswith("500")
