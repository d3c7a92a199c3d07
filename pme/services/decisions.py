"""The committee's decision applied to its dossier: the one way to approved, deferred or
rejected. Only `comites.services` (and the demo) call it."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from alize.workflow import apply_transition
from pme.models import Dossier
from pme.workflow import DOSSIER_WORKFLOW, DossierState


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
