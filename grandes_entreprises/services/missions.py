"""Writers of support missions: creation, experts, status, days, results and outcome."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from alize.models import User
from alize.services.common import create_validated, lock_row, save_validated
from alize.workflow import apply_transition
from grandes_entreprises import permissions
from grandes_entreprises.models import (
    Corporation,
    DayLog,
    Expert,
    MissionExpert,
    MissionResult,
    SupportMission,
)
from grandes_entreprises.services._common import _date, _days, _require
from grandes_entreprises.workflow import (
    LOGGABLE_STATUSES,
    MISSION_WORKFLOW,
    RESULT_STATUSES,
    MissionStatus,
    working_days,
)
from pme.models import Dossier, DossierState
from pme.workflow import SUPPORTED_STATES

# A mission is organised once the committee has approved the dossier, and while the SME
# is being supported; not before the decision, not on a closed or withdrawn dossier.
MISSION_DOSSIER_STATES = frozenset({DossierState.APPROVED, DossierState.UNDER_SUPPORT})


@transaction.atomic
def create_mission(
    *,
    by: User,
    dossier: Dossier,
    corporation: Corporation,
    experts: Iterable[Expert],
    domain: str,
    objective: str,
    planned_days: Decimal,
    start_date: datetime.date,
    end_date: datetime.date,
) -> SupportMission:
    """Organise a support mission of a corporation's experts for an approved SME.

    The dossier is locked and must be approved or under support, in the corporation's
    basin; the mission starts on or after the committee's decision; its experts belong to
    the corporation; its planned days fit in its working days (Monday to Friday) for the
    experts named. The mission starts "planned".
    """
    allowed, reason = permissions.can_create_mission(by, corporation)
    _require(allowed, reason)
    experts = list(experts)
    with pghistory.context(user=by.pk):
        dossier = lock_row(Dossier, dossier.pk, "pme__commune__epci")
        if dossier.state not in MISSION_DOSSIER_STATES:
            raise ValidationError(
                {
                    "dossier": (
                        "Une mission d'appui ne s'organise que sur un dossier agréé ou en "
                        f"accompagnement : ce dossier est « {dossier.get_state_display()} »."
                    )
                }
            )
        if dossier.pme.commune.epci.basin_id != corporation.basin_id:
            raise ValidationError(
                {"dossier": "Cette PME n'est pas du bassin de l'entreprise qui l'accompagnerait."}
            )
        mission = SupportMission(
            dossier=dossier,
            corporation=corporation,
            domain=domain,
            objective=objective,
            planned_days=planned_days,
            start_date=start_date,
            end_date=end_date,
            status=MissionStatus.PLANNED,
            status_changed_at=timezone.now(),
            created_by=by,
        )
        mission.full_clean()

        errors = {}
        if dossier.decision_date and start_date < dossier.decision_date:
            errors["start_date"] = (
                "Une mission d'appui commence après l'agrément du dossier "
                f"(le {_date(dossier.decision_date)})."
            )
        if not experts:
            errors["experts"] = "Indiquez au moins un expert."
        elif any(expert.corporation_id != corporation.pk for expert in experts):
            errors["experts"] = "Les experts d'une mission sont ceux de l'entreprise qui la mène."
        elif any(not expert.is_active for expert in experts):
            errors["experts"] = "Un expert indisponible ne part pas en mission."
        elif len({expert.pk for expert in experts}) != len(experts):
            errors["experts"] = "Chaque expert ne figure qu'une fois sur la mission."
        else:
            capacity = working_days(start_date, end_date) * len(experts)
            if planned_days > capacity:
                errors["planned_days"] = (
                    f"Du {_date(start_date)} au {_date(end_date)}, {len(experts)} expert(s) "
                    f"peuvent donner au plus {_days(Decimal(capacity))} (jours ouvrés, du lundi "
                    "au vendredi)."
                )
        if errors:
            raise ValidationError(errors)

        mission.save()
        MissionExpert.objects.bulk_create(
            [MissionExpert(mission=mission, expert=expert) for expert in experts]
        )
    return mission


@transaction.atomic
def assign_expert(*, mission: SupportMission, expert: Expert, by: User) -> MissionExpert:
    """Add an expert of the mission's corporation to a mission that is not over."""
    with pghistory.context(user=by.pk):
        locked = _lock_mission(mission)
        allowed, reason = permissions.can_create_mission(by, locked.corporation)
        _require(allowed, reason)
        if locked.status not in {MissionStatus.PLANNED, MissionStatus.RUNNING}:
            raise ValidationError(
                f"Une mission « {locked.get_status_display()} » ne reçoit plus d'expert."
            )
        if expert.corporation_id != locked.corporation_id:
            raise ValidationError(
                {"expert": "Les experts d'une mission sont ceux de l'entreprise qui la mène."}
            )
        if not expert.is_active:
            raise ValidationError({"expert": "Un expert indisponible ne part pas en mission."})
        assignment = create_validated(MissionExpert, mission=locked, expert=expert)
    return assignment


def _lock_mission(mission: SupportMission) -> SupportMission:
    # Only the mission's row: the corporation and the dossier are read, not locked.
    return lock_row(SupportMission, mission.pk, "corporation", "dossier")


def change_mission_status(
    *,
    mission: SupportMission,
    to_status: str,
    by: User,
    comment: str = "",
    expected_status: str | None = None,
) -> SupportMission:
    """Move a mission to another status if `MISSION_WORKFLOW` allows it and the user may,
    through `alize.workflow.apply_transition` (lock, checks, stamp, one log row).

    Of two people making the same move at once, the second finds it already moved.
    `expected_status` (what the user saw) refuses any move if the mission changed in
    between. A mission with days logged is finished, not cancelled.
    """
    if not permissions.actor_kinds(by, mission):
        raise PermissionDenied("Vous n'avez pas le droit de modifier cette mission.")
    return apply_transition(
        MISSION_WORKFLOW,
        mission,
        by=by,
        to=to_status,
        comment=comment,
        expected=expected_status,
        permission=permissions.can_change_status,
        check=_refuse_cancelling_given_days,
    )


def _refuse_cancelling_given_days(mission: SupportMission, transition) -> None:
    if (
        transition.target == MissionStatus.CANCELLED
        and DayLog.objects.filter(assignment__mission=mission).exists()
    ):
        raise ValidationError(
            "Des jours ont déjà été donnés sur cette mission : terminez-la plutôt que de l'annuler."
        )


@transaction.atomic
def log_days(
    *,
    mission: SupportMission,
    expert: Expert,
    date: datetime.date,
    days: Decimal,
    by: User,
    comment: str = "",
) -> DayLog:
    """Record the time an expert gave to a mission on a date (half a day or a day).

    By the operators of the mission's basin or a coordinator of its corporation only.
    The mission and the expert are locked, so that two entries at once cannot together
    break the rules that span rows: an expert gives at most one day per date, all missions
    together, and at most the mission's working days (Monday to Friday between its start
    and end) on the mission.
    """
    with pghistory.context(user=by.pk):
        locked = _lock_mission(mission)
        allowed, reason = permissions.can_log_days(by, locked)
        _require(allowed, reason)
        status = MissionStatus(locked.status)
        if status not in LOGGABLE_STATUSES:
            if status == MissionStatus.PLANNED:
                raise ValidationError(
                    "Cette mission n'a pas encore démarré : démarrez-la avant de saisir des jours."
                )
            raise ValidationError(f"Une mission « {status.label} » ne reçoit plus de jours.")
        if locked.dossier.state not in SUPPORTED_STATES:
            raise ValidationError(
                "Le dossier de cette PME est « "
                f"{locked.dossier.get_state_display()} » : il ne reçoit plus de jours."
            )
        assignment = MissionExpert.objects.filter(mission=locked, expert_id=expert.pk).first()
        if assignment is None:
            raise ValidationError({"expert": "Cet expert ne fait pas partie de cette mission."})
        Expert.objects.select_for_update().get(pk=expert.pk)

        log = DayLog(assignment=assignment, date=date, days=days, comment=comment, logged_by=by)
        log.full_clean()
        if date < locked.start_date or date > locked.end_date:
            raise ValidationError(
                {
                    "date": (
                        f"Le {_date(date)} est en dehors de la mission (du "
                        f"{_date(locked.start_date)} au {_date(locked.end_date)})."
                    )
                }
            )
        if date > timezone.localdate():
            raise ValidationError(
                {"date": "On n'enregistre que des jours déjà donnés : la date est dans le futur."}
            )
        that_day = DayLog.objects.filter(assignment__expert_id=expert.pk, date=date).aggregate(
            total=Sum("days")
        )["total"] or Decimal("0")
        if that_day + days > 1:
            raise ValidationError(
                {
                    "days": (
                        f"{expert.name} a déjà {_days(that_day)} saisi le {_date(date)} : "
                        "une journée compte au plus 1 jour par expert, toutes missions confondues."
                    )
                }
            )
        capacity = working_days(locked.start_date, locked.end_date)
        on_mission = DayLog.objects.filter(assignment=assignment).aggregate(total=Sum("days"))[
            "total"
        ] or Decimal("0")
        if on_mission + days > capacity:
            raise ValidationError(
                {
                    "days": (
                        f"Cette mission compte {capacity} jours ouvrés (du lundi au vendredi) "
                        f"entre le {_date(locked.start_date)} et le {_date(locked.end_date)} : "
                        f"{_days(on_mission)} déjà saisi(s) pour {expert.name}, "
                        f"{_days(days)} de plus dépasseraient ce total."
                    )
                }
            )
        log.save()
    return log


def _lock_for_results(mission: SupportMission, by: User, may, refusal: str) -> SupportMission:
    """The mission, locked, for a user the predicate `may` allows, once it runs or has
    finished (otherwise « Une mission « <status> » <refusal> »)."""
    locked = _lock_mission(mission)
    _require(*may(by, locked))
    if locked.status not in RESULT_STATUSES:
        raise ValidationError(f"Une mission « {locked.get_status_display()} » {refusal}")
    return locked


@transaction.atomic
def record_result(
    *,
    mission: SupportMission,
    by: User,
    kind: str,
    title: str,
    achieved_on: datetime.date | None = None,
    description: str = "",
) -> MissionResult:
    """Record a result of a running or finished mission (e.g. ISO 9001 obtained)."""
    with pghistory.context(user=by.pk):
        locked = _lock_for_results(
            mission, by, permissions.can_record_result, "n'a pas de résultat à enregistrer."
        )
        result = MissionResult(
            mission=locked,
            kind=kind,
            title=title,
            achieved_on=achieved_on,
            description=description,
            recorded_by=by,
        )
        result.full_clean()
        if achieved_on and achieved_on < locked.start_date:
            raise ValidationError(
                {
                    "achieved_on": (
                        "Ce résultat précède le début de la mission "
                        f"({_date(locked.start_date)}) : il ne lui doit rien."
                    )
                }
            )
        result.save()
    return result


@transaction.atomic
def record_outcome(
    *,
    mission: SupportMission,
    by: User,
    outcome: str,
    sme_satisfaction: int | None = None,
) -> SupportMission:
    """Record the mission's written outcome and the SME's satisfaction (1 to 5)."""
    with pghistory.context(user=by.pk):
        locked = _lock_for_results(
            mission, by, permissions.can_record_outcome, "n'a pas encore de bilan."
        )
        save_validated(locked, outcome=outcome, sme_satisfaction=sme_satisfaction)
    return locked
