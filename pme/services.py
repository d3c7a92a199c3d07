"""The writers of SMEs, dossiers and hires.

Each service validates (`full_clean()`), then saves, inside one transaction, and runs under
a pghistory context naming the user, so the audit trail says who even outside a request.
A refused action raises a French `ValidationError` (bad data, illegal move) or
`PermissionDenied` (the user may not do it); nothing is half-saved.
"""

import datetime
from dataclasses import dataclass
from typing import Any

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from alize.workflow import apply_transition
from pme import permissions
from pme.models import (
    ONE_OPEN_DOSSIER_MESSAGE,
    Dossier,
    Hire,
    Pme,
    PmeContact,
)
from pme.validators import compact_number
from pme.workflow import DOSSIER_WORKFLOW, DossierState

EXISTING_PME_MESSAGE = "Cette entreprise existe déjà : le dossier est rattaché à sa fiche."

PME_FIELDS = frozenset(
    {"name", "siret", "legal_form", "naf_code", "headcount", "founding_date", "address", "commune"}
)
CONTACT_FIELDS = frozenset({"name", "role", "email", "phone"})
# The state, its dates and the SME are the services' business, never the caller's.
DOSSIER_FIELDS = frozenset(
    {
        "project_summary",
        "kind",
        "needs",
        "jobs_planned",
        "jobs_horizon_months",
        "advance_requested",
        "bank_loans",
        "orientation_source",
        "oriented_by_epci",
        "orientation_partner",
        "orientation_date",
        "staff_member",
    }
)


def _check_fields(data: dict[str, Any], allowed: frozenset[str], what: str) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise TypeError(f"Unexpected {what} fields: {', '.join(sorted(unknown))}")


def _require(allowed: bool, reason: str = "") -> None:
    if not allowed:
        raise PermissionDenied(reason or "Vous n'avez pas le droit de faire cette action.")


def _check_dossier_links(dossier: Dossier) -> None:
    """The orienting intercommunality and the staff member belong to the SME's basin."""
    basin_id = dossier.pme.commune.epci.basin_id
    errors = {}
    if dossier.oriented_by_epci and dossier.oriented_by_epci.basin_id != basin_id:
        errors["oriented_by_epci"] = (
            "Cette intercommunalité n'appartient pas au bassin de l'entreprise."
        )
    staff_member = dossier.staff_member
    if staff_member and not (
        permissions.is_operator(staff_member) and staff_member.basins.filter(pk=basin_id).exists()
    ):
        errors["staff_member"] = (
            "Le dossier se confie à un(e) chargé(e) de mission du bassin de l'entreprise."
        )
    if errors:
        raise ValidationError(errors)


# --- SMEs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PmeWithDossier:
    pme: Pme
    dossier: Dossier
    pme_created: bool

    @property
    def message(self) -> str:
        return "" if self.pme_created else EXISTING_PME_MESSAGE


def _refresh_generated(pme: Pme) -> None:
    # Generated columns are computed by PostgreSQL; an UPDATE does not return them.
    pme.refresh_from_db(fields=["siren", "sector", "size_band"])


def _existing_pme_for(by, siret: str) -> Pme | None:
    """The SME already registered with this SIRET, locked, if the user may work on it."""
    existing = Pme.objects.select_for_update().filter(siret=compact_number(siret or "")).first()
    if existing and not Pme.objects.visible_to(by).filter(pk=existing.pk).exists():
        raise ValidationError(
            {
                "siret": (
                    "Cette entreprise existe déjà et relève d'un autre bassin : "
                    "rapprochez-vous de son opérateur."
                )
            }
        )
    return existing


@transaction.atomic
def create_pme_with_dossier(
    *,
    by,
    pme_data: dict[str, Any],
    dossier_data: dict[str, Any],
    contacts: list[dict[str, Any]] = (),
) -> PmeWithDossier:
    """Register an SME and open its first dossier, in one go.

    A SIRET already registered does not make a duplicate: the dossier is opened on the
    existing SME (whose record is left as it was, contacts included) and the result says
    so (`pme_created` is False, `message` tells the user). The dossier starts "oriented",
    in charge of `by` unless another staff member is named.
    """
    _check_fields(pme_data, PME_FIELDS, "SME")
    _check_fields(dossier_data, DOSSIER_FIELDS, "dossier")
    for contact_data in contacts:
        _check_fields(contact_data, CONTACT_FIELDS, "contact")
    _require(permissions.is_operator(by), "Seul le personnel de l'opérateur crée des PME.")

    with pghistory.context(user=by.pk):
        pme = _existing_pme_for(by, pme_data.get("siret", ""))
        pme_created = pme is None
        if pme_created:
            pme = Pme(**pme_data)
            pme.full_clean()
            if not permissions.can_create_pme_in_basin(by, pme.commune.epci.basin_id):
                raise ValidationError({"commune": "Cette commune n'est dans aucun de vos bassins."})
            try:
                # A savepoint: a colleague may register the same SIRET at the same moment.
                with transaction.atomic():
                    pme.save()
            except IntegrityError:
                pme = _existing_pme_for(by, pme.siret)
                if pme is None:
                    raise
                pme_created = False
            else:
                for contact_data in contacts:
                    contact = PmeContact(pme=pme, **contact_data)
                    contact.full_clean()
                    contact.save()
        _require(permissions.can_edit_pme(by, pme), "Cette entreprise n'est pas de votre bassin.")

        dossier = Dossier(pme=pme, **dossier_data)
        if dossier.staff_member_id is None:
            dossier.staff_member = by
        dossier.state = DossierState.ORIENTED
        dossier.state_changed_at = timezone.now()
        dossier.full_clean()
        _check_dossier_links(dossier)
        try:
            with transaction.atomic():
                dossier.save()
        except IntegrityError as exc:
            raise ValidationError(ONE_OPEN_DOSSIER_MESSAGE) from exc
    return PmeWithDossier(pme=pme, dossier=dossier, pme_created=pme_created)


@transaction.atomic
def update_pme(*, pme: Pme, by, data: dict[str, Any]) -> Pme:
    """Change an SME's record; its sector and size band follow from the new values."""
    _check_fields(data, PME_FIELDS, "SME")
    with pghistory.context(user=by.pk):
        pme = Pme.objects.select_for_update().get(pk=pme.pk)
        _require(permissions.can_edit_pme(by, pme), "Cette entreprise n'est pas de votre bassin.")
        for name, value in data.items():
            setattr(pme, name, value)
        pme.full_clean()
        if not permissions.can_create_pme_in_basin(by, pme.commune.epci.basin_id):
            raise ValidationError({"commune": "Cette commune n'est dans aucun de vos bassins."})
        pme.save()
    _refresh_generated(pme)
    return pme


@transaction.atomic
def add_contact(*, pme: Pme, by, data: dict[str, Any]) -> PmeContact:
    _check_fields(data, CONTACT_FIELDS, "contact")
    _require(permissions.can_edit_pme(by, pme), "Cette entreprise n'est pas de votre bassin.")
    with pghistory.context(user=by.pk):
        contact = PmeContact(pme=pme, **data)
        contact.full_clean()
        contact.save()
    return contact


@transaction.atomic
def update_contact(*, contact: PmeContact, by, data: dict[str, Any]) -> PmeContact:
    _check_fields(data, CONTACT_FIELDS, "contact")
    _require(
        permissions.can_edit_pme(by, contact.pme), "Cette entreprise n'est pas de votre bassin."
    )
    with pghistory.context(user=by.pk):
        for name, value in data.items():
            setattr(contact, name, value)
        contact.full_clean()
        contact.save()
    return contact


@transaction.atomic
def remove_contact(*, contact: PmeContact, by) -> None:
    _require(
        permissions.can_edit_pme(by, contact.pme), "Cette entreprise n'est pas de votre bassin."
    )
    with pghistory.context(user=by.pk):
        contact.delete()


# --- Dossiers --------------------------------------------------------------------------


@transaction.atomic
def update_dossier(*, dossier: Dossier, by, data: dict[str, Any]) -> Dossier:
    """Change what a dossier says (never its state); a finished dossier no longer changes."""
    _check_fields(data, DOSSIER_FIELDS, "dossier")
    with pghistory.context(user=by.pk):
        dossier = Dossier.objects.select_for_update().select_related("pme").get(pk=dossier.pk)
        _require(permissions.can_edit_pme(by, dossier.pme), "Ce dossier n'est pas de votre bassin.")
        if not dossier.is_open:
            raise ValidationError(
                f"Un dossier « {dossier.get_state_display()} » ne se modifie plus."
            )
        for name, value in data.items():
            setattr(dossier, name, value)
        dossier.full_clean()
        _check_dossier_links(dossier)
        dossier.save()
    return dossier


def transition_dossier(
    *,
    dossier: Dossier,
    to_state: str,
    by,
    comment: str = "",
    expected_state: str | None = None,
) -> Dossier:
    """Move a dossier along its workflow, if the table allows it and the user may.

    The operator's moves only: the committee's decisions (approved, deferred, rejected)
    are refused here, they come with the committee's recorded decision (`decide_dossier`).
    The dossier's row is locked first: of two people making the same move at once, the
    second finds the dossier already moved and is refused. `expected_state`, when given
    (the state the user saw), refuses any move if the dossier changed in between. Writes
    exactly one log row and returns the updated dossier.
    """
    return apply_transition(
        DOSSIER_WORKFLOW,
        dossier,
        to=DossierState(to_state),
        by=by,
        comment=comment,
        expected=expected_state,
        permission=permissions.can_apply_transition,
    )


def decide_dossier(*, decision, by, comment: str = "") -> Dossier:
    """Move a submitted dossier as the approval committee decided: the one way to approved,
    deferred or rejected.

    `decision` is the committee's recorded decision (`comites.models.Decision`, saved, on a
    closed vote: the database refuses any other), which names its dossier, the state it
    leads to and its date; who may record it was checked by `comites.services`. The
    decision date is stamped on the dossier.
    """
    recorded = type(decision)._default_manager.filter(pk=decision.pk)
    if decision.pk is None or not recorded.exists():
        raise ValidationError("La décision du comité s'enregistre avant de s'appliquer au dossier.")

    def stamp(locked: Dossier, transition) -> None:
        if decision.decision_date > timezone.localdate():
            raise ValidationError(
                {"decision_date": "La date de décision ne peut pas être dans le futur."}
            )
        locked.decision_date = decision.decision_date

    return apply_transition(
        DOSSIER_WORKFLOW,
        decision.item.dossier,
        to=decision.dossier_state,
        by=by,
        comment=comment,
        expected=DossierState.SUBMITTED,
        stamp=stamp,
    )


# --- Jobs ------------------------------------------------------------------------------


@transaction.atomic
def record_hire(
    *,
    dossier: Dossier,
    by,
    hire_date: datetime.date,
    contract: str,
    job_title: str = "",
    evidence=None,
) -> Hire:
    """Record one hire made by a supported SME (approved, under support or closed).

    The dossier is locked so that a hire cannot slip in while it is being withdrawn.
    """
    with pghistory.context(user=by.pk):
        locked = Dossier.objects.select_for_update().select_related("pme").get(pk=dossier.pk)
        allowed, reason = permissions.can_record_hire(by, locked)
        if not allowed:
            if permissions.can_edit_pme(by, locked.pme):
                raise ValidationError(reason)
            raise PermissionDenied(reason)
        hire = Hire(
            dossier=locked,
            hire_date=hire_date,
            contract=contract,
            job_title=job_title,
        )
        if evidence is not None:
            hire.evidence = evidence
        hire.full_clean()
        hire.save()
    return hire
