"""The SMEs and dossiers of the demonstration data set (the data: `demo.pme_data`).

The Valenciennois dossiers live their life through the real services (creation,
`transition_dossier`, `record_hire`), performed by the demo accounts at the dates the
actions happened, so their transition log reads like the real one. The comparison basin's
are written directly, as another operator's records would be imported.

Like the rest of the demo, `load_pmes()` can run any number of times: an SME is found by
its SIRET, a dossier by its SME and orientation date, a hire by its date, contract and
post; only what is missing is created, only what differs is put back.
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Sum

from alize.models import Commune
from alize.workflow import apply_transition
from demo.base import (
    DemoDataError,
    LoadReport,
    Part,
    about,
    clock_at,
    differences,
    get_comparison_basin,
    get_first_period,
    get_renewal_period,
    get_valenciennois,
    moment,
    save_directly,
)
from demo.pme_data import (
    COMPARISON_DOSSIERS,
    PIPELINE_DOSSIERS,
    RENEWAL_DOSSIERS,
    VALENCIENNES_DOSSIERS,
    Company,
    DossierSpec,
)
from pme import services
from pme.models import Dossier, DossierState, DossierTransition, Hire, Pme, PmeContact
from pme.workflow import DOSSIER_WORKFLOW, SUPPORTED_STATES

S = DossierState

# The hour of the day each kind of step is dated at.
STEP_TIMES = {
    S.ORIENTED: datetime.time(9, 30),
    S.UNDER_INSTRUCTION: datetime.time(10, 0),
    S.SUBMITTED: datetime.time(15, 0),
    S.APPROVED: datetime.time(18, 0),
    S.DEFERRED: datetime.time(18, 0),
    S.UNDER_SUPPORT: datetime.time(9, 0),
    S.CLOSED: datetime.time(16, 30),
}
HIRE_TIME = datetime.time(8, 30)
DECISION_STATES = (S.APPROVED, S.DEFERRED)


def _decided_on(day: datetime.date):
    def stamp(dossier: Dossier, transition) -> None:
        dossier.decision_date = day

    return stamp


class _Loader(Part):
    def __init__(self, report: LoadReport):
        super().__init__(report)
        self.communes = {
            commune.insee_code: commune for commune in Commune.objects.select_related("epci")
        }
        specs = VALENCIENNES_DOSSIERS + RENEWAL_DOSSIERS + PIPELINE_DOSSIERS + COMPARISON_DOSSIERS
        missing = {spec.company.commune for spec in specs} - self.communes.keys()
        if missing:
            raise DemoDataError(
                f"Communes absentes du référentiel de démonstration : {', '.join(sorted(missing))}."
            )
        # Everything the demo may already hold, in five queries.
        self.pmes = {
            pme.siret: pme
            for pme in Pme.objects.filter(
                siret__in=[spec.company.siret for spec in specs]
            ).prefetch_related(
                "contacts",
                Prefetch(
                    "dossiers",
                    queryset=Dossier.objects.prefetch_related("transitions", "hires"),
                ),
            )
        }

    # --- SMEs and contacts

    def pme(self, company: Company, *, directly: bool) -> Pme | None:
        """Put back an existing SME's record and contact; None if it is still to create."""
        pme = self.pmes.get(company.siret)
        if pme is None:
            return None
        changed = differences(pme, company.values(self.communes))
        if changed:
            if directly:
                save_directly(pme, changed)
            else:
                pme = services.update_pme(pme=pme, by=self.staff, data=changed)
        self.report.count(pme, updated=bool(changed))

        wanted = company.contact_values()
        contact = next((c for c in pme.contacts.all() if c.name == wanted["name"]), None)
        if contact is None:
            if directly:
                contact = save_directly(PmeContact(pme=pme), wanted)
            else:
                contact = services.add_contact(pme=pme, by=self.staff, data=wanted)
            self.report.count(contact, created=True)
        else:
            changed = differences(contact, wanted)
            if changed:
                if directly:
                    save_directly(contact, changed)
                else:
                    services.update_contact(contact=contact, by=self.staff, data=changed)
            self.report.count(contact, updated=bool(changed))
        return pme

    # --- The Valenciennois: through the services

    def followed(self, spec: DossierSpec) -> None:
        company = spec.company
        values = spec.dossier_values(self.communes, self.staff)
        with about(f"la PME de démonstration « {company.name} »"):
            pme = self.pme(company, directly=False)
            dossier = self._dossier_of(pme, spec)
            if dossier is None:
                with clock_at(moment(spec.oriented_on, STEP_TIMES[S.ORIENTED])):
                    created = services.create_pme_with_dossier(
                        by=self.staff,
                        pme_data=company.values(self.communes),
                        dossier_data=values,
                        contacts=[company.contact_values()],
                    )
                dossier = created.dossier
                if created.pme_created:
                    self.report.count(created.pme, created=True)
                    for contact in created.pme.contacts.all():
                        self.report.count(contact, created=True)
                self.report.count(dossier, created=True)
                logged, hired = [], []
            else:
                logged, hired = list(dossier.transitions.all()), list(dossier.hires.all())
                # A closed dossier no longer changes: the domain's rule holds for the demo.
                changed = differences(dossier, values) if dossier.is_open else {}
                if changed:
                    dossier = services.update_dossier(dossier=dossier, by=self.staff, data=changed)
                self.report.count(dossier, updated=bool(changed))
            known = {row.pk for row in logged + hired}
            if self._replay(spec, dossier, hired):
                logged = list(DossierTransition.objects.filter(dossier=dossier))
                hired = list(Hire.objects.filter(dossier=dossier))
        for row in logged + hired:
            self.report.count(row, created=row.pk not in known)

    @staticmethod
    def _dossier_of(pme: Pme | None, spec: DossierSpec) -> Dossier | None:
        if pme is None:
            return None
        return next((d for d in pme.dossiers.all() if d.orientation_date == spec.oriented_on), None)

    def _replay(self, spec: DossierSpec, dossier: Dossier, hired: list[Hire]) -> bool:
        """Make the steps and hires the dossier still lacks, in the order they happened.

        A dossier moved by hand off the demo's path keeps its state: the log is history,
        the demo never rewrites it.
        """
        path, days = spec.path, spec.step_days()
        events: list[tuple[datetime.datetime, str, Any]] = [
            (moment(days[state], STEP_TIMES[state]), "step", state) for state in path[1:]
        ]
        events += [
            (moment(day, HIRE_TIME), "hire", hire)
            for day, hire in zip(spec.hire_days(), spec.hires, strict=True)
        ]
        events.sort(key=lambda event: event[0])
        existing_hires = Counter((h.hire_date, h.contract, h.job_title) for h in hired)
        wrote = False
        for when, what, item in events:
            if what == "step":
                if dossier.state not in path or path.index(dossier.state) >= path.index(item):
                    continue
                with clock_at(when):
                    if item in DECISION_STATES:
                        # History: the committee's decision of that day, whose session the
                        # committees' part of the demo records.
                        dossier = apply_transition(
                            DOSSIER_WORKFLOW,
                            dossier,
                            to=item,
                            by=self.manager,
                            comment=self._comment(spec, item, when.date()),
                            stamp=_decided_on(when.date()),
                        )
                    else:
                        dossier = services.transition_dossier(
                            dossier=dossier,
                            to_state=item,
                            by=self.staff,
                            comment=self._comment(spec, item, when.date()),
                        )
                wrote = True
            else:
                post, contract = item
                key = (when.date(), contract, post)
                if existing_hires[key]:
                    existing_hires[key] -= 1
                    continue
                if dossier.state not in SUPPORTED_STATES:
                    continue
                with clock_at(when):
                    services.record_hire(
                        dossier=dossier,
                        by=self.staff,
                        hire_date=when.date(),
                        contract=contract,
                        job_title=post,
                    )
                wrote = True
        return wrote

    @staticmethod
    def _comment(spec: DossierSpec, state: str, day: datetime.date) -> str:
        if state in DECISION_STATES:
            return spec.decision_comment or f"Agréé par le comité d'agrément du {day:%d/%m/%Y}."
        if state == S.SUBMITTED:
            return "Dossier inscrit à l'ordre du jour du prochain comité d'agrément."
        if state == S.UNDER_SUPPORT:
            return "Première mission d'appui programmée avec la grande entreprise partenaire."
        if state == S.CLOSED:
            return spec.closing_comment
        return ""

    # --- The comparison basin: written directly

    def comparison(self, spec: DossierSpec) -> None:
        """An SME of the comparison basin, with its dossier in its final state.

        The demo accounts work in the Valenciennois only, so no one may move these
        dossiers through the workflow: they are written as another operator's records
        would be imported, without a transition log and without a staff member.
        """
        company = spec.company
        values = spec.dossier_values(self.communes, None)
        with about(f"la PME de démonstration « {company.name} »"):
            pme = self.pme(company, directly=True)
            dossier = self._dossier_of(pme, spec)
            if dossier is not None:
                changed = differences(dossier, values) if dossier.is_open else {}
                if changed:
                    save_directly(dossier, changed)
                self.report.count(dossier, updated=bool(changed))
                return
            days = spec.step_days()
            with clock_at(moment(spec.oriented_on, STEP_TIMES[S.ORIENTED])):
                if pme is None:
                    pme = save_directly(Pme(), company.values(self.communes))
                    self.report.count(pme, created=True)
                    contact = save_directly(PmeContact(pme=pme), company.contact_values())
                    self.report.count(contact, created=True)
                dossier = Dossier(
                    pme=pme,
                    state=spec.stage,
                    decision_date=spec.decided_on,
                    state_changed_at=moment(days[spec.stage], STEP_TIMES[spec.stage]),
                )
                self.report.count(save_directly(dossier, values), created=True)


def load_pmes(report: LoadReport) -> None:
    """The SMEs, contacts, dossiers, transitions and hires of the demo; a summary line."""
    loader = _Loader(report)
    for spec in VALENCIENNES_DOSSIERS + RENEWAL_DOSSIERS + PIPELINE_DOSSIERS:
        loader.followed(spec)
    for spec in COMPARISON_DOSSIERS:
        loader.comparison(spec)
    report.summaries.extend(summary_lines())


def summary_lines() -> list[str]:
    """The article's figures, measured in the database."""
    valenciennois, first = get_valenciennois(), get_first_period()
    supported = (
        Dossier.objects.for_basin(valenciennois)
        .supported()
        .filter(decision_date__range=_period_range(first))
    )
    totals = supported.jobs_totals()
    pmes = supported.values("pme").distinct().count()
    renewal = get_renewal_period()
    pipeline = (
        Dossier.objects.for_basin(valenciennois)
        .open()
        .exclude(state__in=SUPPORTED_STATES)
        .filter(orientation_date__gte=renewal.start_date)
        .count()
    )
    comparison = get_comparison_basin()
    compared = (
        Dossier.objects.for_basin(comparison)
        .supported()
        .filter(decision_date__range=_period_range(get_first_period(comparison)))
        .aggregate(jobs=Sum("jobs_planned"), pmes=Count("pme", distinct=True))
    )
    lines = [
        f"PME : {pmes} accompagnées à Valenciennes pendant la première période, "
        f"{totals['jobs_planned']} emplois prévus ({_per_pme(totals['jobs_planned'], pmes)} "
        f"par PME), {totals['hires']} embauches ; {pipeline} dossiers en cours pour le "
        "renouvellement."
    ]
    later = (
        Dossier.objects.for_basin(valenciennois)
        .supported()
        .filter(decision_date__range=_period_range(renewal))
    )
    later_totals = later.jobs_totals()
    lines.append(
        f"Renouvellement : {later.values('pme').distinct().count()} PME accompagnées, "
        f"{later_totals['jobs_planned']} emplois prévus, {later_totals['hires']} embauches."
    )
    if compared["pmes"]:
        lines.append(
            f"PME de comparaison ({comparison.name}) : {compared['pmes']} accompagnées, "
            f"{_per_pme(compared['jobs'], compared['pmes'])} emplois prévus par PME."
        )
    return lines


def _period_range(period) -> tuple[datetime.date, datetime.date]:
    return period.start_date, period.end_date


def _per_pme(jobs: int | None, pmes: int) -> str:
    if not pmes:
        return "0"
    return f"{Decimal(jobs or 0) / pmes:.1f}".replace(".", ",").removesuffix(",0")
