"""The repayable advances of the demonstration data set (see `demo.loader`).

The 13 Valenciennes advances the approval committee granted in the first period (each at
most 15,000 €, the amount the SME asked for), from the revolving fund fed by the part of
the Caisse des dépôts' and the Diact's contributions earmarked for advances. Each advance
has its de minimis declaration, its contract signed and its money paid out a few weeks
after the decision, and the default terms (36 months including 6 months' grace, monthly
instalments). Most SMEs then pay every instalment when it falls due, up to the real today,
so those whose schedule is over are repaid. Three do not:

- Le Relais de la Scarpe stopped paying in spring 2010: a reminder, then a formal notice,
  and it still shows in the late payments;
- the Menuiserie Bois de la Scarpe missed two instalments after its takeover: a reminder,
  then a new schedule from April 2008 (the first one is kept), which it paid off;
- Thermolaquage de l'Abbaye went into liquidation in 2009: its claim was declared, then a
  staff member asked for the write-off, which the manager approved.

No reference rate is seeded by the application: the demo adds the national rates it needs
to price the advances (indicative values, labelled as such).

Everything goes through the advance services, replayed at the moment it happened
(`demo.base.at`), by the demo accounts: staff for the daily work, the manager for the
grant, the rescheduling and the write-off's approval. One exception: Heuille's dossier is
closed since, and `grant_advance` rightly refuses a closed dossier today; its advance is
written directly, with the service's checks and copies. `load_advances()` can run any number
of times: each step is made only if it is missing (an instalment paid, a letter sent…).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pghistory
from django.db.models import Sum
from django.utils import timezone

from alize.formatting import euros
from alize.models import Contribution
from alize.services import save_contribution
from alize.services.common import create_validated
from avances import models as advance_models
from avances import services
from avances.models import (
    Advance,
    DeMinimisDeclaration,
    DunningKind,
    FundMovement,
    Payment,
    PaymentMeans,
    ProceedingKind,
    ReferenceRate,
    Schedule,
    ScheduleKind,
    WriteOff,
    WriteOffStatus,
)
from avances.selectors import de_minimis_position, fund_balance
from avances.services import (
    check_de_minimis,
    followup,
    grant,
    lock_fund,
    price_advance,
    record_de_minimis_declaration,
    refuse_beyond_available,
    register_contribution,
)
from comites.models import Decision
from demo.base import (
    LoadReport,
    Part,
    about,
    at,
    get_first_period,
    get_funder,
    get_renewal_period,
    get_valenciennois,
    moment,
    table_counts,
    workday,
)
from demo.comites_data import TODAY, TODAY_CONVENED_DAYS, UPCOMING
from demo.pme_data import (
    HEUILLE,
    PIPELINE_DOSSIERS,
    RENEWAL_DOSSIERS,
    VALENCIENNES_DOSSIERS,
    DossierSpec,
)
from pme.models import Dossier

D = datetime.date
T = datetime.time
ZERO = Decimal("0.00")

# --- The data --------------------------------------------------------------------------

# National reference rates (no basin): indicative values for the demo, not official ones.
REFERENCE_RATES = (
    (D(2005, 1, 1), Decimal("4.10")),
    (D(2007, 7, 1), Decimal("5.00")),
)
REFERENCE_RATE_SOURCE = "Valeur indicative de démonstration (taux de base UE + marge)"

# (funder, part of its first-period contribution earmarked for advances)
EARMARKS = (
    ("Caisse des dépôts", Decimal("100000.00")),
    ("Diact", Decimal("60000.00")),
)
# (funder, day the money reached the fund, amount)
FUND_ENTRIES = (
    ("Caisse des dépôts", D(2006, 1, 16), Decimal("60000.00")),
    ("Diact", D(2006, 1, 16), Decimal("40000.00")),
    ("Caisse des dépôts", D(2007, 1, 15), Decimal("40000.00")),
    ("Diact", D(2007, 1, 15), Decimal("20000.00")),
)

# Company serials of the three advances that go wrong.
LATE, RESCHEDULED, WRITTEN_OFF = 22, 11, 15
# The last day each of them paid its instalments on time.
STOPPED_PAYING = {
    LATE: D(2010, 3, 31),
    RESCHEDULED: D(2008, 1, 31),
    WRITTEN_OFF: D(2009, 2, 28),
}
RESCHEDULING = {
    "duration_months": 30,
    "grace_months": 3,
    "reason": (
        "Baisse d'activité l'hiver suivant la reprise : deux échéances impayées. Le capital "
        "restant dû est étalé sur 30 mois, dont 3 de différé, à la demande du repreneur."
    ),
}
LIQUIDATION = {
    "court": "Tribunal de commerce de Valenciennes",
    "representative": "Maître Démo, mandataire judiciaire (fictif)",
}
WRITE_OFF_REASON = (
    "Liquidation judiciaire clôturée pour insuffisance d'actif : la créance déclarée ne "
    "sera pas recouvrée."
)
HEUILLE_AID = {
    "grantor": "Conseil régional Nord-Pas-de-Calais",
    "granted_on": D(2004, 11, 15),
    "amount": Decimal("8000.00"),
    "description": "Aide au conseil (diagnostic qualité)",
}


def advance_specs() -> list[DossierSpec]:
    """The dossiers of the first period, then of the renewal, whose approval granted an
    advance."""
    return [spec for spec in VALENCIENNES_DOSSIERS + RENEWAL_DOSSIERS if spec.advance > 0]


def pending_specs() -> list[DossierSpec]:
    """The dossiers on the agenda of the sessions to come that ask for an advance."""
    serials = TODAY.keys() | UPCOMING.keys()
    return [s for s in PIPELINE_DOSSIERS if s.company.serial in serials and s.advance > 0]


# --- Writing -----------------------------------------------------------------------------

COUNTED = (
    (ReferenceRate, None),
    (DeMinimisDeclaration, "pme__commune__epci__basin"),
    (advance_models.DeMinimisAid, "declaration__pme__commune__epci__basin"),
    (Advance, "basin"),
    (advance_models.Disbursement, "advance__basin"),
    (Schedule, "advance__basin"),
    (advance_models.Instalment, "schedule__advance__basin"),
    (Payment, "advance__basin"),
    (advance_models.Allocation, "payment__advance__basin"),
    (FundMovement, "basin"),
    (advance_models.DunningStep, "advance__basin"),
    (advance_models.CollectiveProceeding, "advance__basin"),
    (WriteOff, "advance__basin"),
)


class _Loader(Part):
    def __init__(self, report: LoadReport):
        super().__init__(report)
        self.today = timezone.localdate()

    # --- The fund

    def reference_rates(self) -> None:
        for valid_from, rate in REFERENCE_RATES:
            if ReferenceRate.objects.filter(basin__isnull=True, valid_from=valid_from).exists():
                continue
            with pghistory.context(user=self.manager.pk):
                create_validated(
                    ReferenceRate,
                    basin=None,
                    valid_from=valid_from,
                    annual_rate_percent=rate,
                    source=REFERENCE_RATE_SOURCE,
                )

    def fund(self) -> None:
        first = get_first_period()
        contributions = {}
        for name, earmarked in EARMARKS:
            contribution = Contribution.objects.get(
                funder=get_funder(name, self.basin), period=first
            )
            # Put back the demo's earmark; a larger one set by hand is kept.
            updated = contribution.earmarked_for_advances < earmarked
            if updated:
                contribution.earmarked_for_advances = earmarked
                with pghistory.context(user=self.manager.pk):
                    save_contribution(contribution=contribution)
            self.report.count(contribution, updated=updated)
            contributions[name] = contribution
        for name, day, amount in FUND_ENTRIES:
            contribution = contributions[name]
            if FundMovement.objects.filter(contribution=contribution, on=day, amount=amount):
                continue
            with at(moment(day, T(10, 0))):
                register_contribution(
                    contribution=contribution,
                    amount=amount,
                    on=day,
                    by=self.staff,
                    label=f"Contribution de {contribution.funder} fléchée vers les avances",
                )

    # --- One advance

    def advance(self, spec: DossierSpec) -> None:
        serial = spec.company.serial
        dossier = Dossier.objects.select_related("pme").get(
            pme__siret=spec.company.siret, orientation_date=spec.oriented_on
        )
        self._declaration(spec, dossier)
        advance = Advance.objects.filter(dossier=dossier).first()
        if advance is None:
            with at(moment(spec.decided_on, T(18, 30))):
                decision = (
                    Decision.objects.filter(item__dossier=dossier, advance_granted=spec.advance)
                    .select_related("item__dossier", "recorded_by")
                    .first()
                )
                if dossier.state in grant.GRANTABLE_DOSSIER_STATES and decision is not None:
                    advance = grant.grant_advance(decision=decision, by=decision.recorded_by)
                else:
                    advance = self._grant_directly(spec, dossier)
        if advance.contract_signed_on is None:
            signed_on = workday(spec.decided_on + datetime.timedelta(days=21))
            with at(moment(signed_on, T(11, 0))):
                advance = services.sign_contract(
                    advance=advance, signed_on=signed_on, by=self.staff
                )
        if not advance.disbursements.exists():
            disbursed_on = workday(advance.contract_signed_on + datetime.timedelta(days=10))
            with at(moment(disbursed_on, T(10, 0))):
                services.disburse_advance(advance=advance, disbursed_on=disbursed_on, by=self.staff)
        if serial == LATE:
            self._pay_until(advance, STOPPED_PAYING[serial])
            self._dunning(advance, formal_notice=True)
        elif serial == RESCHEDULED:
            self._pay_until(advance, STOPPED_PAYING[serial])
            self._dunning(advance, formal_notice=False)
            self._reschedule(advance)
            self._pay_until(advance, self.today)
        elif serial == WRITTEN_OFF:
            self._pay_until(advance, STOPPED_PAYING[serial])
            self._dunning(advance, formal_notice=True)
            self._liquidation(advance)
        else:
            self._pay_until(advance, self.today)

    def _grant_directly(self, spec: DossierSpec, dossier: Dossier) -> Advance:
        """What `grant_advance` writes, for a dossier closed since (Heuille): the service
        rightly refuses a closed dossier today. The same checks, the same copies."""
        terms = services.default_terms(self.basin.pk)
        with pghistory.context(user=self.manager.pk):
            lock_fund(self.basin.pk)
            rate, gge = price_advance(
                basin=self.basin, amount=spec.advance, decision_date=spec.decided_on, **terms
            )
            check_de_minimis(de_minimis_position(pme=dossier.pme, day=spec.decided_on, gge=gge))
            refuse_beyond_available(self.basin.pk, spec.advance)
            advance = create_validated(
                Advance,
                reference=f"AV{spec.decided_on:%Y}-{dossier.pk:05d}",
                dossier=dossier,
                basin=self.basin,
                amount=spec.advance,
                requested_copied=dossier.advance_requested,
                cap_copied=self.basin.cap_on(spec.decided_on),
                decision_date=spec.decided_on,
                reference_rate_copied=rate,
                gross_grant_equivalent=gge,
                granted_by=self.manager,
                **terms,
            )
        return advance

    def _declaration(self, spec: DossierSpec, dossier: Dossier) -> None:
        """The SME's de minimis declaration, signed during the instruction."""
        if DeMinimisDeclaration.objects.filter(
            pme=dossier.pme, declared_on__lte=spec.decided_on
        ).exists():
            return
        declared_on = workday(spec.decided_on - datetime.timedelta(days=28))
        with at(moment(declared_on, T(10, 0))):
            record_de_minimis_declaration(
                pme=dossier.pme,
                declared_on=declared_on,
                signatory=f"{spec.company.contact_name}, {spec.company.contact_role}",
                aids=[HEUILLE_AID] if spec.company == HEUILLE else [],
                by=self.staff,
            )

    def pending_declaration(self, spec: DossierSpec) -> None:
        """The de minimis declaration of an SME on the agenda of a session to come, signed
        before the convocation: the advance it asks for can be granted on the day."""
        dossier = Dossier.objects.select_related("pme").get(
            pme__siret=spec.company.siret, orientation_date=spec.oriented_on
        )
        if DeMinimisDeclaration.objects.filter(pme=dossier.pme).exists():
            return
        declared_on = workday(self.today - datetime.timedelta(days=TODAY_CONVENED_DAYS + 7))
        with at(moment(declared_on, T(10, 0))):
            record_de_minimis_declaration(
                pme=dossier.pme,
                declared_on=declared_on,
                signatory=f"{spec.company.contact_name}, {spec.company.contact_role}",
                aids=[],
                by=self.staff,
            )

    def _first_unpaid(self, advance: Advance) -> datetime.date:
        instalment = services.outstanding_instalments(advance, before=datetime.date.max).first()
        return instalment.due_date

    def _pay_until(self, advance: Advance, until: datetime.date) -> None:
        """Pay, on its due date, every instalment of the active schedule falling due up to
        `until` (never after the real today) and not yet paid."""
        until = min(until, self.today)
        for instalment in services.outstanding_instalments(
            advance, before=until + datetime.timedelta(days=1)
        ):
            with at(moment(instalment.due_date, T(9, 0))):
                services.record_payment(
                    advance=advance,
                    paid_on=instalment.due_date,
                    amount=instalment.remaining,
                    means=PaymentMeans.DIRECT_DEBIT,
                    reference=f"Échéance n° {instalment.number}",
                    by=self.staff,
                )

    def _dunning(self, advance: Advance, *, formal_notice: bool) -> None:
        """A reminder three weeks after the first instalment left unpaid, then (if asked) a
        formal notice a month later."""
        sent = set(advance.dunning_steps.values_list("kind", flat=True))
        steps = [(DunningKind.REMINDER, 20)]
        if formal_notice:
            steps.append((DunningKind.FORMAL_NOTICE, 50))
        for kind, days in steps:
            if kind in sent:
                continue
            sent_on = workday(self._first_unpaid(advance) + datetime.timedelta(days=days))
            with at(moment(sent_on, T(10, 0))):
                followup.record_dunning_step(
                    advance=advance,
                    kind=kind,
                    sent_on=sent_on,
                    by=self.staff,
                    comment="Courrier envoyé en recommandé avec accusé de réception."
                    if kind == DunningKind.FORMAL_NOTICE
                    else "Relance par courrier et appel au dirigeant.",
                )

    def _reschedule(self, advance: Advance) -> None:
        if advance.schedules.filter(kind=ScheduleKind.RESCHEDULING).exists():
            return
        from_date = workday(self._first_unpaid(advance) + datetime.timedelta(days=60))
        with at(moment(from_date, T(15, 0))):
            services.reschedule_advance(
                advance=advance, from_date=from_date, by=self.manager, **RESCHEDULING
            )

    def _liquidation(self, advance: Advance) -> None:
        """The liquidation, the claim declared, the proceeding closed, then the write-off
        asked by staff and approved by the manager."""
        proceeding = advance.proceedings.first()
        if proceeding is None:
            notice = advance.dunning_steps.get(kind=DunningKind.FORMAL_NOTICE).sent_on
            judgment = workday(notice + datetime.timedelta(days=21))
            publication = workday(judgment + datetime.timedelta(days=14))
            with at(moment(publication, T(14, 0))):
                proceeding = followup.open_proceeding(
                    advance=advance,
                    kind=ProceedingKind.LIQUIDATION,
                    judgment_date=judgment,
                    publication_date=publication,
                    by=self.staff,
                    **LIQUIDATION,
                )
        if proceeding.claim_declared_on is None:
            declared_on = workday(proceeding.publication_date + datetime.timedelta(days=21))
            with at(moment(declared_on, T(11, 0))):
                proceeding = followup.record_claim_declaration(
                    proceeding=proceeding, declared_on=declared_on, by=self.staff
                )
        if proceeding.closed_on is None:
            closed_on = workday(proceeding.judgment_date + datetime.timedelta(days=210))
            with at(moment(closed_on, T(16, 0))):
                proceeding = followup.close_proceeding(
                    proceeding=proceeding, closed_on=closed_on, by=self.staff
                )
        write_off = advance.write_offs.first()
        if write_off is None:
            requested_on = workday(proceeding.closed_on + datetime.timedelta(days=10))
            with at(moment(requested_on, T(10, 0))):
                write_off = followup.request_write_off(
                    advance=advance, reason=WRITE_OFF_REASON, by=self.staff
                )
        if write_off.status == WriteOffStatus.REQUESTED:
            approved_on = workday(
                timezone.localdate(write_off.requested_at) + datetime.timedelta(days=7)
            )
            with at(moment(approved_on, T(17, 0))):
                followup.approve_write_off(
                    write_off=write_off,
                    by=self.manager,
                    on=approved_on,
                    comment="Accord du comité technique du fonds : passage en perte.",
                )


def load_advances(report: LoadReport) -> None:
    """The reference rates, the fund's contributions, the 13 advances with their
    declarations, contracts, disbursements, schedules, payments and follow-up; a summary
    line."""
    loader = _Loader(report)
    before = table_counts(COUNTED, [loader.basin])
    loader.reference_rates()
    with about("le fonds d'avances"):
        loader.fund()
    for spec in advance_specs():
        with about(f"l'avance de « {spec.company.name} »"):
            loader.advance(spec)
    for spec in pending_specs():
        with about(f"la déclaration de minimis de « {spec.company.name} »"):
            loader.pending_declaration(spec)
    report.count_tables(before, table_counts(COUNTED, [loader.basin]))
    report.summaries.extend(summary_lines())


def summary_lines() -> list[str]:
    basin = get_valenciennois()
    advances = Advance.objects.for_basin(basin)
    figures = advances.indicators()
    first, renewal = (
        advances.filter(decision_date__range=(period.start_date, period.end_date)).indicators()
        for period in (get_first_period(), get_renewal_period())
    )
    balance = fund_balance(basin.pk)
    contributions = FundMovement.objects.filter(
        basin=basin, kind=advance_models.MovementKind.CONTRIBUTION
    ).aggregate(total=Sum("amount"))["total"]
    return [
        f"Avances : {first['granted_count']} accordées ({euros(first['granted'])}) en première "
        f"période, {renewal['granted_count']} ({euros(renewal['granted'])}) au renouvellement, "
        f"{euros(figures['repaid'], 2)} remboursés ; {advances.late().count()} en retard, "
        f"{advances.rescheduled().count()} rééchelonnée, "
        f"{advances.written_off().count()} passée en perte ; fonds alimenté de "
        f"{euros(contributions or ZERO)}, disponible {euros(balance.available, 2)}."
    ]
