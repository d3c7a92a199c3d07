"""The writers of a dossier's content and of its operator's moves, and of its hires."""

import datetime
from typing import Any

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from alize import antivirus
from alize.services.common import save_validated
from alize.versioning import check_version
from alize.workflow import apply_transition
from pme import permissions
from pme.models import Dossier, Hire
from pme.services.common import (
    DOSSIER_FIELDS,
    check_dossier_links,
    check_fields,
    require_editable,
)
from pme.workflow import DOSSIER_WORKFLOW, DossierState


@transaction.atomic
def update_dossier(
    *, dossier: Dossier, by, data: dict[str, Any], version: int | None = None
) -> Dossier:
    """Change what a dossier says (never its state); a finished dossier no longer changes.
    Saved from an older `version` than the record's: `EditConflict`, nothing saved."""
    check_fields(data, DOSSIER_FIELDS, "dossier")
    with pghistory.context(user=by.pk):
        dossier = Dossier.objects.select_for_update().select_related("pme").get(pk=dossier.pk)
        require_editable(by, dossier.pme, "Ce dossier n'est pas de votre bassin.")
        check_version(dossier, version)
        if not dossier.is_open:
            raise ValidationError(
                f"Un dossier « {dossier.get_state_display()} » ne se modifie plus."
            )
        for name, value in data.items():
            setattr(dossier, name, value)
        dossier.full_clean()
        check_dossier_links(dossier)
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


# --- Jobs ------------------------------------------------------------------------------


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

    The dossier is locked so that a hire cannot slip in while it is being withdrawn. The
    evidence is scanned by the antivirus first, outside the transaction.
    """
    evidence_scan = antivirus.ScanStatus.PENDING
    if evidence is not None:
        try:
            evidence_scan = antivirus.scan_upload(
                evidence, what=f"un justificatif d'embauche du dossier n° {dossier.pk}", by=by
            )
        except ValidationError as error:
            raise ValidationError({"evidence": error.messages}) from error
    with transaction.atomic(), pghistory.context(user=by.pk):
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
            hire.evidence_scan = evidence_scan
        return save_validated(hire)
