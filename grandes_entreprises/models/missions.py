"""Support missions: the experts assigned, the days logged, the status log, the results."""

import datetime
from decimal import Decimal

import pghistory
import pgtrigger
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, ExtractYear, Round
from django.urls import reverse
from django.utils import timezone

from alize.constraints import in_range, positive, sane_years_checked
from alize.modelkit import (
    author,
    between,
    check,
    known_choice,
    link,
    sane_years,
    signed,
    timestamps,
    unique,
    workflow_state,
)
from alize.models import MONEY, Basin
from alize.workflow import TransitionLog, state_fields, transition_log_meta
from grandes_entreprises.models.common import (
    DAYS,
    HALF_DAYS_MESSAGE,
    NO_DAYS,
    ONE_DAY_MESSAGE,
    POSITIVE_DAYS_MESSAGE,
    ZERO,
    days_sum,
    half_day_steps,
    money_sum,
    validate_logged_days,
    validate_planned_days,
)
from grandes_entreprises.models.corporations import (
    Corporation,
    Expert,
    rate_in_force,
    visible_through_corporation,
)
from grandes_entreprises.workflow import MissionStatus, working_days
from pme.models import Dossier, Hire, Need


class SupportMissionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The missions a user may read: operators their basins', a coordinator their
        corporation's, administrators all, anyone else none for now."""
        return visible_through_corporation(self, user, "corporation__")

    def for_corporation(self, corporation: Corporation):
        return self.filter(corporation=corporation)

    def for_basin(self, basin: Basin):
        return self.filter(corporation__basin=basin)

    def not_cancelled(self):
        return self.exclude(status=MissionStatus.CANCELLED)

    def with_related(self):
        return self.select_related("corporation", "dossier__pme")

    def with_days_and_value(self):
        """Annotate `days_given` (sum of the day logs), `skills_value` (€, each log at the
        rate in force on its date, rounded to the cent) and `unvalued_days` (days logged
        before the corporation had any rate: the page should say so)."""
        logs = DayLog.objects.filter(assignment__mission=OuterRef("pk")).with_value()
        return self.annotate(
            days_given=days_sum(logs, "assignment__mission"),
            skills_value=money_sum(logs, "assignment__mission", "value"),
            unvalued_days=days_sum(logs.filter(rate__isnull=True), "assignment__mission"),
        )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class SupportMission(models.Model):
    """A corporation's experts helping an approved SME in one domain (mission d'appui).

    Created by `create_mission` on an approved or supported dossier only; its status
    changes only through `change_mission_status`, which logs each move.
    """

    dossier = link(Dossier, "dossier", "support_missions")
    corporation = link(Corporation, "grande entreprise", "missions")
    experts = models.ManyToManyField(
        Expert, through="MissionExpert", related_name="missions", verbose_name="experts"
    )
    domain = models.CharField("domaine", max_length=15, choices=Need.choices)
    objective = models.TextField("objectif")
    planned_days = models.DecimalField("jours prévus", **DAYS, validators=[validate_planned_days])
    start_date = models.DateField("début", validators=sane_years())
    end_date = models.DateField("fin", validators=sane_years())
    status, status_changed_at = workflow_state(MissionStatus, MissionStatus.PLANNED, max_length=10)
    outcome = models.TextField("bilan", blank=True)
    sme_satisfaction = models.PositiveSmallIntegerField(
        "satisfaction de la PME (1 à 5)",
        null=True,
        blank=True,
        validators=between(1, 5, "La satisfaction se note de 1 à 5."),
    )
    created_by = author("créée par", "created_support_missions")
    created_at, updated_at = timestamps("créée le", "modifiée le")

    objects = SupportMissionQuerySet.as_manager()

    class Meta:
        verbose_name = "mission d'appui"
        verbose_name_plural = "missions d'appui"
        ordering = ["-start_date", "-pk"]
        constraints = [
            check(
                Q(end_date__gte=F("start_date")),
                "mission_ends_after_start",
                "La fin de la mission ne peut précéder son début.",
            ),
            positive("planned_days", "mission_planned_days_positive", POSITIVE_DAYS_MESSAGE),
            check(
                half_day_steps("planned_days"), "mission_planned_days_half_days", HALF_DAYS_MESSAGE
            ),
            known_choice(
                "status", MissionStatus, "mission_status_known", "État de mission inconnu."
            ),
            known_choice("domain", Need, "mission_domain_known", "Domaine inconnu."),
            in_range(
                "sme_satisfaction",
                1,
                5,
                "mission_satisfaction_range",
                "La satisfaction se note de 1 à 5.",
                optional=True,
            ),
        ]
        indexes = [models.Index(fields=["corporation", "status"], name="mission_corp_status_idx")]

    def __str__(self):
        if not self.pk:
            return "Nouvelle mission d'appui"
        return f"Mission n° {self.pk} – {self.get_domain_display()}"

    def get_absolute_url(self):
        return reverse("grandes_entreprises:mission_detail", args=[self.pk])

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "La fin de la mission ne peut précéder son début."})

    @property
    def working_days(self) -> int:
        return working_days(self.start_date, self.end_date)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class MissionExpert(models.Model):
    """An expert assigned to a mission; their day logs hang from this row.

    The database itself refuses an expert of another corporation (a trigger): the days of a
    mission are always given by the mission's corporation.
    """

    mission = link(SupportMission, "mission", "assignments", on_delete=models.CASCADE)
    expert = link(Expert, "expert", "assignments")

    class Meta:
        verbose_name = "expert de la mission"
        verbose_name_plural = "experts de la mission"
        ordering = ["mission", "expert__name"]
        constraints = [
            unique(
                ["mission", "expert"],
                "mission_expert_once",
                "Cet expert est déjà sur cette mission.",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="mission_expert_same_corporation",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func="""
                    IF NOT EXISTS (
                        SELECT 1
                        FROM grandes_entreprises_expert e
                        JOIN grandes_entreprises_supportmission m
                          ON m.corporation_id = e.corporation_id
                        WHERE e.id = NEW.expert_id AND m.id = NEW.mission_id
                    ) THEN
                        RAISE EXCEPTION
                            'L''expert n''appartient pas à l''entreprise de la mission.'
                            USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NEW;
                """,
            ),
        ]

    def __str__(self):
        return f"{self.expert} sur {self.mission}"


class DayLogQuerySet(models.QuerySet):
    def for_corporation(self, corporation: Corporation):
        return self.filter(assignment__mission__corporation=corporation)

    def in_year(self, year: int):
        return self.filter(date__year=year)

    def between(self, start: datetime.date, end: datetime.date | None):
        logs = self.filter(date__gte=start)
        return logs.filter(date__lte=end) if end else logs

    def with_value(self):
        """Annotate `rate` (the corporation's daily rate in force on the log's date, or
        None) and `value` = days × rate rounded to the cent, half up (PostgreSQL's round()
        of a numeric rounds half away from zero: the same for positive amounts).

        The one definition of the value of the skills given; every total builds on it.
        """
        rate = rate_in_force(OuterRef("assignment__mission__corporation_id"), OuterRef("date"))
        return self.annotate(rate=rate).annotate(
            value=Round(
                models.ExpressionWrapper(
                    F("days") * F("rate"), output_field=models.DecimalField(**MONEY)
                ),
                2,
                output_field=models.DecimalField(**MONEY),
            )
        )

    def totals(self) -> dict[str, Decimal]:
        """Days, value (€) and days without a rate, in one aggregate query."""
        # The aggregates are named apart from the columns they sum: Django would otherwise
        # read "days" in the filter as the aggregate itself.
        totals = self.with_value().aggregate(
            total_days=Coalesce(Sum("days"), NO_DAYS, output_field=models.DecimalField(**DAYS)),
            total_value=Coalesce(Sum("value"), ZERO, output_field=models.DecimalField(**MONEY)),
            total_unvalued_days=Coalesce(
                Sum("days", filter=Q(rate__isnull=True)),
                NO_DAYS,
                output_field=models.DecimalField(**DAYS),
            ),
        )
        return {
            "days": totals["total_days"],
            "value": totals["total_value"],
            "unvalued_days": totals["total_unvalued_days"],
        }

    def per_year(self) -> list[dict]:
        """One row per calendar year: `year`, `days_given`, `skills_value` (€) and
        `smes_helped` (SMEs its days went to that year)."""
        return list(
            self.with_value()
            .annotate(year=ExtractYear("date"))
            .order_by()
            .values("year")
            .annotate(
                days_given=Sum("days"),
                skills_value=Coalesce(
                    Sum("value"), ZERO, output_field=models.DecimalField(**MONEY)
                ),
                smes_helped=models.Count("assignment__mission__dossier__pme", distinct=True),
            )
            .order_by("year")
        )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class DayLog(models.Model):
    """The time one expert gave on one date to one mission: half a day or a day.

    Within the mission's dates (checked by the service, and by a trigger); one row per
    expert, mission and date; the service also keeps an expert's day at 1 across missions
    and their total within the mission's working days.
    """

    assignment = link(MissionExpert, "expert de la mission", "day_logs")
    date = models.DateField("date", validators=sane_years())
    days = models.DecimalField("jours", **DAYS, validators=[validate_logged_days])
    comment = models.CharField("commentaire", max_length=300, blank=True)
    logged_by, logged_at = signed("saisi par", "saisi le", "support_day_logs")

    objects = DayLogQuerySet.as_manager()

    class Meta:
        verbose_name = "journée donnée"
        verbose_name_plural = "journées données"
        ordering = ["date", "pk"]
        constraints = [
            unique(
                ["assignment", "date"],
                "day_log_one_per_expert_mission_and_date",
                "Des jours sont déjà saisis pour cet expert à cette date sur cette mission.",
            ),
            check(
                Q(days__in=[Decimal("0.5"), Decimal("1.0")]),
                "day_log_half_or_whole_day",
                ONE_DAY_MESSAGE,
            ),
        ]
        indexes = [models.Index(fields=["date"], name="day_log_date_idx")]
        triggers = [
            pgtrigger.Trigger(
                name="day_log_within_mission_dates",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func="""
                    IF NOT EXISTS (
                        SELECT 1
                        FROM grandes_entreprises_missionexpert a
                        JOIN grandes_entreprises_supportmission m ON m.id = a.mission_id
                        WHERE a.id = NEW.assignment_id
                          AND NEW.date BETWEEN m.start_date AND m.end_date
                    ) THEN
                        RAISE EXCEPTION
                            'La date est en dehors des dates de la mission.'
                            USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NEW;
                """,
            ),
        ]

    def __str__(self):
        return f"{self.days} j le {self.date:%d/%m/%Y}"


def hires_helped_by(corporation_ref):
    """The hires that count as jobs created in the SMEs a corporation helped.

    A hire of a dossier counts for a corporation when the corporation's experts gave days
    to that dossier in the hire's year or before: help given in 2008 does not claim a hire
    of 2006. `corporation_ref` is a corporation, its id, or an OuterRef to one. Hires are
    only ever recorded on supported dossiers (approved, under support, closed).
    """
    helped = DayLog.objects.filter(
        assignment__mission__corporation=corporation_ref,
        assignment__mission__dossier=OuterRef("dossier"),
        date__year__lte=ExtractYear(OuterRef("hire_date")),
    )
    return Hire.objects.filter(Exists(helped))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class MissionTransition(TransitionLog):
    """One move of a mission (`grandes_entreprises.workflow.MISSION_WORKFLOW`); append-only."""

    mission = link(SupportMission, "mission", "transitions")
    from_state, to_state = state_fields(MissionStatus)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état de mission"
        verbose_name_plural = "changements d'état de mission"
        constraints, triggers = transition_log_meta("mission_transition")


class ResultKind(models.TextChoices):
    CERTIFICATION = "certification", "Certification obtenue"
    NEW_MARKET = "nouveau_marche", "Nouveau marché"
    PROCESS_IMPROVED = "procede_ameliore", "Procédé amélioré"
    OTHER = "autre", "Autre"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class MissionResult(models.Model):
    """One result a mission produced, e.g. "ISO 9001" certification obtained in March 2007."""

    mission = link(SupportMission, "mission", "results", on_delete=models.CASCADE)
    kind = models.CharField("nature", max_length=20, choices=ResultKind.choices)
    title = models.CharField(
        "intitulé",
        max_length=200,
        help_text="Par exemple : ISO 9001, marché de la maintenance ferroviaire…",
    )
    achieved_on = models.DateField("obtenu le", null=True, blank=True, validators=sane_years())
    description = models.TextField("précisions", blank=True)
    recorded_by, recorded_at = signed("saisi par", "saisi le", "support_mission_results")

    class Meta:
        verbose_name = "résultat de mission"
        verbose_name_plural = "résultats de mission"
        ordering = ["mission", "achieved_on", "pk"]
        constraints = [
            known_choice(
                "kind", ResultKind, "mission_result_kind_known", "Nature de résultat inconnue."
            ),
            check(
                ~Q(kind=ResultKind.CERTIFICATION) | Q(achieved_on__isnull=False),
                "mission_result_certification_dated",
                "Une certification porte sa date d'obtention.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} : {self.title}"

    def clean(self):
        if self.kind == ResultKind.CERTIFICATION and not self.achieved_on:
            raise ValidationError({"achieved_on": "Une certification porte sa date d'obtention."})
        if self.achieved_on and self.achieved_on > timezone.localdate():
            raise ValidationError(
                {"achieved_on": "On n'enregistre que des résultats déjà obtenus : date future."}
            )
