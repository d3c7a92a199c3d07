import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, ProgrammingError, transaction
from django.utils import timezone

from alize.models import Role
from grandes_entreprises.models import (
    DayLog,
    MissionExpert,
    MissionResult,
    MissionStatus,
    MissionTransition,
    ResultKind,
    SupportMission,
)
from grandes_entreprises.services import (
    assign_expert,
    change_mission_status,
    create_mission,
    log_days,
    record_outcome,
    record_result,
)
from pme.models import DossierState, Need
from tests.conftest import make_user
from tests.grandes_entreprises.factories import (
    MISSION_END,
    MISSION_START,
    DayLogFactory,
    ExpertFactory,
    SupportMissionFactory,
)
from tests.pme.factories import DossierFactory

pytestmark = pytest.mark.django_db

MONDAY = MISSION_START
TUESDAY = MISSION_START + datetime.timedelta(days=1)
SATURDAY = MISSION_START + datetime.timedelta(days=5)


def new_mission(by, dossier, corporation, experts, **overrides):
    data = {
        "by": by,
        "dossier": dossier,
        "corporation": corporation,
        "experts": experts,
        "domain": Need.QUALITY,
        "objective": "Accompagner la certification ISO 9001.",
        "planned_days": Decimal("5"),
        "start_date": MISSION_START,
        "end_date": MISSION_END,
    }
    data.update(overrides)
    return create_mission(**data)


def nothing_saved():
    return not SupportMission.objects.exists() and not MissionExpert.objects.exists()


# --- Creating a mission --------------------------------------------------------------------


def test_create_mission(staff, dossier, corporation, expert):
    second = ExpertFactory(corporation=corporation)
    mission = new_mission(
        staff, dossier, corporation, [expert, second], planned_days=Decimal("7.5")
    )
    mission.refresh_from_db()
    assert mission.status == MissionStatus.PLANNED
    assert mission.planned_days == Decimal("7.5")
    assert set(mission.experts.all()) == {expert, second}
    assert mission.created_by == staff
    assert mission.working_days == 10
    assert dossier.support_missions.get() == mission


def test_mission_on_a_dossier_under_support(staff, basin, corporation, expert):
    dossier = DossierFactory(under_support=True, pme__basin=basin)
    assert new_mission(staff, dossier, corporation, [expert]).pk


@pytest.mark.parametrize(
    "trait", ["under_instruction", "submitted", "deferred", "rejected", "closed", "withdrawn"]
)
def test_mission_on_a_dossier_not_approved_refused(staff, basin, corporation, expert, trait):
    dossier = DossierFactory(pme__basin=basin, **{trait: True})
    with pytest.raises(ValidationError) as error:
        new_mission(staff, dossier, corporation, [expert])
    message = error.value.message_dict["dossier"][0]
    assert message.startswith(
        "Une mission d'appui ne s'organise que sur un dossier agréé ou en accompagnement"
    )
    assert f"« {DossierState(dossier.state).label} »" in message
    assert nothing_saved()


def test_mission_on_an_oriented_dossier_refused(staff, basin, corporation, expert):
    with pytest.raises(ValidationError, match="« Orienté »"):
        new_mission(staff, DossierFactory(pme__basin=basin), corporation, [expert])
    assert nothing_saved()


def test_end_before_start_refused(staff, dossier, corporation, expert):
    with pytest.raises(ValidationError) as error:
        new_mission(
            staff,
            dossier,
            corporation,
            [expert],
            start_date=datetime.date(2007, 4, 13),
            end_date=datetime.date(2007, 4, 12),
        )
    assert error.value.message_dict["end_date"] == [
        "La fin de la mission ne peut précéder son début."
    ]
    assert nothing_saved()


def test_one_day_mission(staff, dossier, corporation, expert):
    mission = new_mission(
        staff, dossier, corporation, [expert], planned_days=Decimal("1"), end_date=MISSION_START
    )
    assert mission.working_days == 1


@pytest.mark.parametrize(
    ("planned", "message"),
    [
        ("0", "Le nombre de jours doit être positif."),
        ("-2", "Le nombre de jours doit être positif."),
        ("1.3", "Les jours se comptent par demi-journées : 0,5, 1, 1,5…"),
    ],
)
def test_bad_planned_days(staff, dossier, corporation, expert, planned, message):
    with pytest.raises(ValidationError) as error:
        new_mission(staff, dossier, corporation, [expert], planned_days=Decimal(planned))
    assert message in error.value.message_dict["planned_days"]
    assert nothing_saved()


def test_planned_days_beyond_the_working_days_refused(staff, dossier, corporation, expert):
    with pytest.raises(ValidationError) as error:
        new_mission(staff, dossier, corporation, [expert], planned_days=Decimal("10.5"))
    assert error.value.message_dict["planned_days"] == [
        "Du 02/04/2007 au 13/04/2007, 1 expert(s) peuvent donner au plus 10 jours "
        "(jours ouvrés, du lundi au vendredi)."
    ]
    # Two experts can give twice as much.
    second = ExpertFactory(corporation=corporation)
    assert new_mission(staff, dossier, corporation, [expert, second], planned_days=Decimal("20")).pk


def test_mission_before_the_committee_decision_refused(staff, dossier, corporation, expert):
    with pytest.raises(ValidationError) as error:
        new_mission(staff, dossier, corporation, [expert], start_date=datetime.date(2007, 3, 14))
    assert error.value.message_dict["start_date"] == [
        "Une mission d'appui commence après l'agrément du dossier (le 15/03/2007)."
    ]


def test_experts_of_another_corporation_refused(staff, dossier, corporation, other_corporation):
    stranger = ExpertFactory(corporation=other_corporation)
    with pytest.raises(ValidationError) as error:
        new_mission(staff, dossier, corporation, [stranger])
    assert error.value.message_dict["experts"] == [
        "Les experts d'une mission sont ceux de l'entreprise qui la mène."
    ]
    assert nothing_saved()


def test_no_expert_or_inactive_expert_refused(staff, dossier, corporation):
    with pytest.raises(ValidationError, match="au moins un expert"):
        new_mission(staff, dossier, corporation, [])
    with pytest.raises(ValidationError, match="indisponible"):
        new_mission(
            staff, dossier, corporation, [ExpertFactory(corporation=corporation, inactive=True)]
        )
    assert nothing_saved()


def test_sme_of_another_basin_refused(staff, other_basin, corporation, expert):
    dossier = DossierFactory(approved=True, pme__basin=other_basin)
    with pytest.raises(ValidationError, match="n'est pas du bassin"):
        new_mission(staff, dossier, corporation, [expert])
    assert nothing_saved()


def test_only_the_basins_operators_create_missions(
    dossier, corporation, expert, coordinator, other_basin
):
    for user in (coordinator, make_user(Role.STAFF, other_basin), make_user(Role.ADMIN)):
        with pytest.raises(PermissionDenied, match="Seul le personnel de l'opérateur du bassin"):
            new_mission(user, dossier, corporation, [expert])
    assert nothing_saved()


def test_database_refuses_an_expert_of_another_corporation(mission, other_corporation):
    stranger = ExpertFactory(corporation=other_corporation)
    with pytest.raises(IntegrityError, match="L'expert n'appartient pas"), transaction.atomic():
        MissionExpert.objects.create(mission=mission, expert=stranger)


# --- Logging days ------------------------------------------------------------------------


def log(mission, expert, by, day=MONDAY, days="1"):
    return log_days(mission=mission, expert=expert, date=day, days=Decimal(days), by=by)


def test_staff_logs_days(staff, mission, expert):
    entry = log(mission, expert, staff)
    entry.refresh_from_db()
    assert entry.days == Decimal("1.0")
    assert entry.assignment.expert == expert
    assert entry.logged_by == staff


def test_coordinator_logs_days_of_their_corporation(coordinator, mission, expert):
    log(mission, expert, coordinator, days="0.5")
    log(mission, expert, coordinator, day=TUESDAY)
    assert DayLog.objects.filter(assignment__mission=mission).count() == 2


def test_coordinator_of_another_corporation_refused(other_coordinator, mission, expert):
    with pytest.raises(PermissionDenied) as error:
        log(mission, expert, other_coordinator)
    assert str(error.value) == (
        "Vous ne coordonnez pas l'entreprise de cette mission : vous ne pouvez pas y saisir "
        "de jours."
    )
    assert not DayLog.objects.exists()


def test_coordinator_role_alone_is_not_enough(mission, expert, corporation):
    # Holding the role without being named on the corporation gives nothing.
    with pytest.raises(PermissionDenied):
        log(mission, expert, make_user(Role.COORDINATOR))
    # Being named without holding the role neither.
    named = make_user(None)
    corporation.coordinators.add(named)
    with pytest.raises(PermissionDenied):
        log(mission, expert, named)
    assert not DayLog.objects.exists()


@pytest.mark.parametrize(
    "role", [Role.STEERING, Role.FUNDER, Role.COMMITTEE_MEMBER, Role.ADMIN, None]
)
def test_other_roles_cannot_log_days(mission, expert, basin, role):
    with pytest.raises(PermissionDenied):
        log(mission, expert, make_user(role, basin))
    assert not DayLog.objects.exists()


def test_staff_of_another_basin_cannot_log_days(mission, expert, other_basin):
    with pytest.raises(PermissionDenied):
        log(mission, expert, make_user(Role.STAFF, other_basin))


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ("-1", "Le nombre de jours doit être positif."),
        ("0", "Le nombre de jours doit être positif."),
        ("1.5", "Un expert donne au plus une journée par date : 0,5 ou 1 jour."),
        ("0.3", "Les jours se comptent par demi-journées : 0,5, 1, 1,5…"),
    ],
)
def test_bad_days_refused(staff, mission, expert, days, message):
    with pytest.raises(ValidationError) as error:
        log(mission, expert, staff, days=days)
    assert message in error.value.message_dict["days"]
    assert not DayLog.objects.exists()


@pytest.mark.parametrize("day", [datetime.date(2007, 4, 1), datetime.date(2007, 4, 14)])
def test_date_outside_the_mission_refused(staff, mission, expert, day):
    with pytest.raises(ValidationError) as error:
        log(mission, expert, staff, day=day)
    assert error.value.message_dict["date"] == [
        f"Le {day:%d/%m/%Y} est en dehors de la mission (du 02/04/2007 au 13/04/2007)."
    ]
    assert not DayLog.objects.exists()


def test_future_date_refused(staff, corporation, dossier, expert):
    today = timezone.localdate()
    mission = SupportMissionFactory(
        corporation=corporation,
        dossier=dossier,
        experts=[expert],
        running=True,
        start_date=today - datetime.timedelta(days=3),
        end_date=today + datetime.timedelta(days=30),
    )
    with pytest.raises(ValidationError, match="date est dans le futur"):
        log(mission, expert, staff, day=today + datetime.timedelta(days=1))


def test_one_entry_per_expert_and_date(staff, mission, expert):
    log(mission, expert, staff, days="0.5")
    with pytest.raises(ValidationError) as error:
        log(mission, expert, staff, days="0.5")
    assert "Des jours sont déjà saisis pour cet expert à cette date sur cette mission." in str(
        error.value
    )
    assert DayLog.objects.count() == 1


def test_at_most_one_day_per_date_across_missions(staff, corporation, mission, expert):
    other = SupportMissionFactory(corporation=corporation, experts=[expert], running=True)
    log(mission, expert, staff, days="0.5")
    log(other, expert, staff, days="0.5")
    with pytest.raises(ValidationError) as error:
        log(
            SupportMissionFactory(corporation=corporation, experts=[expert], running=True),
            expert,
            staff,
            days="0.5",
        )
    assert error.value.message_dict["days"] == [
        "Jean Dupuis a déjà 1 jour saisi le 02/04/2007 : une journée compte au plus 1 jour par "
        "expert, toutes missions confondues."
    ]
    assert DayLog.objects.count() == 2


def test_more_days_than_the_working_days_refused(staff, corporation, dossier, expert):
    # Friday 6 to Monday 9 April 2007: two working days, four calendar days.
    mission = SupportMissionFactory(
        corporation=corporation,
        dossier=dossier,
        experts=[expert],
        running=True,
        planned_days=Decimal("2"),
        start_date=datetime.date(2007, 4, 6),
        end_date=datetime.date(2007, 4, 9),
    )
    log(mission, expert, staff, day=datetime.date(2007, 4, 6))
    log(mission, expert, staff, day=datetime.date(2007, 4, 7))  # a Saturday at a trade fair
    with pytest.raises(ValidationError) as error:
        log(mission, expert, staff, day=datetime.date(2007, 4, 9), days="0.5")
    assert error.value.message_dict["days"] == [
        "Cette mission compte 2 jours ouvrés (du lundi au vendredi) entre le 06/04/2007 et le "
        "09/04/2007 : 2 jours déjà saisi(s) pour Jean Dupuis, 0,5 jour de plus dépasseraient ce "
        "total."
    ]
    assert DayLog.objects.count() == 2


def test_each_expert_has_the_working_days(staff, corporation, dossier, expert):
    second = ExpertFactory(corporation=corporation, name="Luc Martin")
    mission = SupportMissionFactory(
        corporation=corporation,
        dossier=dossier,
        experts=[expert, second],
        running=True,
        planned_days=Decimal("2"),
        start_date=MONDAY,
        end_date=MONDAY,
    )
    log(mission, expert, staff)
    log(mission, second, staff)
    assert DayLog.objects.filter(assignment__mission=mission).count() == 2


def test_expert_not_on_the_mission_refused(staff, mission, corporation):
    with pytest.raises(ValidationError) as error:
        log(mission, ExpertFactory(corporation=corporation), staff)
    assert error.value.message_dict["expert"] == ["Cet expert ne fait pas partie de cette mission."]


def test_planned_mission_refuses_days(staff, corporation, dossier, expert):
    mission = SupportMissionFactory(corporation=corporation, dossier=dossier, experts=[expert])
    with pytest.raises(ValidationError, match="n'a pas encore démarré"):
        log(mission, expert, staff)


def test_cancelled_mission_refuses_days(staff, corporation, dossier, expert):
    mission = SupportMissionFactory(
        corporation=corporation, dossier=dossier, experts=[expert], cancelled=True
    )
    with pytest.raises(ValidationError, match="« Annulée » ne reçoit plus de jours"):
        log(mission, expert, staff)


def test_finished_mission_still_takes_late_time_sheets(staff, corporation, dossier, expert):
    mission = SupportMissionFactory(
        corporation=corporation, dossier=dossier, experts=[expert], done=True
    )
    assert log(mission, expert, staff).pk


def test_withdrawn_dossier_refuses_days(staff, mission, expert):
    mission.dossier.state = DossierState.WITHDRAWN
    mission.dossier.save()
    with pytest.raises(ValidationError, match="« Retiré »"):
        log(mission, expert, staff)


def test_database_refuses_a_day_outside_the_mission(mission, staff):
    with pytest.raises(IntegrityError, match="en dehors des dates"), transaction.atomic():
        DayLogFactory(mission=mission, date=datetime.date(2007, 5, 2), logged_by=staff)


@pytest.mark.parametrize("days", ["0", "-1", "1.5", "0.3"])
def test_database_refuses_bad_days(mission, staff, days):
    with pytest.raises(IntegrityError, match="day_log_half_or_whole_day"), transaction.atomic():
        DayLogFactory(mission=mission, days=Decimal(days), logged_by=staff)


# --- Status --------------------------------------------------------------------------------


def test_status_moves_are_logged(staff, corporation, dossier, expert):
    mission = SupportMissionFactory(corporation=corporation, dossier=dossier, experts=[expert])
    change_mission_status(mission=mission, to_status=MissionStatus.RUNNING, by=staff)
    assert mission.status == MissionStatus.RUNNING
    change_mission_status(
        mission=mission, to_status=MissionStatus.DONE, by=staff, comment="Audit réussi"
    )
    mission.refresh_from_db()
    assert mission.status == MissionStatus.DONE
    moves = list(mission.transitions.values_list("transition", "from_state", "to_state"))
    assert moves == [
        ("start", MissionStatus.PLANNED, MissionStatus.RUNNING),
        ("finish", MissionStatus.RUNNING, MissionStatus.DONE),
    ]
    assert mission.transitions.last().comment == "Audit réussi"
    assert mission.transitions.last().by == staff


def test_coordinator_starts_and_finishes_but_does_not_cancel(
    coordinator, corporation, dossier, expert
):
    mission = SupportMissionFactory(corporation=corporation, dossier=dossier, experts=[expert])
    change_mission_status(mission=mission, to_status=MissionStatus.RUNNING, by=coordinator)
    with pytest.raises(PermissionDenied, match="Seul le personnel de l'opérateur peut « annuler"):
        change_mission_status(mission=mission, to_status=MissionStatus.CANCELLED, by=coordinator)
    change_mission_status(mission=mission, to_status=MissionStatus.DONE, by=coordinator)
    with pytest.raises(PermissionDenied, match="rouvrir"):
        change_mission_status(mission=mission, to_status=MissionStatus.RUNNING, by=coordinator)
    assert MissionTransition.objects.filter(mission=mission).count() == 2


def test_other_coordinator_cannot_move_a_mission(other_coordinator, mission):
    with pytest.raises(PermissionDenied):
        change_mission_status(mission=mission, to_status=MissionStatus.DONE, by=other_coordinator)
    mission.refresh_from_db()
    assert mission.status == MissionStatus.RUNNING


@pytest.mark.parametrize(
    ("trait", "target", "message"),
    [
        ("planned", MissionStatus.DONE, "Une mission « Prévue » ne peut pas passer à l'état"),
        ("done", MissionStatus.CANCELLED, "Une mission « Terminée » ne peut pas passer"),
        ("cancelled", MissionStatus.RUNNING, "Une mission « Annulée » ne peut pas passer"),
        ("running", MissionStatus.RUNNING, "Cette mission est déjà « En cours »."),
    ],
)
def test_forbidden_moves(staff, corporation, trait, target, message):
    traits = {} if trait == "planned" else {trait: True}
    mission = SupportMissionFactory(corporation=corporation, **traits)
    with pytest.raises(ValidationError, match=message):
        change_mission_status(mission=mission, to_status=target, by=staff)
    assert not MissionTransition.objects.exists()


def test_stale_status_refused(staff, mission):
    with pytest.raises(ValidationError, match="a changé d'état entre-temps"):
        change_mission_status(
            mission=mission,
            to_status=MissionStatus.DONE,
            by=staff,
            expected_status=MissionStatus.PLANNED,
        )


def test_a_mission_with_days_is_finished_not_cancelled(staff, mission, expert):
    log(mission, expert, staff)
    with pytest.raises(ValidationError, match="terminez-la plutôt que de l'annuler"):
        change_mission_status(mission=mission, to_status=MissionStatus.CANCELLED, by=staff)
    mission.refresh_from_db()
    assert mission.status == MissionStatus.RUNNING
    assert not MissionTransition.objects.exists()


def test_transition_log_is_append_only(staff, mission):
    change_mission_status(mission=mission, to_status=MissionStatus.DONE, by=staff)
    with pytest.raises(ProgrammingError), transaction.atomic():
        MissionTransition.objects.update(comment="réécrit")
    with pytest.raises(ProgrammingError), transaction.atomic():
        MissionTransition.objects.all().delete()


# --- Results and outcome -------------------------------------------------------------------


def test_record_iso_9001(coordinator, mission):
    result = record_result(
        mission=mission,
        by=coordinator,
        kind=ResultKind.CERTIFICATION,
        title="ISO 9001",
        achieved_on=datetime.date(2007, 4, 12),
    )
    assert str(result) == "Certification obtenue : ISO 9001"
    assert result.recorded_by == coordinator


def test_certification_needs_its_date(staff, mission):
    with pytest.raises(ValidationError) as error:
        record_result(mission=mission, by=staff, kind=ResultKind.CERTIFICATION, title="ISO 9001")
    assert error.value.message_dict["achieved_on"] == [
        "Une certification porte sa date d'obtention."
    ]
    assert not MissionResult.objects.exists()


def test_other_results_need_no_date(staff, mission):
    result = record_result(
        mission=mission, by=staff, kind=ResultKind.NEW_MARKET, title="Maintenance ferroviaire"
    )
    assert result.achieved_on is None


@pytest.mark.parametrize(
    ("achieved_on", "message"),
    [
        (datetime.date(2007, 3, 1), "Ce résultat précède le début de la mission (02/04/2007)"),
        (timezone.localdate() + datetime.timedelta(days=1), "date future"),
    ],
)
def test_result_dates(staff, mission, achieved_on, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        record_result(
            mission=mission,
            by=staff,
            kind=ResultKind.CERTIFICATION,
            title="ISO 9001",
            achieved_on=achieved_on,
        )


def test_unknown_result_kind_refused(staff, mission):
    with pytest.raises(ValidationError) as error:
        record_result(mission=mission, by=staff, kind="miracle", title="?")
    assert "kind" in error.value.message_dict


def test_no_result_on_a_planned_mission(staff, corporation):
    mission = SupportMissionFactory(corporation=corporation)
    with pytest.raises(ValidationError, match="« Prévue » n'a pas de résultat"):
        record_result(mission=mission, by=staff, kind=ResultKind.OTHER, title="Rien")


def test_result_by_another_corporation_refused(other_coordinator, mission):
    with pytest.raises(PermissionDenied):
        record_result(mission=mission, by=other_coordinator, kind=ResultKind.OTHER, title="x")


def test_outcome_and_satisfaction(staff, mission):
    record_outcome(mission=mission, by=staff, outcome="Certification obtenue.", sme_satisfaction=5)
    mission.refresh_from_db()
    assert (mission.outcome, mission.sme_satisfaction) == ("Certification obtenue.", 5)


@pytest.mark.parametrize("score", [0, 6, -1])
def test_satisfaction_from_1_to_5(staff, mission, score):
    with pytest.raises(ValidationError) as error:
        record_outcome(mission=mission, by=staff, outcome="", sme_satisfaction=score)
    assert "sme_satisfaction" in error.value.message_dict
    mission.refresh_from_db()
    assert mission.sme_satisfaction is None


def test_coordinator_does_not_rate_their_own_help(coordinator, mission):
    with pytest.raises(PermissionDenied, match="Seul le personnel de l'opérateur"):
        record_outcome(mission=mission, by=coordinator, outcome="Parfait", sme_satisfaction=5)


@pytest.mark.parametrize("planned", ["0", "-1", "1.3"])
def test_database_refuses_bad_planned_days(corporation, planned):
    with pytest.raises(IntegrityError, match="mission_planned_days"), transaction.atomic():
        SupportMissionFactory(corporation=corporation, planned_days=Decimal(planned))


def test_database_refuses_an_end_before_the_start(corporation):
    with pytest.raises(IntegrityError, match="mission_ends_after_start"), transaction.atomic():
        SupportMissionFactory(
            corporation=corporation, start_date=MISSION_END, end_date=MISSION_START
        )


def test_assign_expert(staff, mission, corporation, other_corporation, coordinator):
    second = ExpertFactory(corporation=corporation)
    assign_expert(mission=mission, expert=second, by=staff)
    assert mission.experts.count() == 2
    with pytest.raises(ValidationError, match="déjà sur cette mission"):
        assign_expert(mission=mission, expert=second, by=staff)
    stranger = ExpertFactory(corporation=other_corporation)
    with pytest.raises(ValidationError, match="ceux de l'entreprise qui la mène"):
        assign_expert(mission=mission, expert=stranger, by=staff)
    colleague = ExpertFactory(corporation=corporation)
    with pytest.raises(PermissionDenied):
        assign_expert(mission=mission, expert=colleague, by=coordinator)
    assert mission.experts.count() == 2


def test_no_expert_added_to_a_finished_mission(staff, corporation):
    mission = SupportMissionFactory(corporation=corporation, done=True)
    with pytest.raises(ValidationError, match="« Terminée » ne reçoit plus d'expert"):
        assign_expert(mission=mission, expert=ExpertFactory(corporation=corporation), by=staff)
