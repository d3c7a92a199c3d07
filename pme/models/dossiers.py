"""Dossiers: one SME's application to the scheme, and the log of its states.

The state machine is data in `pme.workflow`; writes go through `pme.services`.
"""

import datetime
from decimal import Decimal

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from alize.constraints import in_range, sane_years_checked
from alize.modelkit import (
    between,
    check,
    choice_labels,
    choice_values,
    in_choice_order,
    known_choice,
    link,
    optional_link,
    sane_years,
    timestamps,
    unique,
    workflow_state,
)
from alize.models import MONEY, Basin, Epci
from alize.versioning import Versioned
from alize.workflow import TransitionLog, state_fields, transition_log_meta
from pme.models.choices import NAMED_PARTNER_SOURCES, DossierKind, Need, OrientationSource
from pme.models.pmes import Pme
from pme.workflow import (
    DE_MINIMIS_NEXT_ACTION,
    DE_MINIMIS_STATES,
    DECIDED_STATES,
    FINISHED_STATES,
    NEXT_ACTIONS,
    SUPPORTED_STATES,
    DossierState,
)

ONE_OPEN_DOSSIER_MESSAGE = (
    "Cette entreprise a déjà un dossier en cours : clôturez-le ou retirez-le avant d'en "
    "ouvrir un autre."
)


class DossierQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The dossiers of the SMEs the user may see."""
        return self.filter(pme__in=Pme.objects.visible_to(user))

    def for_basin(self, basin: Basin):
        return self.filter(pme__commune__epci__basin=basin)

    def open(self):
        return self.exclude(state__in=FINISHED_STATES)

    def finished(self):
        return self.filter(state__in=FINISHED_STATES)

    def supported(self):
        """Approved dossiers, under support or closed: the ones whose jobs the scheme counts."""
        return self.filter(state__in=SUPPORTED_STATES)

    def in_charge_of(self, user):
        return self.filter(staff_member=user)

    def awaiting_committee(self):
        """Submitted dossiers: the committee's decision is the next thing they wait for."""
        return self.filter(state=DossierState.SUBMITTED)

    def longest_waiting_first(self):
        return self.order_by("state_changed_at", "pk")

    def with_hires_count(self):
        return self.annotate(hires_count=models.Count("hires", distinct=True))

    def jobs_totals(self) -> dict[str, int]:
        """Jobs planned in supported dossiers, and hires actually recorded on them.

        Two separate aggregates: a join of dossiers with their hires would count each
        dossier's planned jobs once per hire.
        """
        supported = self.supported()
        planned = supported.aggregate(total=models.Sum("jobs_planned"))["total"] or 0
        hires = self.model._meta.get_field("hires").related_model
        hires = hires.objects.filter(dossier__in=supported).count()
        return {"jobs_planned": planned, "hires": hires}

    def with_de_minimis_status(self):
        """`has_de_minimis_declaration`: whether the SME has declared its de minimis aid
        (the declarations are `avances`'s, reached through the relation: no import)."""
        declarations = Pme._meta.get_field("de_minimis_declarations").related_model
        return self.annotate(
            has_de_minimis_declaration=models.Exists(
                declarations.objects.filter(pme=models.OuterRef("pme"))
            )
        )

    def with_related(self):
        """What a dossier's pages show: its SME, staff member, prescriber, next action."""
        return self.select_related(
            "pme__commune__epci__basin", "staff_member", "oriented_by_epci"
        ).with_de_minimis_status()


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class Dossier(Versioned):
    """One SME's application to the scheme, from orientation to closing.

    An SME may have several over the years, one open at a time. Its state only changes
    through `pme.services.transition_dossier`, which logs each move.
    """

    pme = link(Pme, "PME", "dossiers")
    project_summary = models.TextField(
        "résumé du projet",
        validators=[MaxLengthValidator(4000, "Le résumé du projet tient en 4 000 caractères.")],
    )
    kind = models.CharField(
        "nature du projet",
        max_length=25,
        choices=DossierKind.choices,
        default=DossierKind.DEVELOPMENT,
    )
    needs = ArrayField(
        models.CharField(max_length=15, choices=Need.choices),
        verbose_name="besoins par domaine",
        default=list,
        error_messages={"blank": "Indiquez au moins un besoin."},
    )
    jobs_planned = models.IntegerField(
        "emplois prévus",
        default=0,
        validators=between(
            0,
            10000,
            "Le nombre d'emplois prévus ne peut pas être négatif.",
            "Le nombre d'emplois prévus semble trop élevé.",
        ),
    )
    jobs_horizon_months = models.IntegerField(
        "horizon des emplois (mois)",
        default=36,
        validators=between(
            1, 120, "L'horizon compte au moins un mois.", "L'horizon ne peut dépasser 120 mois."
        ),
    )
    advance_requested = models.DecimalField(
        "avance demandée (€)",
        **MONEY,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0, "Le montant ne peut pas être négatif.")],
    )
    bank_loans = models.DecimalField(
        "prêts bancaires associés (€)",
        **MONEY,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0, "Le montant ne peut pas être négatif.")],
        help_text="Prêts obtenus en parallèle : ils mesurent l'effet de levier de l'avance.",
    )
    orientation_source = models.CharField(
        "orientée par", max_length=20, choices=OrientationSource.choices
    )
    oriented_by_epci = optional_link(Epci, "intercommunalité prescriptrice", "oriented_dossiers")
    orientation_partner = models.CharField(
        "partenaire prescripteur",
        max_length=200,
        blank=True,
        help_text="Le nom du réseau partenaire ou de la grande entreprise qui a orienté la PME.",
    )
    orientation_date = models.DateField(
        "date d'orientation",
        default=timezone.localdate,
        validators=sane_years(),
    )
    staff_member = optional_link(settings.AUTH_USER_MODEL, "chargé(e) de mission", "pme_dossiers")
    state, state_changed_at = workflow_state(DossierState, DossierState.ORIENTED, max_length=20)
    decision_date = models.DateField(
        "date de décision du comité",
        null=True,
        blank=True,
        editable=False,
        validators=sane_years(),
    )
    created_at, updated_at = timestamps("créé le", "modifié le")

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = "dossier"
        verbose_name_plural = "dossiers"
        ordering = ["-orientation_date", "-pk"]
        constraints = [
            unique(
                ["pme"],
                "dossier_one_open_per_pme",
                ONE_OPEN_DOSSIER_MESSAGE,
                condition=~Q(state__in=choice_values(FINISHED_STATES)),
            ),
            known_choice("state", DossierState, "dossier_state_known", "État de dossier inconnu."),
            check(
                ~Q(state__in=choice_values(DECIDED_STATES)) | Q(decision_date__isnull=False),
                "dossier_decided_has_decision_date",
                "Un dossier agréé, ajourné, refusé, en accompagnement ou clôturé porte la "
                "date de décision du comité.",
            ),
            check(Q(needs__len__gte=1), "dossier_needs_not_empty", "Indiquez au moins un besoin."),
            check(Q(needs__contained_by=Need.values), "dossier_needs_known", "Besoin inconnu."),
            check(
                Q(jobs_planned__gte=0),
                "dossier_jobs_planned_non_negative",
                "Le nombre d'emplois prévus ne peut pas être négatif.",
            ),
            in_range(
                "jobs_horizon_months",
                1,
                120,
                "dossier_jobs_horizon_range",
                "L'horizon des emplois va de 1 à 120 mois.",
            ),
            check(
                Q(advance_requested__gte=0, bank_loans__gte=0),
                "dossier_amounts_non_negative",
                "Les montants ne peuvent pas être négatifs.",
            ),
            check(
                Q(orientation_source=OrientationSource.EPCI, oriented_by_epci__isnull=False)
                | (
                    ~Q(orientation_source=OrientationSource.EPCI) & Q(oriented_by_epci__isnull=True)
                ),
                "dossier_orienting_epci_matches_source",
                "L'intercommunalité prescriptrice se renseigne si, et seulement si, "
                "la PME a été orientée par une intercommunalité.",
            ),
            check(
                ~Q(orientation_source__in=NAMED_PARTNER_SOURCES) | ~Q(orientation_partner=""),
                "dossier_orienting_partner_named",
                "Indiquez le partenaire qui a orienté la PME.",
            ),
        ]
        indexes = [models.Index(fields=["state", "state_changed_at"], name="dossier_state_idx")]

    def __str__(self):
        return f"Dossier n° {self.pk} – {self.pme}" if self.pk else "Nouveau dossier"

    def get_absolute_url(self):
        return reverse("pme:dossier_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if isinstance(self.needs, list):
            self.needs = in_choice_order(self.needs, Need)
        if self.orientation_source == OrientationSource.EPCI and not self.oriented_by_epci_id:
            errors["oriented_by_epci"] = "Indiquez l'intercommunalité qui a orienté la PME."
        if self.orientation_source != OrientationSource.EPCI and self.oriented_by_epci_id:
            errors["oriented_by_epci"] = (
                "Une intercommunalité prescriptrice ne se renseigne que pour une orientation "
                "par une intercommunalité."
            )
        if self.orientation_source in NAMED_PARTNER_SOURCES and not self.orientation_partner:
            errors["orientation_partner"] = "Indiquez le partenaire qui a orienté la PME."
        if self.orientation_date and self.orientation_date > timezone.localdate():
            errors["orientation_date"] = "La date d'orientation ne peut pas être dans le futur."
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.state not in FINISHED_STATES

    @property
    def awaits_de_minimis_declaration(self) -> bool:
        """An advance is asked and the committee is yet to decide, but the SME has not
        declared its de minimis aid: without it no advance can be granted."""
        if self.state not in DE_MINIMIS_STATES or not self.advance_requested:
            return False
        declared = getattr(self, "has_de_minimis_declaration", None)
        if declared is None:
            declared = self.pme.de_minimis_declarations.exists()
        return not declared

    @property
    def next_action(self) -> str:
        if self.awaits_de_minimis_declaration:
            return DE_MINIMIS_NEXT_ACTION
        return NEXT_ACTIONS[self.state]

    @property
    def time_in_state(self) -> datetime.timedelta:
        return timezone.now() - self.state_changed_at

    @property
    def days_in_state(self) -> int:
        return self.time_in_state.days

    @property
    def needs_labels(self) -> list[str]:
        return choice_labels(self.needs, Need)

    @property
    def accepts_hires(self) -> bool:
        return self.state in SUPPORTED_STATES


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class DossierTransition(TransitionLog):
    """One move of a dossier (`pme.workflow.DOSSIER_WORKFLOW`); append-only."""

    dossier = link(Dossier, "dossier", "transitions")
    from_state, to_state = state_fields(DossierState)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état"
        verbose_name_plural = "changements d'état"
        constraints, triggers = transition_log_meta("dossier_transition")
