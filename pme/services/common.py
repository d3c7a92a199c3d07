"""What every writer of the registry checks: the fields a caller may set, the user's
right, and the links of a dossier to its SME's basin."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from pme import permissions
from pme.models import Dossier, Pme

# The fields a caller may set, in the order the forms show them.
PME_FIELDS = (
    "name",
    "siret",
    "legal_form",
    "naf_code",
    "headcount",
    "founding_date",
    "address",
    "commune",
)
CONTACT_FIELDS = ("name", "role", "email", "phone")
# The state, its dates and the SME are the services' business, never the caller's.
DOSSIER_FIELDS = (
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
)


def check_fields(data: dict[str, Any], allowed: tuple[str, ...], what: str) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise TypeError(f"Unexpected {what} fields: {', '.join(sorted(unknown))}")


def require(allowed: bool, reason: str = "") -> None:
    if not allowed:
        raise PermissionDenied(reason or "Vous n'avez pas le droit de faire cette action.")


def require_editable(
    by, pme: Pme, reason: str = "Cette entreprise n'est pas de votre bassin."
) -> None:
    """Refuse, unless `by` works on this SME (the operator's staff of its basin)."""
    require(permissions.can_edit_pme(by, pme), reason)


def require_basin(by, pme: Pme) -> None:
    """Refuse a commune outside the user's basins (the SME follows its commune)."""
    if not permissions.can_create_pme_in_basin(by, pme.commune.epci.basin_id):
        raise ValidationError({"commune": "Cette commune n'est dans aucun de vos bassins."})


def check_dossier_links(dossier: Dossier) -> None:
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
