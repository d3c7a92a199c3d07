"""The partner corporations, their experts and support missions, and a revitalisation
convention, for the demonstration data set (the data: `demo.grandes_entreprises_data`).

The Valenciennois of the source article: the 11 corporations of the first period (the
corporation funders `demo.referential` created, each linked to its record here), the 5 that join
for the renewal (SKF, Leroy Merlin, E. Leclerc, Soufflet alimentaire, Sevelnord), their
experts and daily rates, and missions on the approved demo dossiers, Alstom's with Heuille
among them (quality, ISO 9001 certification obtained in March 2007). The days are logged
within each dossier's support period. One revitalisation convention (fictitious) and a
payment under it show the balance. Experts are visibly demo persons.

Everything goes through the services, at the moment it happened (`demo.base.clock_at`),
so the missions' status log reads like the real one. One exception: a mission on a dossier
that has since been closed is written directly (with its experts), as an import would,
because `create_mission` rightly refuses a closed dossier today; its later steps (status
changes, days, results, outcome) go through the services.

`load_corporations()` can run any number of times: a corporation is found by its basin,
group and site, an expert by its name, a mission by its dossier, corporation, domain and
start; only what is missing is created, a changed corporation or expert is put back.
"""

from __future__ import annotations

import datetime

import pghistory
from django.db.models import Prefetch
from django.utils import timezone

from alize.models import Role
from alize.services.common import create_validated, save_validated
from demo.base import (
    SNAPSHOT_DAY,
    DemoDataError,
    LoadReport,
    Part,
    about,
    clock_at,
    differences,
    find_dossier,
    get_account,
    get_first_period,
    get_funder,
    get_renewal_period,
    get_valenciennois,
    index_dossiers,
    moment,
)
from demo.grandes_entreprises_data import (
    CONVENTION,
    CONVENTION_PAYMENT,
    CORPORATIONS,
    FIRST_JOIN,
    MISSIONS,
    RENEWAL_JOIN,
    STATUS_PATH,
    CorporationSpec,
    MissionSpec,
)
from demo.pme_data import RENEWAL_DOSSIERS, VALENCIENNES_DOSSIERS, DossierSpec
from grandes_entreprises import services
from grandes_entreprises.models import (
    ConventionPayment,
    Corporation,
    DayLog,
    Expert,
    MissionExpert,
    MissionResult,
    MissionStatus,
    MissionTransition,
    RevitalisationConvention,
    SupportMission,
)
from grandes_entreprises.workflow import working_days
from pme.models import Dossier, Need, Pme
from pme.workflow import DossierState

S = MissionStatus

# The hours of the day each kind of step is dated at.
CREATED_AT = datetime.time(10, 0)
STARTED_AT = datetime.time(9, 0)
LOGGED_AT = datetime.time(18, 0)
RESULT_AT = datetime.time(17, 0)
FINISHED_AT = datetime.time(17, 30)
OUTCOME_AT = datetime.time(18, 30)


# --- Writing -----------------------------------------------------------------------------


def _mission_fields(spec: MissionSpec, dossier: Dossier, corporation: Corporation) -> dict:
    """What a mission records of its spec, whichever way it is written."""
    return {
        "dossier": dossier,
        "corporation": corporation,
        "domain": spec.domain,
        "objective": spec.objective,
        "planned_days": spec.planned,
        "start_date": spec.start,
        "end_date": spec.end,
    }


class _Loader(Part):
    def __init__(self, report: LoadReport):
        super().__init__(report)
        self.periods = {"first": get_first_period(), "renewal": get_renewal_period()}
        self.coordinator = get_account(Role.COORDINATOR)
        self.corporations: dict[str, Corporation] = {}
        self.experts: dict[tuple[str, str], Expert] = {}

    # --- Corporations, experts, rates, memberships

    def corporation(self, spec: CorporationSpec) -> Corporation:
        values = {
            "sector": spec.sector,
            "headcount": spec.headcount,
            "funder": get_funder(spec.funder, self.basin) if spec.funder else None,
        }
        corporation = (
            Corporation.objects.filter(
                basin=self.basin, group_name=spec.group_name, site_name=spec.site_name
            )
            .prefetch_related("experts", "daily_rates", "memberships", "coordinators")
            .first()
        )
        with about(f"la grande entreprise « {spec.group_name} »"):
            if corporation is None:
                with clock_at(moment(spec.joined, CREATED_AT)):
                    corporation = services.create_corporation(
                        by=self.staff,
                        data={
                            "group_name": spec.group_name,
                            "site_name": spec.site_name,
                            "basin": self.basin,
                            **values,
                        },
                    )
                self.report.count(corporation, created=True)
            else:
                changed = differences(corporation, values)
                if changed:
                    corporation = services.update_corporation(
                        corporation=corporation, by=self.staff, data=changed
                    )
                self.report.count(corporation, updated=bool(changed))
            self.corporations[spec.key] = corporation
            self._experts(spec, corporation)
            self._rates(spec, corporation)
            self._memberships(spec, corporation)
        return corporation

    def _experts(self, spec: CorporationSpec, corporation: Corporation) -> None:
        existing = {expert.name: expert for expert in corporation.experts.all()}
        for expert_spec in spec.experts:
            values = {
                "job_title": expert_spec.job_title,
                # In the order of the choices, as `Expert.clean()` stores them.
                "domains": [d for d in Need.values if d in expert_spec.domains],
                "is_active": True,
            }
            expert = existing.get(expert_spec.name)
            if expert is None:
                with clock_at(moment(spec.joined, CREATED_AT)):
                    expert = services.add_expert(
                        corporation=corporation,
                        by=self.staff,
                        data={"name": expert_spec.name, "email": "", **values},
                    )
                self.report.count(expert, created=True)
            else:
                changed = differences(expert, values)
                if changed:
                    expert = services.update_expert(expert=expert, by=self.staff, data=changed)
                self.report.count(expert, updated=bool(changed))
            self.experts[spec.key, expert_spec.name] = expert

    def _rates(self, spec: CorporationSpec, corporation: Corporation) -> None:
        existing = {rate.valid_from: rate for rate in corporation.daily_rates.all()}
        for valid_from, amount, comment in spec.rates:
            rate = existing.get(valid_from)
            if rate is None:
                rate = services.set_daily_rate(
                    corporation=corporation,
                    rate=amount,
                    valid_from=valid_from,
                    comment=comment,
                    by=self.staff,
                )
                self.report.count(rate, created=True)
                continue
            changed = differences(rate, {"rate": amount, "comment": comment})
            if changed:
                # A rate is a dated history with no service to rewrite it: the demo puts
                # back its own row as it was, in the audit trail like any change.
                with pghistory.context(user=self.staff.pk):
                    save_validated(rate, **changed)
            self.report.count(rate, updated=bool(changed))

    def _memberships(self, spec: CorporationSpec, corporation: Corporation) -> None:
        wanted = [("renewal", RENEWAL_JOIN)]
        if not spec.renewal_only:
            wanted.insert(0, ("first", FIRST_JOIN))
        existing = {m.period_id: m for m in corporation.memberships.all()}
        for key, joined_on in wanted:
            period = self.periods[key]
            membership = existing.get(period.pk)
            if membership is not None and (membership.joined_on, membership.left_on) == (
                joined_on,
                None,
            ):
                self.report.count(membership)
                continue
            membership_created = membership is None
            membership = services.record_membership(
                corporation=corporation, period=period, joined_on=joined_on, by=self.staff
            )
            self.report.count(
                membership, created=membership_created, updated=not membership_created
            )

    def coordinators(self) -> None:
        alstom = self.corporations["alstom"]
        if not alstom.coordinators.filter(pk=self.coordinator.pk).exists():
            with about("le coordinateur d'Alstom"):
                services.add_coordinator(corporation=alstom, user=self.coordinator, by=self.staff)
            self.report.created["coordinateurs d'entreprise"] += 1
        self.report.seen["coordinateurs d'entreprise"] += 1

    # --- Missions

    def missions(self) -> None:
        specs = {spec.company.serial: spec for spec in VALENCIENNES_DOSSIERS + RENEWAL_DOSSIERS}
        sirets = {specs[mission.serial].company.siret for mission in MISSIONS}
        dossiers = index_dossiers(
            Dossier.objects.filter(pme__in=Pme.objects.filter(siret__in=sirets))
            .select_related("pme")
            .prefetch_related(
                Prefetch(
                    "support_missions",
                    queryset=SupportMission.objects.prefetch_related(
                        "assignments__expert",
                        "assignments__day_logs",
                        "results",
                        "transitions",
                    ),
                )
            )
        )
        for mission_spec in MISSIONS:
            dossier_spec = specs[mission_spec.serial]
            dossier = find_dossier(dossiers, dossier_spec)
            label = f"la mission de {mission_spec.corporation} auprès de {dossier.pme.name}"
            with about(label):
                self.mission(mission_spec, dossier_spec, dossier)

    def mission(self, spec: MissionSpec, dossier_spec: DossierSpec, dossier: Dossier) -> None:
        self._check_dates(spec, dossier_spec)
        corporation = self.corporations[spec.corporation]
        mission = next(
            (
                m
                for m in dossier.support_missions.all()
                if (m.corporation_id, m.domain, m.start_date)
                == (corporation.pk, spec.domain, spec.start)
            ),
            None,
        )
        if mission is None:
            experts = [self.experts[spec.corporation, name] for name in spec.expert_names]
            mission = self._create(spec, dossier, corporation, experts)
            before: list = []
        else:
            self.report.count(mission)
            assignments = list(mission.assignments.all())
            for assignment in assignments:
                self.report.count(assignment)
            before = [log for a in assignments for log in a.day_logs.all()]
            before += list(mission.results.all()) + list(mission.transitions.all())
        if self._replay(spec, mission, before):
            # Count what the mission now holds: new rows as created, the others as seen.
            known = {(type(row), row.pk) for row in before}
            for row in [
                *DayLog.objects.filter(assignment__mission=mission),
                *MissionResult.objects.filter(mission=mission),
                *MissionTransition.objects.filter(mission=mission),
            ]:
                self.report.count(row, created=(type(row), row.pk) not in known)
        else:
            for row in before:
                self.report.count(row)

    def _replay(self, spec: MissionSpec, mission: SupportMission, before: list) -> bool:
        """Make the moves, days, results and outcome the mission still lacks, in the order
        they happened; True when anything was written. A mission moved by hand off the
        demo's path (cancelled, reopened) keeps its status: the log is history."""
        path = STATUS_PATH[: STATUS_PATH.index(spec.status) + 1]
        logged = {(log.assignment_id, log.date) for log in before if isinstance(log, DayLog)}
        assignments = {a.expert_id: a.pk for a in mission.assignments.all()}
        recorded = {(r.kind, r.title) for r in before if isinstance(r, MissionResult)}
        logged_by = self.coordinator if spec.corporation == "alstom" else self.staff
        wrote = False
        if S.RUNNING in path and mission.status == S.PLANNED:
            self._move(mission, S.RUNNING, moment(spec.start, STARTED_AT))
            wrote = True
        if mission.status in (S.RUNNING, S.DONE):
            for name, day, days in spec.log_plan():
                expert = self.experts[spec.corporation, name]
                if (assignments.get(expert.pk), day) in logged:
                    continue
                with clock_at(moment(day, LOGGED_AT)):
                    services.log_days(
                        mission=mission, expert=expert, date=day, days=days, by=logged_by
                    )
                wrote = True
            for result in spec.results:
                if (result.kind, result.title) in recorded:
                    continue
                with clock_at(moment(result.achieved_on, RESULT_AT)):
                    services.record_result(
                        mission=mission,
                        by=self.staff,
                        kind=result.kind,
                        title=result.title,
                        achieved_on=result.achieved_on,
                        description=result.description,
                    )
                wrote = True
        if S.DONE in path and mission.status == S.RUNNING:
            self._move(mission, S.DONE, moment(spec.end, FINISHED_AT))
            wrote = True
        wanted = (spec.outcome, spec.satisfaction)
        if (
            any(wanted)
            and mission.status in (S.RUNNING, S.DONE)
            and (mission.outcome, mission.sme_satisfaction) != wanted
        ):
            with clock_at(moment(spec.end, OUTCOME_AT)):
                services.record_outcome(
                    mission=mission,
                    by=self.staff,
                    outcome=spec.outcome,
                    sme_satisfaction=spec.satisfaction,
                )
            wrote = True
        return wrote

    def _check_dates(self, spec: MissionSpec, dossier_spec: DossierSpec) -> None:
        """A mission starts after the committee's decision, and its days fall within the
        dossier's support period (from "under support" to its closing, or the demo's
        snapshot day)."""
        days = dossier_spec.step_days()
        support_start = days.get(DossierState.UNDER_SUPPORT, dossier_spec.decided_on)
        support_end = dossier_spec.closed_on or SNAPSHOT_DAY
        last_day = spec.end if spec.status == S.DONE else min(spec.end, SNAPSHOT_DAY)
        if spec.start < support_start or (spec.status != S.PLANNED and last_day > support_end):
            raise DemoDataError(
                f"La mission de démonstration de {spec.corporation} auprès de "
                f"« {dossier_spec.company.name} » sort de la période d'accompagnement."
            )
        if spec.planned > working_days(spec.start, spec.end) * len(spec.experts):
            raise DemoDataError(
                f"La mission de démonstration de {spec.corporation} auprès de "
                f"« {dossier_spec.company.name} » prévoit plus de jours qu'elle n'en compte."
            )

    def _create(self, spec, dossier, corporation, experts) -> SupportMission:
        """Organise the mission (two weeks before it starts, not before the decision)."""
        created_on = max(spec.start - datetime.timedelta(days=14), dossier.decision_date)
        with clock_at(moment(created_on, CREATED_AT)):
            if dossier.state in services.MISSION_DOSSIER_STATES:
                mission = services.create_mission(
                    by=self.staff, experts=experts, **_mission_fields(spec, dossier, corporation)
                )
            else:
                mission = self._write_directly(spec, dossier, corporation, experts)
        self.report.count(mission, created=True)
        for assignment in mission.assignments.all():
            self.report.count(assignment, created=True)
        return mission

    def _write_directly(self, spec, dossier, corporation, experts) -> SupportMission:
        """A mission on a dossier closed since: written as an import would (the mission
        and its experts), `create_mission` refusing a closed dossier today."""
        with pghistory.context(user=self.staff.pk):
            mission = create_validated(
                SupportMission,
                **_mission_fields(spec, dossier, corporation),
                status=S.PLANNED,
                status_changed_at=timezone.now(),
                created_by=self.staff,
            )
            MissionExpert.objects.bulk_create(
                [MissionExpert(mission=mission, expert=expert) for expert in experts]
            )
        return mission

    def _move(self, mission: SupportMission, target: str, when: datetime.datetime) -> None:
        with clock_at(when):
            services.change_mission_status(mission=mission, to_status=target, by=self.staff)

    # --- Revitalisation

    def convention(self) -> None:
        corporation = self.corporations[CONVENTION["corporation"]]
        values = {key: value for key, value in CONVENTION.items() if key != "corporation"}
        convention = RevitalisationConvention.objects.filter(reference=values["reference"]).first()
        with about(f"la convention de revitalisation {values['reference']}"):
            if convention is None:
                with clock_at(moment(values["signature_date"], CREATED_AT)):
                    convention = services.create_convention(
                        by=self.staff, corporation=corporation, **values
                    )
                self.report.count(convention, created=True)
            else:
                self.report.count(convention)
            payment = ConventionPayment.objects.filter(
                convention=convention,
                paid_on=CONVENTION_PAYMENT["paid_on"],
                amount=CONVENTION_PAYMENT["amount"],
            ).first()
            if payment is None:
                with clock_at(moment(CONVENTION_PAYMENT["paid_on"], CREATED_AT)):
                    payment = services.record_convention_payment(
                        convention=convention, by=self.staff, **CONVENTION_PAYMENT
                    )
                self.report.count(payment, created=True)
            else:
                self.report.count(payment)


def load_corporations(report: LoadReport) -> None:
    """The corporations, experts, rates, memberships, missions and their days, results and
    outcomes, the Alstom coordinator and a revitalisation convention; a summary line."""
    loader = _Loader(report)
    for spec in CORPORATIONS:
        loader.corporation(spec)
    loader.coordinators()
    loader.missions()
    loader.convention()
    report.summaries.extend(summary_lines())


def summary_lines() -> list[str]:
    """What the corporations gave, measured in the database."""
    valenciennois = get_valenciennois()
    first, renewal = get_first_period(), get_renewal_period()
    totals = DayLog.objects.filter(assignment__mission__corporation__basin=valenciennois).totals()
    missions = SupportMission.objects.for_basin(valenciennois).count()
    days = f"{totals['days'].normalize():f}".replace(".", ",")
    value = f"{totals['value']:,.2f}".replace(",", "\u202f").replace(".", ",")
    return [
        f"Grandes entreprises : {Corporation.objects.members_of(first).count()} partenaires de "
        f"la première période, {Corporation.objects.members_of(renewal).count()} du "
        f"renouvellement ; {missions} missions d'appui, {days} jours donnés "
        f"({value} € de compétences)."
    ]
