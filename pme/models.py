"""SMEs (PME), their contacts, their dossiers with their lifecycle log, and the hires made.

Writes go through `pme.services`; the querysets here are the reads. The state machine of
a dossier is data in `pme.workflow`; the NAF sector rule lives in `pme.naf`.
"""

import datetime
import operator
import uuid
from decimal import Decimal
from functools import reduce
from pathlib import Path

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Left
from django.urls import reverse
from django.utils import timezone

from alize.modelkit import validate_phone
from alize.models import MONEY, OPERATOR_ROLES, Basin, Commune, Epci, Funder, Role
from alize.workflow import TransitionLog, state_fields, transition_log_meta
from pme.naf import NAF_CODE_PATTERN, Sector, normalize_naf_code, sector_expression
from pme.validators import (
    DOCUMENT_CONTENT_TYPES,
    DOCUMENT_ENDINGS,
    EMPTY_FILE_MESSAGE,
    TOO_LARGE_MESSAGE,
    UPLOAD_MAX_BYTES,
    compact_number,
    validate_document_file,
    validate_evidence_file,
    validate_naf_code,
    validate_siret,
)
from pme.workflow import (
    DECIDED_STATES,
    FINISHED_STATES,
    NEXT_ACTIONS,
    SUPPORTED_STATES,
    DossierState,
)

__all__ = [
    "Document",
    "DocumentKind",
    "Dossier",
    "DossierState",
    "DossierTransition",
    "Hire",
    "Pme",
    "PmeContact",
    "Sector",
    "SizeBand",
]

HEADCOUNT_LIMIT_MESSAGE = "Une entreprise de 250 salariés ou plus n'est pas une PME."
SIRET_TAKEN_MESSAGE = "Cette entreprise existe déjà : une PME porte déjà ce SIRET."
ONE_OPEN_DOSSIER_MESSAGE = (
    "Cette entreprise a déjà un dossier en cours : clôturez-le ou retirez-le avant d'en "
    "ouvrir un autre."
)


def _values(states) -> list[str]:
    return sorted(str(s) for s in states)


# --- SMEs ------------------------------------------------------------------------------


class LegalForm(models.TextChoices):
    SARL = "SARL", "SARL"
    SAS = "SAS", "SAS"
    SASU = "SASU", "SASU"
    SA = "SA", "SA"
    EURL = "EURL", "EURL"
    EI = "EI", "Entreprise individuelle"
    SCOP = "SCOP", "SCOP"
    OTHER = "autre", "Autre"


class SizeBand(models.TextChoices):
    UNDER_10 = "moins_10", "Moins de 10 salariés"
    FROM_10_TO_49 = "10_49", "10 à 49 salariés"
    FROM_50_TO_249 = "50_249", "50 à 249 salariés"


class PmeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The SMEs a user may read; what they may change is `pme.permissions`' business.

        Operator staff and managers, and the steering committee, read the SMEs of their
        basins; a funder representing an intercommunality reads the SMEs of its territory;
        administrators read all. Committee members read none here: they will reach the
        dossiers of their session's agenda through the committees capability. Contacts are
        personal data and are hidden from all but operators (`can_view_contacts`).
        """
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.ADMIN):
            return self
        scopes = []
        if user.has_role(*OPERATOR_ROLES, Role.STEERING):
            scopes.append(Q(commune__epci__basin__in=user.basins.all()))
        if user.has_role(Role.FUNDER) and user.funder_id:
            # A subquery, not user.funder: no query of its own, and no EPCI means no SME.
            territory = Funder.objects.filter(pk=user.funder_id).values("epci_id")
            scopes.append(Q(commune__epci_id__in=territory))
        if not scopes:
            return self.none()
        return self.filter(reduce(operator.or_, scopes))

    def for_basin(self, basin: Basin):
        return self.filter(commune__epci__basin=basin)

    def with_geography(self):
        return self.select_related("commune__epci__basin")

    def find_by_siret(self, siret: str) -> "Pme | None":
        """The SME with this SIRET, typed with or without spaces, or None."""
        return self.filter(siret=compact_number(siret or "")).first()

    def with_current_dossier(self):
        """Annotate each SME with its current dossier: the open one, else the latest.

        `current_dossier_id` and the `current_*` columns (state, since when, jobs planned,
        orientation source and date, staff member) let a list filter and sort SMEs by where
        their dossier stands, in the same single query.
        """
        current = Dossier.objects.filter(pme=models.OuterRef("pk")).order_by(
            models.Case(
                models.When(state__in=_values(FINISHED_STATES), then=models.Value(1)),
                default=models.Value(0),
            ),
            "-orientation_date",
            "-pk",
        )
        columns = {
            "current_dossier_id": "pk",
            "current_state": "state",
            "current_state_changed_at": "state_changed_at",
            "current_jobs_planned": "jobs_planned",
            "current_orientation_source": "orientation_source",
            "current_orientation_date": "orientation_date",
            "current_staff_member_id": "staff_member_id",
        }
        return self.annotate(
            **{
                name: models.Subquery(current.values(column)[:1])
                for name, column in columns.items()
            }
        )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Pme(models.Model):
    """A small or medium business (under 250 employees) in a basin of the scheme.

    Its intercommunality and basin come from its commune and are never typed again.
    """

    name = models.CharField("raison sociale", max_length=200)
    siret = models.CharField(
        "SIRET",
        max_length=14,
        validators=[validate_siret],
        help_text="14 chiffres : le SIREN de l'entreprise suivi du numéro de l'établissement.",
    )
    # The SIREN is the SIRET's first nine digits: derived, so it can never disagree.
    siren = models.GeneratedField(
        expression=Left("siret", 9),
        output_field=models.CharField(max_length=9),
        db_persist=True,
        verbose_name="SIREN",
    )
    legal_form = models.CharField("forme juridique", max_length=5, choices=LegalForm.choices)
    naf_code = models.CharField(
        "code NAF/APE",
        max_length=6,
        validators=[validate_naf_code],
        help_text="Par exemple 25.62B.",
    )
    sector = models.GeneratedField(
        expression=sector_expression("naf_code"),
        output_field=models.CharField(max_length=12),
        db_persist=True,
        choices=Sector.choices,
        verbose_name="secteur",
    )
    headcount = models.IntegerField(
        "effectif salarié",
        validators=[
            MinValueValidator(0, "L'effectif ne peut pas être négatif."),
            MaxValueValidator(249, HEADCOUNT_LIMIT_MESSAGE),
        ],
    )
    size_band = models.GeneratedField(
        expression=models.Case(
            models.When(headcount__lt=10, then=models.Value(SizeBand.UNDER_10.value)),
            models.When(headcount__lt=50, then=models.Value(SizeBand.FROM_10_TO_49.value)),
            default=models.Value(SizeBand.FROM_50_TO_249.value),
        ),
        output_field=models.CharField(max_length=8),
        db_persist=True,
        choices=SizeBand.choices,
        verbose_name="tranche d'effectif",
    )
    founding_date = models.DateField("date de création", null=True, blank=True)
    address = models.CharField("adresse", max_length=250)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="pmes", verbose_name="commune"
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = PmeQuerySet.as_manager()

    class Meta:
        verbose_name = "PME"
        verbose_name_plural = "PME"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["siret"],
                name="pme_siret_unique",
                violation_error_message=SIRET_TAKEN_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(siret__regex=r"^\d{14}$"),
                name="pme_siret_format",
                violation_error_message="Le SIRET doit compter 14 chiffres.",
            ),
            models.CheckConstraint(
                condition=Q(naf_code__regex=NAF_CODE_PATTERN),
                name="pme_naf_code_format",
                violation_error_message="Le code NAF/APE est mal formé.",
            ),
            models.CheckConstraint(
                condition=Q(headcount__gte=0),
                name="pme_headcount_non_negative",
                violation_error_message="L'effectif ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(headcount__lt=250),
                name="pme_headcount_under_250",
                violation_error_message=HEADCOUNT_LIMIT_MESSAGE,
            ),
        ]
        indexes = [models.Index(fields=["naf_code"], name="pme_naf_code_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("pme:pme_detail", args=[self.pk])

    def clean_fields(self, exclude=None):
        # Read the numbers as people type them ("356 000 000 00048", "25.62 b").
        self.siret = compact_number(self.siret)
        self.naf_code = normalize_naf_code(self.naf_code)
        super().clean_fields(exclude=exclude)

    def clean(self):
        if self.founding_date and self.founding_date > timezone.localdate():
            raise ValidationError(
                {"founding_date": "La date de création ne peut pas être dans le futur."}
            )

    @property
    def epci(self) -> Epci:
        return self.commune.epci

    @property
    def basin(self) -> Basin:
        return self.commune.epci.basin


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class PmeContact(models.Model):
    """A person to talk to at an SME. Personal data: shown to operator staff only."""

    pme = models.ForeignKey(
        Pme, on_delete=models.CASCADE, related_name="contacts", verbose_name="PME"
    )
    name = models.CharField("nom et prénom", max_length=150)
    role = models.CharField("fonction", max_length=120, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    phone = models.CharField("téléphone", max_length=25, blank=True, validators=[validate_phone])

    class Meta:
        verbose_name = "contact"
        verbose_name_plural = "contacts"
        ordering = ["pme", "name"]

    def __str__(self):
        return f"{self.name} ({self.role})" if self.role else self.name


# --- Dossiers --------------------------------------------------------------------------


class DossierKind(models.TextChoices):
    DEVELOPMENT = "developpement", "Développement"
    TAKEOVER = "reprise_transmission", "Reprise-transmission"
    OTHER = "autre", "Autre"


class Need(models.TextChoices):
    MANAGEMENT = "management", "Management"
    PRODUCTION = "production", "Production"
    SALES = "commercial", "Commercial"
    HR = "rh", "Ressources humaines"
    QUALITY = "qualite", "Qualité"
    FINANCE = "finance", "Finance"
    OTHER = "autre", "Autre"


class OrientationSource(models.TextChoices):
    EPCI = "intercommunalite", "Intercommunalité"
    PARTNER_NETWORK = (
        "reseau_partenaire",
        "Réseau partenaire (plateforme d'initiative locale, boutique de gestion…)",
    )
    CORPORATION = "grande_entreprise", "Grande entreprise"
    CCI = "cci", "Chambre de commerce et d'industrie"
    SPONTANEOUS = "spontanee", "Démarche spontanée"


# Sources whose partner must be named, so the operator can show each what it brought.
NAMED_PARTNER_SOURCES = (OrientationSource.PARTNER_NETWORK, OrientationSource.CORPORATION)


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
        hires = Hire.objects.filter(dossier__in=supported).count()
        return {"jobs_planned": planned, "hires": hires}

    def with_related(self):
        return self.select_related("pme__commune__epci__basin", "staff_member", "oriented_by_epci")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Dossier(models.Model):
    """One SME's application to the scheme, from orientation to closing.

    An SME may have several over the years, one open at a time. Its state only changes
    through `pme.services.transition_dossier`, which logs each move.
    """

    pme = models.ForeignKey(
        Pme, on_delete=models.PROTECT, related_name="dossiers", verbose_name="PME"
    )
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
        validators=[
            MinValueValidator(0, "Le nombre d'emplois prévus ne peut pas être négatif."),
            MaxValueValidator(10000, "Le nombre d'emplois prévus semble trop élevé."),
        ],
    )
    jobs_horizon_months = models.IntegerField(
        "horizon des emplois (mois)",
        default=36,
        validators=[
            MinValueValidator(1, "L'horizon compte au moins un mois."),
            MaxValueValidator(120, "L'horizon ne peut dépasser 120 mois."),
        ],
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
    oriented_by_epci = models.ForeignKey(
        Epci,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="oriented_dossiers",
        verbose_name="intercommunalité prescriptrice",
    )
    orientation_partner = models.CharField(
        "partenaire prescripteur",
        max_length=200,
        blank=True,
        help_text="Le nom du réseau partenaire ou de la grande entreprise qui a orienté la PME.",
    )
    orientation_date = models.DateField("date d'orientation", default=timezone.localdate)
    staff_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pme_dossiers",
        verbose_name="chargé(e) de mission",
    )
    state = models.CharField(
        "état",
        max_length=20,
        choices=DossierState.choices,
        default=DossierState.ORIENTED,
        editable=False,
    )
    state_changed_at = models.DateTimeField(
        "dans cet état depuis", default=timezone.now, editable=False
    )
    decision_date = models.DateField(
        "date de décision du comité", null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = "dossier"
        verbose_name_plural = "dossiers"
        ordering = ["-orientation_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pme"],
                condition=~Q(state__in=_values(FINISHED_STATES)),
                name="dossier_one_open_per_pme",
                violation_error_message=ONE_OPEN_DOSSIER_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(state__in=_values(DossierState)),
                name="dossier_state_known",
                violation_error_message="État de dossier inconnu.",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=_values(DECIDED_STATES)) | Q(decision_date__isnull=False),
                name="dossier_decided_has_decision_date",
                violation_error_message=(
                    "Un dossier agréé, ajourné, refusé, en accompagnement ou clôturé porte la "
                    "date de décision du comité."
                ),
            ),
            models.CheckConstraint(
                condition=Q(needs__len__gte=1),
                name="dossier_needs_not_empty",
                violation_error_message="Indiquez au moins un besoin.",
            ),
            models.CheckConstraint(
                condition=Q(needs__contained_by=Need.values),
                name="dossier_needs_known",
                violation_error_message="Besoin inconnu.",
            ),
            models.CheckConstraint(
                condition=Q(jobs_planned__gte=0),
                name="dossier_jobs_planned_non_negative",
                violation_error_message="Le nombre d'emplois prévus ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(jobs_horizon_months__gte=1, jobs_horizon_months__lte=120),
                name="dossier_jobs_horizon_range",
                violation_error_message="L'horizon des emplois va de 1 à 120 mois.",
            ),
            models.CheckConstraint(
                condition=Q(advance_requested__gte=0, bank_loans__gte=0),
                name="dossier_amounts_non_negative",
                violation_error_message="Les montants ne peuvent pas être négatifs.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(orientation_source=OrientationSource.EPCI, oriented_by_epci__isnull=False)
                    | (
                        ~Q(orientation_source=OrientationSource.EPCI)
                        & Q(oriented_by_epci__isnull=True)
                    )
                ),
                name="dossier_orienting_epci_matches_source",
                violation_error_message=(
                    "L'intercommunalité prescriptrice se renseigne si, et seulement si, "
                    "la PME a été orientée par une intercommunalité."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(orientation_source__in=NAMED_PARTNER_SOURCES)
                | ~Q(orientation_partner=""),
                name="dossier_orienting_partner_named",
                violation_error_message="Indiquez le partenaire qui a orienté la PME.",
            ),
        ]
        indexes = [models.Index(fields=["state", "state_changed_at"], name="dossier_state_idx")]

    def __str__(self):
        return f"Dossier n° {self.pk} – {self.pme}" if self.pk else "Nouveau dossier"

    def get_absolute_url(self):
        return reverse("pme:dossier_detail", args=[self.pk])

    def clean(self):
        errors = {}
        # One entry per domain, in the order of the choices.
        if isinstance(self.needs, list):
            self.needs = [need for need in Need.values if need in self.needs] + [
                need for need in dict.fromkeys(self.needs) if need not in Need.values
            ]
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
    def next_action(self) -> str:
        return NEXT_ACTIONS[self.state]

    @property
    def time_in_state(self) -> datetime.timedelta:
        return timezone.now() - self.state_changed_at

    @property
    def days_in_state(self) -> int:
        return self.time_in_state.days

    @property
    def needs_labels(self) -> list[str]:
        return [Need(need).label for need in self.needs]

    @property
    def accepts_hires(self) -> bool:
        return self.state in SUPPORTED_STATES


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class DossierTransition(TransitionLog):
    """One move of a dossier (`pme.workflow.DOSSIER_WORKFLOW`); append-only."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="transitions", verbose_name="dossier"
    )
    from_state, to_state = state_fields(DossierState)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état"
        verbose_name_plural = "changements d'état"
        constraints, triggers = transition_log_meta("dossier_transition")


# --- Jobs ------------------------------------------------------------------------------


def hire_evidence_path(instance, filename: str) -> str:
    """Store evidence under a random name: never the name the user's computer gave it."""
    suffix = Path(filename).suffix.lower()
    if suffix not in {".pdf", ".png", ".jpg", ".jpeg"}:
        suffix = ""
    return f"pme/preuves/{uuid.uuid4().hex}{suffix}"


class ContractKind(models.TextChoices):
    CDI = "cdi", "CDI"
    CDD_6_MONTHS = "cdd_6_mois", "CDD de 6 mois ou plus"
    OTHER = "autre", "Autre"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Hire(models.Model):
    """One person actually hired by a supported SME. Planned jobs live on the dossier."""

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="hires", verbose_name="dossier"
    )
    hire_date = models.DateField("date d'embauche")
    contract = models.CharField("contrat", max_length=12, choices=ContractKind.choices)
    job_title = models.CharField("poste", max_length=150, blank=True)
    evidence = models.FileField(
        "justificatif",
        upload_to=hire_evidence_path,
        max_length=120,
        blank=True,
        validators=[validate_evidence_file],
        help_text="Facultatif : PDF, JPEG ou PNG, 10 Mo au plus.",
    )
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    class Meta:
        verbose_name = "embauche"
        verbose_name_plural = "embauches"
        ordering = ["dossier", "hire_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract__in=ContractKind.values),
                name="hire_contract_known",
                violation_error_message="Type de contrat inconnu.",
            ),
        ]

    def __str__(self):
        return f"{self.get_contract_display()} le {self.hire_date:%d/%m/%Y}"

    def clean(self):
        if self.hire_date and self.hire_date > timezone.localdate():
            raise ValidationError(
                {"hire_date": "On n'enregistre que les embauches déjà faites : date dans le futur."}
            )
        dossier = self.dossier if self.dossier_id else None
        if dossier and self.hire_date and self.hire_date < dossier.orientation_date:
            raise ValidationError(
                {
                    "hire_date": (
                        "Cette embauche précède l'orientation de l'entreprise vers Alizé "
                        f"({dossier.orientation_date:%d/%m/%Y}) : elle ne compte pas."
                    )
                }
            )


# --- Documents -------------------------------------------------------------------------


def document_path(instance, filename: str) -> str:
    """A random name under pme/documents/: never the name the user's computer gave it.

    MEDIA_ROOT is outside the web root and never served: files go out through a view that
    checks who is asking.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in DOCUMENT_ENDINGS:
        suffix = ""
    return f"pme/documents/{uuid.uuid4().hex}{suffix}"


class DocumentKind(models.TextChoices):
    STATUTES = "statuts", "Statuts"
    ACCOUNTS = "bilan", "Bilan et comptes annuels"
    KBIS = "kbis", "Extrait Kbis"
    QUOTE = "devis", "Devis"
    FINANCING_PLAN = "plan_financement", "Plan de financement"
    OTHER = "autre", "Autre"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Document(models.Model):
    """A file attached to a dossier: PDF, image or office file of at most 10 Mo.

    Its type is read from its content (`pme.validators.detect_file_type`); it is stored
    under a generated name and handed out only by `pme.document_views`. Written and
    deleted through `pme.documents`.
    """

    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="documents", verbose_name="dossier"
    )
    title = models.CharField("titre", max_length=200)
    kind = models.CharField(
        "nature", max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER
    )
    file = models.FileField(
        "fichier",
        upload_to=document_path,
        max_length=120,
        validators=[validate_document_file],
        help_text="PDF, image (PNG, JPEG) ou fichier bureautique, 10 Mo au plus.",
    )
    original_name = models.CharField("nom du fichier d'origine", max_length=255)
    size = models.PositiveIntegerField(
        "taille (octets)",
        validators=[
            MinValueValidator(1, EMPTY_FILE_MESSAGE),
            MaxValueValidator(UPLOAD_MAX_BYTES, TOO_LARGE_MESSAGE),
        ],
    )
    content_type = models.CharField("type de contenu", max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pme_documents",
        verbose_name="déposé par",
    )
    uploaded_at = models.DateTimeField("déposé le", default=timezone.now)

    class Meta:
        verbose_name = "document"
        verbose_name_plural = "documents"
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values),
                name="document_kind_known",
                violation_error_message="Nature de document inconnue.",
            ),
            models.CheckConstraint(
                condition=Q(content_type__in=DOCUMENT_CONTENT_TYPES),
                name="document_content_type_allowed",
                violation_error_message=(
                    "Le contenu du fichier ne correspond pas à un document autorisé "
                    "(PDF, image, bureautique)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(size__gte=1),
                name="document_not_empty",
                violation_error_message=EMPTY_FILE_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(size__lte=UPLOAD_MAX_BYTES),
                name="document_size_limit",
                violation_error_message=TOO_LARGE_MESSAGE,
            ),
            models.CheckConstraint(
                condition=~Q(file=""),
                name="document_file_stored",
                violation_error_message="Joignez un fichier.",
            ),
        ]

    def __str__(self):
        return self.title
