"""The screens of corporations, missions and conventions: who sees what, what each form
does, and how it refuses (a French message at status 200, nothing saved)."""

import datetime
import html
import itertools
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from pghistory.models import Events

from alize.models import Role
from grandes_entreprises.models import (
    DayLog,
    MissionResult,
    MissionStatus,
    MissionTransition,
    SupportMission,
)
from pme.models import DossierState, Need
from tests.alize.factories import PeriodFactory
from tests.alize.test_referential import _PageStructure
from tests.conftest import make_user
from tests.grandes_entreprises.factories import (
    MISSION_START,
    ConventionPaymentFactory,
    CorporationContactFactory,
    CorporationFactory,
    DayLogFactory,
    ExpertFactory,
    MembershipFactory,
    MissionResultFactory,
    RevitalisationConventionFactory,
    SupportMissionFactory,
)
from tests.pme.factories import DossierFactory, HireFactory, PmeFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
TUESDAY = MISSION_START + datetime.timedelta(days=1)


def text(response) -> str:
    """The page's text, entities decoded and French spaces read as plain spaces."""
    content = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    return re.sub(r"[\s\u202f\u00a0]+", " ", content)


def url(name: str, *args) -> str:
    return reverse(f"grandes_entreprises:{name}", args=args)


def login(client, user):
    client.force_login(user)
    return client


# --- Who sees what ------------------------------------------------------------------------


def test_corporation_list_shows_what_each_gave(staff_client, corporation, mission, expert):
    DayLogFactory(mission=mission, expert=expert, date=MISSION_START)
    DayLogFactory(mission=mission, expert=expert, date=TUESDAY, half=True)
    HireFactory(dossier=mission.dossier, hire_date=datetime.date(2007, 9, 3))
    CorporationFactory(basin=corporation.basin, group_name="Vallourec", site_name="")
    CorporationFactory(group_name="Groupe d'un autre bassin", site_name="")

    page = text(staff_client.get(url("corporation_list")))

    assert "Alstom – Alstom Transport, Petite-Forêt" in page
    # 1.5 days at 600 € a day, one SME helped, one hire; the current rate.
    assert re.search(
        r"Alstom Transport, Petite-Forêt Construction ferroviaire 1,5 900 € 1 1 600 €", page
    )
    assert "Vallourec" in page
    assert "Groupe d'un autre bassin" not in page


def test_corporation_list_filters_by_period(staff_client, corporation, other_corporation):
    period = MembershipFactory(corporation=corporation).period
    response = staff_client.get(url("corporation_list"), {"period": period.pk})
    assert "Alstom" in text(response) and "Toyota" not in text(response)

    other_period = PeriodFactory()  # of another basin: not offered, dropped with a message
    page = text(staff_client.get(url("corporation_list"), {"period": other_period.pk}))
    assert "Certains critères de l'adresse ont été ignorés" in page
    assert "Alstom" in page and "Toyota" in page


def test_a_coordinator_sees_only_their_corporation(client, coordinator, corporation, mission):
    other = SupportMissionFactory(
        corporation=CorporationFactory(basin=corporation.basin, group_name="Toyota"),
        dossier__pme__name="Métallerie",
    )
    login(client, coordinator)

    assert "Toyota" not in text(client.get(url("corporation_list")))
    missions = text(client.get(url("mission_list")))
    assert "Heuille" in missions and "Métallerie" not in missions
    assert client.get(url("mission_detail", mission.pk)).status_code == 200
    # Another corporation of the same basin: its pages do not exist for them.
    assert client.get(url("mission_detail", other.pk)).status_code == 404
    assert client.get(url("corporation_detail", other.corporation.pk)).status_code == 404
    assert client.get(url("skills_statement_pdf", other.corporation.pk, 2007)).status_code == 404


@pytest.mark.parametrize("role", [Role.STEERING, Role.FUNDER, Role.COMMITTEE_MEMBER])
def test_other_roles_see_nothing_of_it_yet(client, basin, role, mission, corporation):
    login(client, make_user(role, basin))
    for address in (
        url("corporation_list"),
        url("mission_list"),
        url("corporation_detail", corporation.pk),
        url("mission_detail", mission.pk),
    ):
        assert client.get(address).status_code == 404, address


def test_operators_of_another_basin_get_a_404(client, other_basin, mission, corporation):
    login(client, make_user(Role.STAFF, other_basin))
    assert client.get(url("mission_detail", mission.pk)).status_code == 404
    assert client.get(url("corporation_detail", corporation.pk)).status_code == 404
    assert "Alstom" not in text(client.get(url("corporation_list")))


def test_corporation_page(staff_client, corporation, mission, expert):
    DayLogFactory(mission=mission, expert=expert, date=MISSION_START)
    MembershipFactory(corporation=corporation)
    CorporationContactFactory(corporation=corporation, name="Sylvie Contact")
    convention = RevitalisationConventionFactory(corporation=corporation, reference="REV-A")
    ConventionPaymentFactory(convention=convention, amount=Decimal("100000.00"))

    page = text(staff_client.get(url("corporation_detail", corporation.pk)))

    assert "Jean Dupuis" in page and "Responsable qualité" in page
    assert "2007 1 600 € 1 0 Bilan 2007" in page  # the year's figures and its statement
    assert "Mission n°" in page and "Heuille" in page
    assert "01/07/2005 600,00 €" in page  # the rate history
    assert "Sylvie Contact" in page  # contacts: operators only
    assert "REV-A" in page and "100 000,00 €" in page
    assert "Nouvel expert" in page


def test_a_coordinator_reads_neither_contacts_nor_conventions(
    client, coordinator, corporation, mission
):
    CorporationContactFactory(corporation=corporation, name="Sylvie Contact")
    convention = RevitalisationConventionFactory(corporation=corporation, reference="REV-A")
    login(client, coordinator)

    page = text(client.get(url("corporation_detail", corporation.pk)))

    assert "Jean Dupuis" in page
    assert "Sylvie Contact" not in page
    assert "REV-A" not in page
    assert "Nouvel expert" not in page
    assert client.get(convention.get_absolute_url()).status_code == 404


# --- The mission list ------------------------------------------------------------------------


@pytest.fixture
def missions(basin, corporation, other_corporation, expert):
    """Three missions, different in every way the list filters on."""
    toyota_expert = ExpertFactory(corporation=other_corporation)
    return {
        "heuille": SupportMissionFactory(
            corporation=corporation,
            dossier=DossierFactory(approved=True, pme__basin=basin, pme__name="Heuille"),
            experts=[expert],
            running=True,
        ),
        "metallerie": SupportMissionFactory(
            corporation=other_corporation,
            dossier=DossierFactory(approved=True, pme__basin=basin, pme__name="Métallerie"),
            experts=[toyota_expert],
            domain=Need.PRODUCTION,
            start_date=datetime.date(2008, 1, 7),
            end_date=datetime.date(2008, 3, 28),
        ),
        "imprimerie": SupportMissionFactory(
            corporation=corporation,
            dossier=DossierFactory(approved=True, pme__basin=basin, pme__name="Imprimerie"),
            experts=[expert],
            domain=Need.FINANCE,
            done=True,
            start_date=datetime.date(2006, 11, 6),
            end_date=datetime.date(2007, 1, 26),
        ),
    }


def listed(client, params) -> list[str]:
    response = client.get(url("mission_list"), params)
    assert response.status_code == 200
    found = re.findall(r'<a href="/pme/dossiers/\d+/">([^<]+)</a>', response.content.decode())
    return sorted(html.unescape(name) for name in found)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Heuille", "Imprimerie", "Métallerie"]),
        ({"q": "heuil"}, ["Heuille"]),
        ({"status": MissionStatus.DONE}, ["Imprimerie"]),
        ({"domain": Need.PRODUCTION}, ["Métallerie"]),
        ({"year": 2006}, ["Imprimerie"]),
        ({"year": 2007}, ["Heuille", "Imprimerie"]),
    ],
)
def test_mission_list_filters(staff_client, missions, params, expected):
    assert listed(staff_client, params) == expected


def test_mission_list_filters_by_corporation_and_dossier(staff_client, missions, corporation):
    assert listed(staff_client, {"corporation": corporation.pk}) == ["Heuille", "Imprimerie"]
    dossier = missions["metallerie"].dossier
    assert listed(staff_client, {"dossier": dossier.pk}) == ["Métallerie"]


def test_mission_list_drops_what_makes_no_sense(staff_client, missions):
    other = SupportMissionFactory()  # of another basin: not a choice
    response = staff_client.get(
        url("mission_list"),
        {"status": "inconnu", "dossier": other.dossier.pk, "year": "1850", "page": "abc"},
    )
    page = text(response)
    assert response.status_code == 200
    assert "Certains critères de l'adresse ont été ignorés" in page
    assert "3 missions" in page


def test_mission_list_pages(staff_client, corporation, expert, basin):
    for _ in range(26):
        SupportMissionFactory(corporation=corporation, experts=[expert])
    assert "Page 1 sur 2" in text(staff_client.get(url("mission_list")))
    assert "Page 2 sur 2" in text(staff_client.get(url("mission_list"), {"page": 99}))


# --- The mission page: its status, with htmx ------------------------------------------------


def test_a_coordinator_starts_their_mission_with_htmx(client, coordinator, corporation, expert):
    mission = SupportMissionFactory(corporation=corporation, experts=[expert])
    login(client, coordinator)
    page = client.get(mission.get_absolute_url()).content.decode()
    assert "Démarrer la mission" in page
    assert "Annuler la mission" not in page  # the operator's move
    assert "démarrez-la pour saisir les jours donnés" in page

    response = client.post(
        url("mission_transition", mission.pk),
        {"transition": "start", "expected_state": MissionStatus.PLANNED},
        **HTMX,
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith(("<section", "\n<section")) or 'id="etat-mission"' in body
    assert "La mission est désormais « En cours »." in body
    # The day log comes along, out of band, with its form now open.
    assert 'hx-swap-oob="outerHTML"' in body and "Enregistrer la journée" in body
    mission.refresh_from_db()
    assert mission.status == MissionStatus.RUNNING
    assert mission.transitions.get().by == coordinator


def test_a_refused_move_says_why(client, coordinator, mission):
    login(client, coordinator)
    before = Events.objects.count()

    cancel = client.post(
        url("mission_transition", mission.pk),
        {"transition": "cancel", "expected_state": MissionStatus.RUNNING},
        **HTMX,
    )
    stale = client.post(
        url("mission_transition", mission.pk),
        {"transition": "finish", "expected_state": MissionStatus.PLANNED},
        **HTMX,
    )
    unknown = client.post(
        url("mission_transition", mission.pk),
        {"transition": "explode", "expected_state": MissionStatus.RUNNING},
    )

    assert cancel.status_code == 200
    assert "Seul le personnel de l'opérateur peut « annuler la mission »." in text(cancel)
    assert "a changé d'état entre-temps" in text(stale)
    assert unknown.status_code == 302
    mission.refresh_from_db()
    assert mission.status == MissionStatus.RUNNING
    assert Events.objects.count() == before


# --- Logging days -----------------------------------------------------------------------------


def test_a_coordinator_logs_a_day_and_sees_the_totals(client, coordinator, mission, expert):
    DayLogFactory(mission=mission, expert=expert, date=MISSION_START)
    login(client, coordinator)

    response = client.post(
        url("day_log_create", mission.pk),
        {
            "journee-expert": expert.pk,
            "journee-date": TUESDAY.isoformat(),
            "journee-days": "0.5",
            "journee-comment": "Audit à blanc",
        },
        **HTMX,
    )

    body = text(response)
    assert response.status_code == 200
    assert "Temps enregistré : 0,5 jour donné par Jean Dupuis le 03/04/2007." in body
    assert "1,5 jour sur 5 jours prévus" in body
    assert "900,00 €" in body  # 1.5 days at 600 €
    log = DayLog.objects.get(date=TUESDAY)
    assert (log.days, log.logged_by, log.comment) == (Decimal("0.5"), coordinator, "Audit à blanc")


def test_without_htmx_a_logged_day_leads_back_to_the_mission(staff_client, mission, expert):
    response = staff_client.post(
        url("day_log_create", mission.pk),
        {"journee-expert": expert.pk, "journee-date": TUESDAY.isoformat(), "journee-days": "1"},
    )
    assert response.status_code == 302
    assert response.url == mission.get_absolute_url() + "#journees"
    assert DayLog.objects.filter(assignment__mission=mission).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"journee-date": "2007-05-02", "journee-days": "1"},
            "Le 02/05/2007 est en dehors de la mission (du 02/04/2007 au 13/04/2007).",
        ),
        ({"journee-date": "2007-04-03", "journee-days": "-1"}, "Sélectionnez un choix valide"),
        ({"journee-date": "2007-04-03", "journee-days": "2"}, "Sélectionnez un choix valide"),
        (
            {"journee-date": "2007-04-02", "journee-days": "0.5"},
            "Des jours sont déjà saisis pour cet expert à cette date sur cette mission.",
        ),
    ],
)
def test_a_refused_day_is_shown_and_nothing_is_saved(
    client, coordinator, mission, expert, data, message
):
    DayLogFactory(mission=mission, expert=expert, date=MISSION_START)
    login(client, coordinator)
    before = (DayLog.objects.count(), Events.objects.count())

    for headers in (HTMX, {}):
        response = client.post(
            url("day_log_create", mission.pk), {"journee-expert": expert.pk, **data}, **headers
        )
        assert response.status_code == 200
        assert message in text(response)
        assert "La journée n'a pas été enregistrée" in text(response) or headers == {}

    assert (DayLog.objects.count(), Events.objects.count()) == before


def test_an_expert_gives_at_most_a_day_per_date(staff_client, corporation, mission, expert):
    other = SupportMissionFactory(corporation=corporation, experts=[expert], running=True)
    DayLogFactory(mission=other, expert=expert, date=TUESDAY)

    response = staff_client.post(
        url("day_log_create", mission.pk),
        {"journee-expert": expert.pk, "journee-date": TUESDAY.isoformat(), "journee-days": "0.5"},
        **HTMX,
    )

    assert response.status_code == 200
    assert (
        "Jean Dupuis a déjà 1 jour saisi le 03/04/2007 : une journée compte au plus 1 jour par "
        "expert, toutes missions confondues." in text(response)
    )
    assert DayLog.objects.count() == 1


def test_more_days_than_the_missions_working_days_are_refused(staff_client, corporation, expert):
    saturday, monday = datetime.date(2007, 4, 7), datetime.date(2007, 4, 9)
    mission = SupportMissionFactory(
        corporation=corporation,
        experts=[expert],
        running=True,
        planned_days=Decimal("1"),
        start_date=saturday,
        end_date=monday,
    )
    DayLogFactory(mission=mission, expert=expert, date=monday)

    response = staff_client.post(
        url("day_log_create", mission.pk),
        {"journee-expert": expert.pk, "journee-date": saturday.isoformat(), "journee-days": "0.5"},
        **HTMX,
    )

    assert "Cette mission compte 1 jours ouvrés (du lundi au vendredi)" in text(response)
    assert DayLog.objects.count() == 1


def test_an_expert_of_another_mission_is_not_a_choice(client, coordinator, mission, corporation):
    stranger = ExpertFactory(corporation=corporation, name="Marc Ailleurs")
    login(client, coordinator)
    response = client.post(
        url("day_log_create", mission.pk),
        {"journee-expert": stranger.pk, "journee-date": TUESDAY.isoformat(), "journee-days": "1"},
        **HTMX,
    )
    assert "Sélectionnez un choix valide" in text(response)
    assert not DayLog.objects.exists()


def test_days_on_a_planned_mission_are_refused(staff_client, corporation, expert):
    mission = SupportMissionFactory(corporation=corporation, experts=[expert])
    response = staff_client.post(
        url("day_log_create", mission.pk),
        {"journee-expert": expert.pk, "journee-date": TUESDAY.isoformat(), "journee-days": "1"},
    )
    assert response.status_code == 200
    assert "Cette mission n'a pas encore démarré" in text(response)
    assert not DayLog.objects.exists()


def test_a_coordinator_of_another_corporation_cannot_log(
    client, other_coordinator, mission, expert
):
    login(client, other_coordinator)
    response = client.post(
        url("day_log_create", mission.pk),
        {"journee-expert": expert.pk, "journee-date": TUESDAY.isoformat(), "journee-days": "1"},
    )
    assert response.status_code == 404
    assert not DayLog.objects.exists()


# --- Organising a mission from the dossier page -----------------------------------------------


def test_the_dossier_page_offers_to_organise_a_mission(staff_client, dossier, mission):
    page = staff_client.get(dossier.get_absolute_url()).content.decode()
    assert "Missions d'appui des grandes entreprises" in page
    assert url("mission_create", dossier.pk) in page
    assert mission.get_absolute_url() in page


def test_the_dossier_page_hides_missions_from_the_steering_committee(client, basin, dossier):
    login(client, make_user(Role.STEERING, basin))
    page = client.get(dossier.get_absolute_url()).content.decode()
    assert "Missions d'appui des grandes entreprises" not in page


def mission_data(corporation, experts, **overrides):
    data = {
        "corporation": corporation.pk,
        "experts": [expert.pk for expert in experts],
        "domain": Need.QUALITY,
        "objective": "Préparer la certification ISO 9001.",
        "planned_days": "4,5",
        "start_date": "2007-04-02",
        "end_date": "2007-04-13",
    }
    data.update(overrides)
    return data


def test_staff_organise_a_mission(staff_client, staff, dossier, corporation, expert):
    response = staff_client.post(
        url("mission_create", dossier.pk), mission_data(corporation, [expert])
    )
    mission = SupportMission.objects.get()
    assert response.status_code == 302
    assert response.url == mission.get_absolute_url()
    assert (mission.planned_days, mission.created_by) == (Decimal("4.5"), staff)
    assert list(mission.experts.all()) == [expert]


def test_the_experts_offered_follow_the_corporation(
    staff_client, dossier, corporation, other_corporation, expert
):
    ExpertFactory(corporation=other_corporation, name="Hélène Toyota")
    everyone = text(staff_client.get(url("mission_create", dossier.pk)))
    assert "Jean Dupuis" in everyone and "Hélène Toyota" in everyone
    # What htmx asks when the corporation changes.
    chosen = text(
        staff_client.get(url("mission_create", dossier.pk), {"corporation": corporation.pk})
    )
    assert "Jean Dupuis" in chosen and "Hélène Toyota" not in chosen


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_date": "2007-03-30"}, "La fin de la mission ne peut précéder son début."),
        ({"planned_days": "-2"}, "Le nombre de jours doit être positif."),
        ({"planned_days": "11"}, "peuvent donner au plus 10 jours"),
        ({"start_date": "2007-03-01", "end_date": "2007-03-30"}, "commence après l'agrément"),
    ],
)
def test_a_refused_mission_is_shown_and_nothing_is_saved(
    staff_client, dossier, corporation, expert, overrides, message
):
    before = Events.objects.count()
    response = staff_client.post(
        url("mission_create", dossier.pk), mission_data(corporation, [expert], **overrides)
    )
    assert response.status_code == 200
    assert message in text(response)
    assert not SupportMission.objects.exists()
    assert Events.objects.count() == before


def test_a_corporation_without_experts_is_said(staff_client, dossier, corporation):
    response = staff_client.post(url("mission_create", dossier.pk), mission_data(corporation, []))
    assert response.status_code == 200
    assert "Aucun expert disponible chez Alstom – Alstom Transport, Petite-Forêt" in text(response)
    assert not SupportMission.objects.exists()


def test_an_expert_of_another_corporation_is_refused(
    staff_client, dossier, corporation, other_corporation, expert
):
    stranger = ExpertFactory(corporation=other_corporation)
    response = staff_client.post(
        url("mission_create", dossier.pk), mission_data(corporation, [stranger])
    )
    # The experts offered are the chosen corporation's: a stranger is not a choice.
    assert "Sélectionnez un choix valide" in text(response)
    assert not SupportMission.objects.exists()


def test_no_mission_on_a_dossier_not_approved(staff_client, basin, corporation, expert):
    dossier = DossierFactory(submitted=True, pme=PmeFactory(basin=basin))
    page = text(staff_client.get(url("mission_create", dossier.pk)))
    assert "ce dossier est « Soumis au comité »" in page

    response = staff_client.post(
        url("mission_create", dossier.pk), mission_data(corporation, [expert])
    )
    assert response.status_code == 200
    assert "Une mission d'appui ne s'organise que sur un dossier agréé" in text(response)
    assert not SupportMission.objects.exists()


def test_a_coordinator_does_not_organise_missions(
    client, coordinator, dossier, corporation, expert
):
    login(client, coordinator)
    response = client.post(url("mission_create", dossier.pk), mission_data(corporation, [expert]))
    assert response.status_code == 404
    assert not SupportMission.objects.exists()


# --- Results and outcome ----------------------------------------------------------------------


def test_a_coordinator_records_a_certification(client, coordinator, mission):
    login(client, coordinator)
    missing_date = client.post(
        url("result_create", mission.pk), {"kind": "certification", "title": "ISO 9001"}
    )
    assert missing_date.status_code == 200
    assert "Une certification porte sa date d'obtention." in text(missing_date)
    assert not MissionResult.objects.exists()

    response = client.post(
        url("result_create", mission.pk),
        {"kind": "certification", "title": "ISO 9001", "achieved_on": "2007-04-12"},
    )
    assert response.status_code == 302
    page = text(client.get(mission.get_absolute_url()))
    assert "Certification obtenue : ISO 9001 , le 12/04/2007" in page


def test_no_result_on_a_planned_mission(staff_client, corporation, expert):
    mission = SupportMissionFactory(corporation=corporation, experts=[expert])
    response = staff_client.post(
        url("result_create", mission.pk), {"kind": "autre", "title": "Nouveau logiciel"}
    )
    assert response.status_code == 200
    assert "Une mission « Prévue » n'a pas de résultat à enregistrer." in text(response)
    assert not MissionResult.objects.exists()


def test_staff_record_the_outcome_and_satisfaction(staff_client, mission, client, coordinator):
    response = staff_client.post(
        url("outcome_update", mission.pk),
        {"outcome": "Certification obtenue.", "sme_satisfaction": "5"},
    )
    assert response.status_code == 302
    mission.refresh_from_db()
    assert (mission.outcome, mission.sme_satisfaction) == ("Certification obtenue.", 5)

    login(client, coordinator)
    assert client.get(url("outcome_update", mission.pk)).status_code == 404
    assert "5 sur 5" in text(client.get(mission.get_absolute_url()))


def test_staff_add_an_expert_to_a_mission(staff_client, mission, corporation):
    newcomer = ExpertFactory(corporation=corporation, name="Nadia Méthodes")
    response = staff_client.post(url("mission_expert_create", mission.pk), {"expert": newcomer.pk})
    assert response.status_code == 302
    assert set(mission.experts.all()) == {newcomer, *mission.experts.exclude(pk=newcomer.pk)}
    assert "Nadia Méthodes" in text(staff_client.get(mission.get_absolute_url()))


# --- Home and page structure ----------------------------------------------------------------


def test_the_coordinators_home_lists_their_missions(client, coordinator, mission):
    login(client, coordinator)
    page = text(client.get(reverse("home")))
    assert "Les missions de votre entreprise" in page
    assert "Vous coordonnez Alstom – Alstom Transport, Petite-Forêt" in page
    assert f"Mission n° {mission.pk} – Qualité — Heuille (en cours)" in page


def all_pages(corporation, mission, dossier):
    convention = RevitalisationConventionFactory(corporation=corporation)
    MissionResultFactory(mission=mission)
    expert = mission.experts.first()
    yield url("corporation_list")
    yield url("corporation_list") + "?period=abc"
    yield url("corporation_detail", corporation.pk)
    yield url("mission_list")
    yield url("mission_list") + "?status=xyz"
    yield url("mission_detail", mission.pk)
    yield url("mission_create", dossier.pk)
    yield url("day_log_create", mission.pk)
    yield url("result_create", mission.pk)
    yield url("outcome_update", mission.pk)
    yield url("mission_expert_create", mission.pk)
    yield url("expert_create", corporation.pk)
    yield url("expert_update", expert.pk)
    yield url("daily_rate_create", corporation.pk)
    yield url("convention_create", corporation.pk)
    yield url("convention_detail", convention.pk)
    yield url("payment_create", convention.pk)


def test_pages_have_ordered_headings_scoped_headers_and_labelled_fields(
    manager_client, corporation, mission, dossier
):
    for address in all_pages(corporation, mission, dossier):
        response = manager_client.get(address)
        assert response.status_code == 200, address
        page = _PageStructure()
        page.feed(response.content.decode())
        assert page.headings[:1] == [1] and page.headings.count(1) == 1, address
        for before, after in itertools.pairwise(page.headings):
            assert after <= before + 1, f"{address} : titre h{after} après h{before}"
        assert page.th_without_scope == 0, address
        for attrs in page.fields:
            labelled = attrs.get("id") in page.labels or attrs.get("aria-label")
            assert labelled, f"{address} : champ sans étiquette {attrs}"


def test_transitions_are_logged_by_the_service(staff_client, mission):
    staff_client.post(
        url("mission_transition", mission.pk),
        {"transition": "finish", "expected_state": MissionStatus.RUNNING, "comment": "Fini"},
    )
    transition = MissionTransition.objects.get()
    assert (transition.to_state, transition.comment) == (MissionStatus.DONE, "Fini")
    assert mission.dossier.state == DossierState.APPROVED
