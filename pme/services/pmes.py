"""The writers of SMEs and their contacts, and the opening of a dossier."""

from dataclasses import dataclass
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from alize.services.common import create_validated, save_validated
from alize.versioning import check_version
from pme import permissions
from pme.models import ONE_OPEN_DOSSIER_MESSAGE, Dossier, Pme, PmeContact
from pme.services.common import (
    CONTACT_FIELDS,
    DOSSIER_FIELDS,
    PME_FIELDS,
    check_dossier_links,
    check_fields,
    require,
    require_basin,
    require_editable,
)
from pme.validators import compact_number
from pme.workflow import DossierState

EXISTING_PME_MESSAGE = "Cette entreprise existe déjà : le dossier est rattaché à sa fiche."


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
    check_fields(pme_data, PME_FIELDS, "SME")
    check_fields(dossier_data, DOSSIER_FIELDS, "dossier")
    for contact_data in contacts:
        check_fields(contact_data, CONTACT_FIELDS, "contact")
    require(permissions.is_operator(by), "Seul le personnel de l'opérateur crée des PME.")

    with pghistory.context(user=by.pk):
        pme = _existing_pme_for(by, pme_data.get("siret", ""))
        pme_created = pme is None
        if pme_created:
            pme = Pme(**pme_data)
            pme.full_clean()
            require_basin(by, pme)
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
                    create_validated(PmeContact, pme=pme, **contact_data)
        require_editable(by, pme)

        dossier = Dossier(pme=pme, **dossier_data)
        if dossier.staff_member_id is None:
            dossier.staff_member = by
        dossier.state = DossierState.ORIENTED
        dossier.state_changed_at = timezone.now()
        dossier.full_clean()
        check_dossier_links(dossier)
        try:
            with transaction.atomic():
                dossier.save()
        except IntegrityError as exc:
            raise ValidationError(ONE_OPEN_DOSSIER_MESSAGE) from exc
    return PmeWithDossier(pme=pme, dossier=dossier, pme_created=pme_created)


@transaction.atomic
def update_pme(*, pme: Pme, by, data: dict[str, Any], version: int | None = None) -> Pme:
    """Change an SME's record; its sector and size band follow from the new values.

    `version`: the one the form was drawn from; if a colleague saved the record since, an
    `EditConflict` says what changed and nothing is saved."""
    check_fields(data, PME_FIELDS, "SME")
    with pghistory.context(user=by.pk):
        pme = Pme.objects.select_for_update().get(pk=pme.pk)
        require_editable(by, pme)
        check_version(pme, version)
        for name, value in data.items():
            setattr(pme, name, value)
        pme.full_clean()
        require_basin(by, pme)
        pme.save()
    _refresh_generated(pme)
    return pme


@transaction.atomic
def add_contact(*, pme: Pme, by, data: dict[str, Any]) -> PmeContact:
    check_fields(data, CONTACT_FIELDS, "contact")
    require_editable(by, pme)
    with pghistory.context(user=by.pk):
        return create_validated(PmeContact, pme=pme, **data)


@transaction.atomic
def update_contact(*, contact: PmeContact, by, data: dict[str, Any]) -> PmeContact:
    check_fields(data, CONTACT_FIELDS, "contact")
    require_editable(by, contact.pme)
    with pghistory.context(user=by.pk):
        if "phone" in data:
            # A phone number typed again replaces the old entry kept "à vérifier".
            contact.phone_to_check = ""
        return save_validated(contact, **data)


@transaction.atomic
def remove_contact(*, contact: PmeContact, by) -> None:
    require_editable(by, contact.pme)
    with pghistory.context(user=by.pk):
        contact.delete()
