"""SMEs (PME) and the people to talk to there."""

import operator
from functools import reduce

import pghistory
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Left
from django.urls import reverse
from django.utils import timezone

from alize.constraints import sane_years_checked
from alize.modelkit import (
    Contact,
    between,
    check,
    choice_values,
    link,
    sane_years,
    timestamps,
    unique,
)
from alize.models import OPERATOR_ROLES, Basin, Commune, Epci, Funder, Role
from alize.versioning import Versioned
from pme.models.choices import LegalForm, SizeBand
from pme.naf import NAF_CODE_PATTERN, Sector, normalize_naf_code, sector_expression
from pme.validators import (
    compact_number,
    validate_naf_code,
    validate_siret,
)
from pme.workflow import (
    FINISHED_STATES,
)

HEADCOUNT_LIMIT_MESSAGE = "Une entreprise de 250 salariés ou plus n'est pas une PME."
SIRET_TAKEN_MESSAGE = "Cette entreprise existe déjà : une PME porte déjà ce SIRET."


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
        """The SME with this SIRET, typed with or without spaces, or None.

        Anything but fourteen digits is no SIRET: the database is not asked (the form
        that called says what is wrong with it)."""
        siret = compact_number(siret or "")
        if not (
            isinstance(siret, str) and len(siret) == 14 and siret.isascii() and siret.isdigit()
        ):
            return None
        return self.filter(siret=siret).first()

    def with_current_dossier(self):
        """Annotate each SME with its current dossier: the open one, else the latest.

        `current_dossier_id` and the `current_*` columns (state, since when, jobs planned,
        orientation source and date, staff member) let a list filter and sort SMEs by where
        their dossier stands, in the same single query.
        """
        # The dossier model, reached through its relation: it is defined on top of this one.
        dossiers = self.model._meta.get_field("dossiers").related_model
        current = dossiers.objects.filter(pme=models.OuterRef("pk")).order_by(
            models.Case(
                models.When(state__in=choice_values(FINISHED_STATES), then=models.Value(1)),
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
@sane_years_checked
class Pme(Versioned):
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
        validators=between(0, 249, "L'effectif ne peut pas être négatif.", HEADCOUNT_LIMIT_MESSAGE),
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
    founding_date = models.DateField(
        "date de création",
        null=True,
        blank=True,
        validators=sane_years(1800),
    )
    address = models.CharField("adresse", max_length=250)
    commune = link(Commune, "commune", "pmes")
    created_at, updated_at = timestamps("créée le", "modifiée le")

    objects = PmeQuerySet.as_manager()

    class Meta:
        verbose_name = "PME"
        verbose_name_plural = "PME"
        ordering = ["name"]
        constraints = [
            unique(["siret"], "pme_siret_unique", SIRET_TAKEN_MESSAGE),
            check(
                Q(siret__regex=r"^\d{14}$"),
                "pme_siret_format",
                "Le SIRET doit compter 14 chiffres.",
            ),
            check(
                Q(naf_code__regex=NAF_CODE_PATTERN),
                "pme_naf_code_format",
                "Le code NAF/APE est mal formé.",
            ),
            check(
                Q(headcount__gte=0),
                "pme_headcount_non_negative",
                "L'effectif ne peut pas être négatif.",
            ),
            check(Q(headcount__lt=250), "pme_headcount_under_250", HEADCOUNT_LIMIT_MESSAGE),
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
class PmeContact(Contact):
    """A person to talk to at an SME. Personal data: shown to operator staff only."""

    pme = link(Pme, "PME", "contacts", on_delete=models.CASCADE)

    class Meta(Contact.Meta):
        ordering = ["pme", "name"]
