"""The writers of corporations, support missions and revitalisation conventions.

Each service takes keyword arguments only, checks who acts (`PermissionDenied`, French),
validates (`full_clean()`, then the rules that span rows, under `select_for_update`), then
saves, inside one transaction and a pghistory context naming the user. A refused action
raises a French `ValidationError` or `PermissionDenied`; nothing is half-saved.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from alize.formatting import euros
from alize.models import ProgrammePeriod, Role, User
from grandes_entreprises import permissions
from grandes_entreprises.models import (
    ConventionPayment,
    Corporation,
    CorporationContact,
    DailyRate,
    DayLog,
    Expert,
    Membership,
    MissionExpert,
    MissionResult,
    MissionTransition,
    RevitalisationConvention,
    SmicRate,
    SupportMission,
)
from grandes_entreprises.models.common import (
    MULTIPLE_CEILING,
    NO_CONVENTION_MESSAGE,
    REVITALISATION_HEADCOUNT,
)
from grandes_entreprises.workflow import (
    LOGGABLE_STATUSES,
    RESULT_STATUSES,
    MissionStatus,
    find_transition,
    working_days,
)
from pme.models import Dossier, DossierState
from pme.workflow import SUPPORTED_STATES

# A mission is organised once the committee has approved the dossier, and while the SME
# is being supported; not before the decision, not on a closed or withdrawn dossier.
MISSION_DOSSIER_STATES = frozenset({DossierState.APPROVED, DossierState.UNDER_SUPPORT})

CORPORATION_FIELDS = frozenset(
    {"group_name", "site_name", "sector", "headcount", "basin", "funder"}
)
CONTACT_FIELDS = frozenset({"name", "role", "email", "phone"})
EXPERT_FIELDS = frozenset({"name", "job_title", "domains", "email", "is_active"})


def _check_fields(data: dict[str, Any], allowed: frozenset[str], what: str) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise TypeError(f"Unexpected {what} fields: {', '.join(sorted(unknown))}")


def _require(allowed: bool, reason: str = "") -> None:
    if not allowed:
        raise PermissionDenied(reason or "Vous n'avez pas le droit de faire cette action.")


def _days(value: Decimal) -> str:
    """1.5 → « 1,5 jour », 2 → « 2 jours » (French: singular below 2)."""
    text = f"{value.normalize():f}".replace(".", ",")
    return f"{text} jour" if value < 2 else f"{text} jours"


def _date(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"


def _lock_corporation(corporation: Corporation) -> Corporation:
    return Corporation.objects.select_for_update().get(pk=corporation.pk)


# --- Corporations ----------------------------------------------------------------------


@transaction.atomic
def create_corporation(*, by: User, data: dict[str, Any]) -> Corporation:
    """Register a corporation (one local site of a group) in one of the user's basins."""
    _check_fields(data, CORPORATION_FIELDS, "corporation")
    corporation = Corporation(**data)
    _require(
        corporation.basin_id is not None
        and permissions.is_operator_of_basin(by, corporation.basin_id),
        "Seul le personnel de l'opérateur du bassin enregistre une grande entreprise.",
    )
    with pghistory.context(user=by.pk):
        corporation.full_clean()
        corporation.save()
    return corporation


@transaction.atomic
def update_corporation(*, corporation: Corporation, by: User, data: dict[str, Any]) -> Corporation:
    _check_fields(data, CORPORATION_FIELDS - {"basin"}, "corporation")
    with pghistory.context(user=by.pk):
        corporation = _lock_corporation(corporation)
        _require(permissions.can_manage_corporation(by, corporation), permissions.NOT_YOUR_BASIN)
        for name, value in data.items():
            setattr(corporation, name, value)
        corporation.full_clean()
        corporation.save()
    return corporation


@transaction.atomic
def add_contact(*, corporation: Corporation, by: User, data: dict[str, Any]) -> CorporationContact:
    _check_fields(data, CONTACT_FIELDS, "contact")
    _require(permissions.can_manage_corporation(by, corporation), permissions.NOT_YOUR_BASIN)
    with pghistory.context(user=by.pk):
        contact = CorporationContact(corporation=corporation, **data)
        contact.full_clean()
        contact.save()
    return contact


@transaction.atomic
def add_expert(*, corporation: Corporation, by: User, data: dict[str, Any]) -> Expert:
    _check_fields(data, EXPERT_FIELDS, "expert")
    _require(permissions.can_manage_corporation(by, corporation), permissions.NOT_YOUR_BASIN)
    with pghistory.context(user=by.pk):
        expert = Expert(corporation=corporation, **data)
        expert.full_clean()
        expert.save()
    return expert


@transaction.atomic
def update_expert(*, expert: Expert, by: User, data: dict[str, Any]) -> Expert:
    _check_fields(data, EXPERT_FIELDS, "expert")
    with pghistory.context(user=by.pk):
        expert = (
            Expert.objects.select_for_update(of=("self",))
            .select_related("corporation")
            .get(pk=expert.pk)
        )
        _require(
            permissions.can_manage_corporation(by, expert.corporation), permissions.NOT_YOUR_BASIN
        )
        for name, value in data.items():
            setattr(expert, name, value)
        expert.full_clean()
        expert.save()
    return expert


@transaction.atomic
def record_membership(
    *,
    corporation: Corporation,
    period: ProgrammePeriod,
    joined_on: datetime.date,
    by: User,
    left_on: datetime.date | None = None,
) -> Membership:
    """Record that a corporation joined a programme period (and left it, when it did).

    Recording it again for the same period updates the dates.
    """
    _require(permissions.can_manage_corporation(by, corporation), permissions.NOT_YOUR_BASIN)
    with pghistory.context(user=by.pk):
        _lock_corporation(corporation)
        membership = Membership.objects.filter(corporation=corporation, period=period).first()
        if membership is None:
            membership = Membership(corporation=corporation, period=period)
        membership.joined_on = joined_on
        membership.left_on = left_on
        membership.full_clean()
        membership.save()
    return membership


@transaction.atomic
def add_coordinator(*, corporation: Corporation, user: User, by: User) -> None:
    """Name a user coordinator of a corporation: they then see its missions and log days.

    The user must hold the coordinator role; the link lives on the corporation's side.
    """
    _require(permissions.can_manage_corporation(by, corporation), permissions.NOT_YOUR_BASIN)
    if not user.has_role(Role.COORDINATOR):
        raise ValidationError(
            {"coordinators": f"{user} n'a pas le rôle « {Role.COORDINATOR.label} »."}
        )
    with pghistory.context(user=by.pk):
        corporation.coordinators.add(user)


@transaction.atomic
def remove_coordinator(*, corporation: Corporation, user: User, by: User) -> None:
    _require(permissions.can_manage_corporation(by, corporation), permissions.NOT_YOUR_BASIN)
    with pghistory.context(user=by.pk):
        corporation.coordinators.remove(user)


@transaction.atomic
def add_committee_representative(*, corporation: Corporation, user: User, by: User) -> None:
    """Name a user who sits on the approval committee for this corporation."""
    _require(permissions.can_manage_corporation(by, corporation), permissions.NOT_YOUR_BASIN)
    if not user.has_role(Role.COMMITTEE_MEMBER):
        raise ValidationError(
            {
                "committee_representatives": (
                    f"{user} n'a pas le rôle « {Role.COMMITTEE_MEMBER.label} »."
                )
            }
        )
    with pghistory.context(user=by.pk):
        corporation.committee_representatives.add(user)


@transaction.atomic
def set_daily_rate(
    *,
    corporation: Corporation,
    rate: Decimal,
    valid_from: datetime.date,
    by: User,
    comment: str = "",
) -> DailyRate:
    """Record the value of an expert day for a corporation from a date on.

    Past rates are never rewritten: a new rate is a new row. A rate dated in the past
    revalues the days logged from that date on (the value is computed, never stored).
    """
    _require(permissions.can_manage_corporation(by, corporation), permissions.NOT_YOUR_BASIN)
    with pghistory.context(user=by.pk):
        _lock_corporation(corporation)
        daily_rate = DailyRate(
            corporation=corporation, rate=rate, valid_from=valid_from, comment=comment
        )
        daily_rate.full_clean()
        daily_rate.save()
    return daily_rate


# --- Support missions ------------------------------------------------------------------


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
        dossier = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("pme__commune__epci")
            .get(pk=dossier.pk)
        )
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
        assignment = MissionExpert(mission=locked, expert=expert)
        assignment.full_clean()
        assignment.save()
    return assignment


def _lock_mission(mission: SupportMission) -> SupportMission:
    return (
        # Only the mission's row: the corporation and the dossier are read, not locked.
        SupportMission.objects.select_for_update(of=("self",))
        .select_related("corporation", "dossier")
        .get(pk=mission.pk)
    )


@transaction.atomic
def change_mission_status(
    *,
    mission: SupportMission,
    to_status: str,
    by: User,
    comment: str = "",
    expected_status: str | None = None,
) -> SupportMission:
    """Move a mission to another status if the workflow allows it and the user may.

    The mission's row is locked: of two people making the same move at once, the second
    finds it already moved. `expected_status` (what the user saw) refuses any move if the
    mission changed in between. A mission with days logged is finished, not cancelled.
    Writes exactly one log row.
    """
    with pghistory.context(user=by.pk):
        locked = _lock_mission(mission)
        current = MissionStatus(locked.status)
        if not permissions.actor_kinds(by, locked):
            raise PermissionDenied("Vous n'avez pas le droit de modifier cette mission.")
        if expected_status is not None and current != expected_status:
            raise ValidationError(
                f"Cette mission a changé d'état entre-temps : elle est désormais "
                f"« {current.label} ». Rechargez la page."
            )
        target = MissionStatus(to_status)
        if current == target:
            raise ValidationError(f"Cette mission est déjà « {current.label} ».")
        rule = find_transition(current, target)
        if rule is None:
            raise ValidationError(
                f"Une mission « {current.label} » ne peut pas passer à l'état « {target.label} »."
            )
        allowed, reason = permissions.can_change_status(by, locked, rule)
        _require(allowed, reason)
        if (
            target == MissionStatus.CANCELLED
            and DayLog.objects.filter(assignment__mission=locked).exists()
        ):
            raise ValidationError(
                "Des jours ont déjà été donnés sur cette mission : terminez-la plutôt que de "
                "l'annuler."
            )

        now = timezone.now()
        locked.status = target
        locked.status_changed_at = now
        locked.full_clean()
        locked.save()
        log = MissionTransition(
            mission=locked,
            transition=rule.name,
            from_status=current,
            to_status=target,
            by=by,
            at=now,
            comment=comment,
        )
        log.full_clean()
        log.save()
    mission.status = locked.status
    mission.status_changed_at = locked.status_changed_at
    return locked


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
        locked = _lock_mission(mission)
        allowed, reason = permissions.can_record_result(by, locked)
        _require(allowed, reason)
        if locked.status not in RESULT_STATUSES:
            raise ValidationError(
                f"Une mission « {locked.get_status_display()} » n'a pas de résultat à enregistrer."
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
        locked = _lock_mission(mission)
        allowed, reason = permissions.can_record_outcome(by, locked)
        _require(allowed, reason)
        if locked.status not in RESULT_STATUSES:
            raise ValidationError(
                f"Une mission « {locked.get_status_display()} » n'a pas encore de bilan."
            )
        locked.outcome = outcome
        locked.sme_satisfaction = sme_satisfaction
        locked.full_clean()
        locked.save()
    return locked


# --- Revitalisation --------------------------------------------------------------------


@transaction.atomic
def create_convention(
    *,
    by: User,
    corporation: Corporation,
    reference: str,
    signature_date: datetime.date,
    jobs_eliminated: int,
    employees_reclassified: int = 0,
    multiple: Decimal | None = None,
    without_convention: bool = False,
    jobs_to_recreate: int = 0,
    ends_on: datetime.date | None = None,
    comment: str = "",
) -> RevitalisationConvention:
    """Record a corporation's revitalisation obligation.

    The monthly SMIC in force at the signature date is copied onto the convention; the
    database computes the amount due from it. `without_convention` (the firm signed none)
    sets the multiple to 4: giving another one with it is refused.
    """
    _require(
        permissions.can_manage_conventions(by, corporation),
        "Seul le personnel de l'opérateur du bassin enregistre une convention de revitalisation.",
    )
    if without_convention:
        if multiple is not None and Decimal(multiple) != MULTIPLE_CEILING:
            raise ValidationError({"multiple": NO_CONVENTION_MESSAGE})
        multiple = MULTIPLE_CEILING
    elif multiple is None:
        raise ValidationError({"multiple": "Indiquez le multiple du SMIC fixé par le préfet."})
    with pghistory.context(user=by.pk):
        corporation = _lock_corporation(corporation)
        if corporation.headcount < REVITALISATION_HEADCOUNT:
            raise ValidationError(
                {
                    "corporation": (
                        "L'obligation de revitalisation ne concerne que les entreprises et "
                        "groupes d'au moins 1 000 salariés."
                    )
                }
            )
        smic = SmicRate.objects.in_force_on(signature_date) if signature_date else None
        if signature_date and smic is None:
            raise ValidationError(
                {
                    "signature_date": (
                        f"Aucun SMIC n'est connu au {_date(signature_date)} : complétez la table "
                        "du SMIC."
                    )
                }
            )
        convention = RevitalisationConvention(
            corporation=corporation,
            reference=reference,
            signature_date=signature_date,
            ends_on=ends_on,
            without_convention=without_convention,
            jobs_eliminated=jobs_eliminated,
            employees_reclassified=employees_reclassified,
            multiple=multiple,
            smic_monthly=smic.monthly_amount if smic else None,
            smic_valid_from=smic.valid_from if smic else None,
            jobs_to_recreate=jobs_to_recreate,
            comment=comment,
            created_by=by,
        )
        convention.full_clean()
        convention.save()
    # The amount due is the database's: read it back.
    convention.refresh_from_db(fields=["amount_due"])
    return convention


@transaction.atomic
def record_convention_payment(
    *,
    convention: RevitalisationConvention,
    by: User,
    paid_on: datetime.date,
    amount: Decimal,
    comment: str = "",
) -> ConventionPayment:
    """Record money a corporation paid into Alizé under its convention.

    The convention is locked: the payments never add up to more than the amount due.
    Without a convention the firm pays the State, not the programme: refused.
    """
    with pghistory.context(user=by.pk):
        locked = (
            RevitalisationConvention.objects.select_for_update(of=("self",))
            .select_related("corporation")
            .get(pk=convention.pk)
        )
        _require(
            permissions.can_manage_conventions(by, locked.corporation),
            permissions.NOT_YOUR_BASIN,
        )
        if locked.without_convention:
            raise ValidationError(
                "Sans convention, l'entreprise verse sa contribution au Trésor public : "
                "aucun versement n'est reçu par le programme à ce titre."
            )
        payment = ConventionPayment(
            convention=locked, paid_on=paid_on, amount=amount, comment=comment, recorded_by=by
        )
        payment.full_clean()
        paid = locked.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
        if paid + amount > locked.amount_due:
            raise ValidationError(
                {
                    "amount": (
                        f"Ce versement porterait le total versé à {euros(paid + amount, 2)}, "
                        f"au-delà du montant dû ({euros(locked.amount_due, 2)})."
                    )
                }
            )
        payment.save()
    return payment
