"""The birth of an advance: the only writer, called by the approval committee's decision.

Protected module: only `comites.services` (and the demo) import it; nothing re-exports it."""

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from alize.formatting import euros, french_date
from alize.services.common import create_validated, lock_row
from avances.models import (
    Advance,
)
from avances.models.advances import POSITIVE_AMOUNT_MESSAGE
from avances.selectors import de_minimis_position
from avances.services.common import as_amount, check_terms, not_in_future
from avances.services.deminimis import check_de_minimis, price_advance
from avances.services.fund import lock_fund, refuse_beyond_available
from grandes_entreprises.models import RevitalisationConvention
from pme.models import Dossier, DossierState

# The committee's approval comes first; the advance is granted on an approved dossier,
# or one already under support (an advance decided at a later session).
GRANTABLE_DOSSIER_STATES = frozenset({DossierState.APPROVED, DossierState.UNDER_SUPPORT})


@transaction.atomic
def grant_advance(
    *,
    decision,
    by,
    duration_months: int | None = None,
    grace_months: int | None = None,
    frequency: str | None = None,
    funding_convention=None,
) -> Advance:
    """Grant the repayable advance the approval committee decided: the only way an advance
    is born.

    `comites.services.record_decision` calls it in its own transaction, once the dossier
    is approved:

        grant_advance(
            decision=decision,                # comites.Decision, recorded: its dossier,
                                              # amount granted and date are the advance's
            by=secretary,                     # who recorded the decision
            duration_months=None,             # None: the basin's default (36), grace included
            grace_months=None,                # None: the basin's default (6), 0 to 12
            frequency=None,                   # None: the basin's default; Frequency.*
            funding_convention=None,          # grandes_entreprises.RevitalisationConvention
        ) -> Advance

    The decision is the authority: it must be recorded (the database accepts one only on
    a closed vote), by `by`; who may record it was checked by the committee's service.

    It locks the basin's fund, then the dossier, and refuses (French `ValidationError`,
    by field where there is one) an amount of zero or less, above the basin's cap in force
    at the decision date, above the amount the SME requested, or above what the fund has
    available (in − out − committed); a second advance on the dossier; terms out of range
    (duration 1–120 months including a grace of 0–12 months, whole quarters if quarterly);
    an SME whose de minimis aid over three years would pass 300,000 € with this advance's
    gross grant equivalent, or who made no de minimis declaration; a convention of another
    basin. The cap, the amount requested, the reference rate and the gross grant
    equivalent are copied onto the advance.
    """
    recorded = type(decision)._default_manager.filter(pk=decision.pk, recorded_by=by)
    if decision.pk is None or not recorded.exists():
        raise PermissionDenied(
            "Une avance s'accorde par la décision du comité d'agrément, enregistrée par "
            "la personne qui l'accorde."
        )
    dossier, amount, decision_date = (
        decision.item.dossier,
        decision.advance_granted,
        decision.decision_date,
    )
    basin_id = Dossier.objects.values_list("pme__commune__epci__basin_id", flat=True).get(
        pk=dossier.pk
    )
    amount = as_amount(amount)
    if amount <= 0:
        raise ValidationError({"amount": POSITIVE_AMOUNT_MESSAGE})
    not_in_future(decision_date, "decision_date")
    with pghistory.context(user=by.pk):
        settings = lock_fund(basin_id)
        dossier = lock_row(Dossier, dossier.pk, "pme__commune__epci__basin")
        basin = dossier.pme.commune.epci.basin
        if dossier.state not in GRANTABLE_DOSSIER_STATES:
            raise ValidationError(
                "Une avance s'accorde sur un dossier agréé par le comité : ce dossier est "
                f"« {dossier.get_state_display()} »."
            )
        existing = Advance.objects.filter(dossier=dossier).values_list("reference", flat=True)
        if existing:
            raise ValidationError(
                f"Ce dossier a déjà une avance ({existing[0]}) : une seule avance par dossier."
            )
        if decision_date < dossier.orientation_date:
            raise ValidationError(
                {
                    "decision_date": (
                        "La décision ne peut précéder l'orientation de l'entreprise "
                        f"({french_date(dossier.orientation_date)})."
                    )
                }
            )
        duration_months = (
            settings.default_duration_months if duration_months is None else duration_months
        )
        grace_months = settings.default_grace_months if grace_months is None else grace_months
        frequency = frequency or settings.default_frequency
        check_terms(duration_months, grace_months, frequency)
        terms = {
            "duration_months": duration_months,
            "grace_months": grace_months,
            "frequency": frequency,
        }

        cap = basin.check_advance_cap(amount, decision_date)
        if amount > dossier.advance_requested:
            raise ValidationError(
                {
                    "amount": (
                        f"{euros(amount, 2)} dépasse le montant demandé par la PME "
                        f"({euros(dossier.advance_requested, 2)})."
                    )
                }
            )
        if funding_convention is not None:
            _check_convention(funding_convention, basin_id)

        rate, gge = price_advance(basin=basin, amount=amount, decision_date=decision_date, **terms)
        check_de_minimis(de_minimis_position(pme=dossier.pme, day=decision_date, gge=gge))
        refuse_beyond_available(basin_id, amount)

        advance = create_validated(
            Advance,
            reference=f"AV{decision_date:%Y}-{dossier.pk:05d}",
            dossier=dossier,
            basin=basin,
            amount=amount,
            requested_copied=dossier.advance_requested,
            cap_copied=cap,
            decision_date=decision_date,
            **terms,
            reference_rate_copied=rate,
            gross_grant_equivalent=gge,
            funding_convention=funding_convention,
            granted_by=by,
        )
    return advance


def _check_convention(convention, basin_id: int) -> None:
    convention = RevitalisationConvention.objects.select_related("corporation").get(
        pk=convention.pk
    )
    if convention.corporation.basin_id != basin_id:
        raise ValidationError(
            {"funding_convention": "Cette convention de revitalisation relève d'un autre bassin."}
        )
    if convention.without_convention:
        raise ValidationError(
            {
                "funding_convention": (
                    "Sans convention, l'entreprise verse sa contribution à l'État : elle ne "
                    "finance pas d'avance."
                )
            }
        )
