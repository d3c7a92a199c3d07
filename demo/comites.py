"""The committees of the demonstration data set (see `demo.loader`).

The Valenciennois of the source article: its approval committee (chaired by Saint-Gobain's
representative until June 2008, then by Vallourec's HR director), its twelve sessions on
the dates of `demo.pme_data.SESSIONS` with their agendas, convocations (one sent late),
attendance (proxies included), recusals, votes and decisions, each closed and signed by
its chair; two sessions to come, convened, each with a submitted dossier of the renewal
on its agenda: one on the very day of the load, that a visitor runs end to end, one four
weeks later; the steering committee chaired by the sub-prefecture and one of its sessions.
The comparison basin gets its approval committee only, without members or sessions: its
operator's staff are not among the demo accounts.

The persons are invented (visibly demo ones), the organisations real as in the rest of
the demo. The approval committee's chair and members in office sign in with the demo
password (committee member role), so that a visitor can sit as any of them; the other
members (the former chair, the steering committee's public actors) are persons on file,
without a role or a password: they cannot sign in, they sit and vote.

Every step goes through the committee services, replayed at the moment it happened
(`at`): mandates, sessions, attendance, opening, recusals, votes (each member's own, or
his proxy holder's), convocation (`notify=False`: a 2005 convocation is not sent in
2026, nor the next one during a load), closing, signature. Two steps are written directly,
with `full_clean()` and in the audit trail under the acting account's name, the database's
own rules (triggers and constraints) holding:
- the agenda: `add_agenda_item` wants a dossier "submitted", and `demo.pme` has already
  moved the demo dossiers on;
- the decision: `record_decision` moves the dossier (done by `demo.pme`, at the same date;
  the refused dossier, left submitted by `demo.pme`, is moved here through
  `pme.services.decisions.decide_dossier`), grants the advance (done by `demo.avances`, which owns
  the fund's history) and emails the decision letter.
The secretary of the approval committee is the operator's staff account: she keeps the
sessions and, in the session to come, can open and close the votes and record those cast
in the room; the decision that grants an advance is recorded by the operator's manager,
the only one who may grant it.

`load_committees()` can run any number of times: a committee is found by its basin and
kind, a mandate by its person, role and start, a session by its committee and start; an
existing session is left as it is (signed minutes never change).
"""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

import pghistory
from django.contrib.auth.models import Group
from django.utils import timezone

from alize.models import Basin, Role, User
from alize.services import save_referential
from alize.services.common import create_validated
from comites import services
from comites.models import (
    AgendaItem,
    Attendance,
    Committee,
    CommitteeMembership,
    Decision,
    Recusal,
    Session,
    SessionTransition,
    Vote,
)
from comites.workflow import (
    AttendanceStatus,
    CommitteeKind,
    DecisionOutcome,
    ItemStatus,
    MemberRole,
    SessionStatus,
    VoteChoice,
)
from demo.base import (
    ACCOUNTS,
    DEMO_PASSWORD,
    REAL_NOW,
    DemoDataError,
    LoadReport,
    Part,
    about,
    at,
    find_dossier,
    get_account,
    get_comparison_basin,
    get_first_period,
    get_valenciennois,
    index_dossiers,
    keep_demo_login,
    moment,
    table_counts,
)
from demo.comites_data import (
    APPROVAL_MANDATES,
    APPROVAL_PLACE,
    ATTENDANCE,
    COMMITTEE_CONSTITUTED,
    DISSENT,
    LATE_CONVOCATION_SESSION,
    LATE_NOTICE_DAYS,
    NEW_CHAIR,
    NOT_APPROVED,
    NOTICE_DAYS,
    PERSONS,
    REFUSED_AT,
    REFUSED_SERIAL,
    SESSION_TIME,
    STEERING_ATTENDANCE,
    STEERING_DAY,
    STEERING_MANDATES,
    STEERING_NOTES,
    STEERING_PLACE,
    TODAY,
    TODAY_CONVENED_DAYS,
    TODAY_STARTS_IN,
    UPCOMING,
    UPCOMING_WEEKS,
)
from demo.grandes_entreprises_data import CORPORATIONS, MISSIONS
from demo.pme_data import (
    PIPELINE_DOSSIERS,
    RENEWAL_DOSSIERS,
    SESSIONS,
    VALENCIENNES_DOSSIERS,
    DossierSpec,
)
from grandes_entreprises.models import Corporation
from pme.models import Dossier, DossierState
from pme.services.decisions import decide_dossier

A = AttendanceStatus
V = VoteChoice


def _thursday_after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=(3 - day.weekday()) % 7)


def _corporation_keys(serial: int) -> tuple[str, ...]:
    """The corporations of the demo's missions with the company, in order: its support plan."""
    return tuple(dict.fromkeys(m.corporation for m in MISSIONS if m.serial == serial))


# --- Writing -----------------------------------------------------------------------------

# Every committee model, with the path from it to its committee's basin.
COUNTED = (
    (Committee, "basin"),
    (CommitteeMembership, "committee__basin"),
    (Session, "committee__basin"),
    (SessionTransition, "session__committee__basin"),
    (Attendance, "session__committee__basin"),
    (AgendaItem, "session__committee__basin"),
    (Recusal, "item__session__committee__basin"),
    (Vote, "item__session__committee__basin"),
    (Decision, "item__session__committee__basin"),
)


class _Loader(Part):
    def __init__(self, report: LoadReport):
        super().__init__(report)
        self.admin = get_account(Role.ADMIN)
        self.accounts = {
            account.role: User.objects.get(email=account.email) for account in ACCOUNTS
        }
        self.persons: dict[str, User] = {}
        by_group = {c.group_name: c for c in Corporation.objects.filter(basin=self.basin)}
        try:
            self.corporations = {spec.key: by_group[spec.group_name] for spec in CORPORATIONS}
        except KeyError as exc:
            raise DemoDataError(
                "Les grandes entreprises de démonstration manquent : chargez-les d'abord."
            ) from exc
        self.dossiers = index_dossiers(
            Dossier.objects.filter(pme__commune__epci__basin=self.basin)
            .select_related("pme")
            .order_by()
        )

    def dossier(self, spec: DossierSpec) -> Dossier:
        return find_dossier(self.dossiers, spec)

    # --- Persons and committees

    def person(self, who: str) -> User:
        if who in Role.values:
            return self.accounts[who]
        if who not in self.persons:
            spec = next(p for p in PERSONS if p.key == who)
            user = User.objects.filter(email=spec.email).first()
            if user is None:
                user = User(
                    email=spec.email,
                    first_name=spec.first_name,
                    last_name="Démo",
                    organisation=spec.organisation,
                    is_active=spec.signs_in,
                )
                # None: an unusable password, for a person on file who does not sign in.
                user.set_password(DEMO_PASSWORD if spec.signs_in else None)
                with pghistory.context(user=self.manager.pk):
                    save_referential(instance=user)
                self.report.count(user, created=True)
            else:
                self.report.count(user)
            if spec.signs_in:
                self._signs_in(user)
                self.report.more_accounts.append((spec.email, spec.label))
            self.persons[who] = user
        return self.persons[who]

    def _signs_in(self, user: User) -> None:
        """Make (or keep) a committee person an active demo account of the committee
        member role (see `keep_demo_login`)."""
        updated = not user.is_active
        with pghistory.context(user=self.manager.pk):
            if updated:
                user.is_active = True
                user.save(update_fields=["is_active"])
            group = Group.objects.get(name=Role.COMMITTEE_MEMBER)
            updated = keep_demo_login(user, group, self.basin) or updated
        if updated:
            self.report.updated[str(User._meta.verbose_name_plural)] += 1

    def committee(self, basin: Basin, kind: str, name: str, by: User | None) -> Committee:
        committee = Committee.objects.filter(basin=basin, kind=kind).first()
        if committee is not None:
            return committee
        with at(moment(COMMITTEE_CONSTITUTED, datetime.time(10, 0))):
            if by is not None:
                return services.create_committee(basin=basin, kind=kind, by=by, name=name)
            # No operator account of the comparison basin: written as an import would be.
            with pghistory.context(user=self.admin.pk):
                return create_validated(Committee, basin=basin, kind=kind, name=name)

    def mandates(self, committee: Committee, specs) -> dict[str, CommitteeMembership]:
        existing = {
            (m.person_id, m.role, m.start_date): m
            for m in CommitteeMembership.objects.filter(committee=committee)
        }
        seats = {}
        for spec in specs:
            person = self.person(spec.who)
            membership = existing.get((person.pk, spec.role, spec.start))
            if membership is None:
                with at(moment(spec.start, datetime.time(10, 30))):
                    kwargs = {
                        "committee": committee,
                        "person": person,
                        "start_date": spec.start,
                        "by": self.manager,
                        "organisation": spec.organisation,
                        "corporation": self.corporations.get(spec.corporation),
                    }
                    if spec.role == MemberRole.CHAIR and spec.start > COMMITTEE_CONSTITUTED:
                        membership = services.change_chair(**kwargs)
                    else:
                        membership = services.appoint_member(role=spec.role, **kwargs)
            seats[spec.seat] = membership
        # Read again: handing the chair over ended Saint-Gobain's mandate in the database.
        return {
            seat: CommitteeMembership.objects.select_related("person").get(pk=membership.pk)
            for seat, membership in seats.items()
        }

    # --- Approval sessions

    def approval_sessions(self, committee: Committee, seats) -> None:
        existing = set(
            Session.objects.filter(committee=committee).values_list("starts_at", flat=True)
        )
        specs = VALENCIENNES_DOSSIERS + RENEWAL_DOSSIERS + PIPELINE_DOSSIERS
        for index, day in enumerate(SESSIONS):
            starts_at = moment(day, SESSION_TIME)
            agenda = [
                spec
                for spec in specs
                if spec.decided_on == day
                or (spec.company.serial, day) == (REFUSED_SERIAL, REFUSED_AT)
            ]
            if starts_at in existing or not agenda:
                continue
            with about(f"la séance du comité d'agrément du {day:%d/%m/%Y}"):
                self.approval_session(committee, seats, index, starts_at, agenda)

    def approval_session(self, committee, seats, index, starts_at, agenda) -> None:
        day = starts_at.date()
        sitting = {seat: m for seat, m in seats.items() if m.is_active_on(day)}
        chair = next(m for m in sitting.values() if m.role == MemberRole.CHAIR)
        session = self._create_session(
            committee, starts_at, self.staff, place=APPROVAL_PLACE, duration_minutes=180
        )
        items = []
        agenda_at = moment(day - datetime.timedelta(days=20), datetime.time(10, 0))
        with at(agenda_at), pghistory.context(user=self.staff.pk):
            for order, spec in enumerate(agenda, start=1):
                item = create_validated(
                    AgendaItem, session=session, dossier=self.dossier(spec), order=order
                )
                item.proposed_corporations.set(self._proposed(spec))
                services.sync_automatic_recusals(item, by=self.staff)
                items.append((item, spec))
        notice = LATE_NOTICE_DAYS if index == LATE_CONVOCATION_SESSION else NOTICE_DAYS
        convened_on = day - datetime.timedelta(days=notice)
        exceptions = ATTENDANCE.get(index, {})
        session = self._open(session, sitting, exceptions, starts_at, convened_on, self.staff)
        when = starts_at + datetime.timedelta(minutes=5)
        for item, spec in items:
            when = self._vote(item, spec, sitting, when)
        closes_at = when + datetime.timedelta(minutes=10)
        self._close(session, closes_at, self.staff, chair, day + datetime.timedelta(days=7))

    @staticmethod
    def _create_session(committee, starts_at, by, **values) -> Session:
        """A past session, created four weeks before it sits."""
        created_on = starts_at.date() - datetime.timedelta(days=28)
        with at(moment(created_on, datetime.time(10, 0))):
            return services.create_session(
                committee=committee, starts_at=starts_at, by=by, **values
            )

    @staticmethod
    def _convene(session: Session, by: User, when: datetime.datetime) -> Session:
        """Convene at `when`, without emailing the convocation pack on commit: a 2005
        convocation is not sent in 2026, and the demo's members are on file only."""
        with at(when):
            return services.convene_session(session=session, by=by, notify=False)

    def _proposed(self, spec: DossierSpec) -> list[Corporation]:
        keys = (
            NOT_APPROVED[spec.company.serial].proposed
            if spec.company.serial in NOT_APPROVED
            else _corporation_keys(spec.company.serial)
        )
        return [self.corporations[key] for key in keys]

    def _open(self, session, seats, exceptions, starts_at, convened_on, by) -> Session:
        """Convene the session (9:00 on `convened_on`), take the attendance a quarter of an
        hour before it starts (present or remote first, then those represented: their
        holder must take part), open it at `starts_at`."""
        session = self._convene(session, by, moment(convened_on, datetime.time(9, 0)))
        rows = [(seat, *exceptions.get(seat, (A.PRESENT, None))) for seat in seats]
        rows.sort(key=lambda row: row[1] == A.REPRESENTED)
        with at(starts_at - datetime.timedelta(minutes=15)):
            for seat, status, holder in rows:
                services.record_attendance(
                    session=session,
                    membership=seats[seat],
                    status=status,
                    proxy_holder=seats[holder] if holder else None,
                    by=by,
                )
        with at(starts_at):
            return services.open_session(session=session, by=by)

    @staticmethod
    def _close(session, closes_at, by, chair, signed_on) -> None:
        """Close at `closes_at`; the chair signs the minutes at 11:00 on `signed_on`."""
        with at(closes_at):
            session = services.close_session(session=session, by=by)
        with at(moment(signed_on, datetime.time(11, 0))):
            services.sign_off(session=session, by=chair.person)

    def _vote(self, item, spec: DossierSpec, sitting, when) -> datetime.datetime:
        """Open the vote, let each member vote (in person or by proxy), close it and record
        the decision; the moment the next item starts."""
        with at(when):
            services.open_item(item=item, by=self.staff)
        recused = set(item.recusals.values_list("membership_id", flat=True))
        attendance = Attendance.objects.filter(session=item.session)
        statuses = dict(attendance.values_list("membership_id", "status"))
        holders = dict(attendance.values_list("membership_id", "proxy_holder_id"))
        not_approved = NOT_APPROVED.get(spec.company.serial)
        choices = not_approved.votes if not_approved else DISSENT.get(spec.company.serial, {})
        default = V.AGAINST if not_approved else V.FOR
        voted_at = when + datetime.timedelta(minutes=2)
        for seat, member in sitting.items():
            if not member.is_voting or member.pk in recused:
                continue
            status = statuses.get(member.pk)
            if status in (A.PRESENT, A.REMOTE):
                acting = member
            elif status == A.REPRESENTED and holders[member.pk] not in recused:
                acting = next(m for m in sitting.values() if m.pk == holders[member.pk])
            else:
                continue
            voted_at += datetime.timedelta(seconds=20)
            with at(voted_at):
                services.cast_vote(
                    item=item,
                    member=member,
                    choice=choices.get(seat, default),
                    by=acting.person,
                )
        with at(when + datetime.timedelta(minutes=6)):
            item = services.close_item(item=item, by=self.staff)
        with at(when + datetime.timedelta(minutes=7)):
            self._decide(item, spec)
        return when + datetime.timedelta(minutes=10)

    def _decide(self, item: AgendaItem, spec: DossierSpec) -> Decision:
        """The decision, as `record_decision` writes it, without emailing the decision
        letter, nor granting the advance (`demo.avances` does). The dossier was moved by
        `demo.pme` at the same date, except the refused one, moved here."""
        session = item.session
        not_approved = NOT_APPROVED.get(spec.company.serial)
        outcome = not_approved.outcome if not_approved else DecisionOutcome.APPROVED
        approved = outcome == DecisionOutcome.APPROVED
        result = services.tally(item)
        if result.adopted != approved:
            raise DemoDataError(
                f"Le vote de démonstration sur « {spec.company.name} » ({result.summary}) ne "
                "donne pas la décision prévue."
            )
        text = not_approved.text if not_approved else ""
        # The operator's manager records the approvals (and the advances they grant); the
        # secretary the other decisions.
        recorder = self.manager if approved else self.staff
        with pghistory.context(user=recorder.pk):
            decision = create_validated(
                Decision,
                item=item,
                outcome=outcome,
                decision_date=session.day,
                domains=list(spec.needs) if approved else [],
                advance_granted=spec.advance if approved else Decimal("0.00"),
                advance_requested=item.dossier.advance_requested,
                cap_copied=session.committee.basin.cap_on(session.day) if approved else None,
                missing=text if outcome == DecisionOutcome.DEFERRED else "",
                reason=text if outcome == DecisionOutcome.REJECTED else "",
                recorded_by=recorder,
                recorded_at=timezone.now(),
            )
            if approved:
                decision.corporations.set(self._proposed(spec))
        if item.dossier.state == DossierState.SUBMITTED:
            decide_dossier(
                decision=decision,
                by=recorder,
                comment=f"Séance du {session.day:%d/%m/%Y} : {result.summary}. Motif : {text}",
            )
            self.report.count(item.dossier.transitions.latest("at", "pk"), created=True)
        return decision

    # --- The sessions to come

    def _pending_dossiers(self, committee: Committee, serials) -> list[tuple[DossierSpec, Dossier]]:
        """The dossiers of these serials, or none if one is already on an agenda or no
        longer submitted (decided since): a session to come is made once."""
        specs = [spec for spec in PIPELINE_DOSSIERS if spec.company.serial in serials]
        dossiers = [self.dossier(spec) for spec in specs]
        if AgendaItem.objects.filter(
            session__committee=committee, dossier__in=dossiers
        ).exists() or any(d.state != DossierState.SUBMITTED for d in dossiers):
            return []
        return list(zip(specs, dossiers, strict=True))

    def _session_to_come(self, committee, pending, proposed, starts_at, prepared_at, convened_at):
        """Create a session to come with these dossiers on its agenda, then convene it."""
        with at(prepared_at):
            session = services.create_session(
                committee=committee,
                starts_at=starts_at,
                by=self.staff,
                place=APPROVAL_PLACE,
                duration_minutes=120,
            )
            for spec, dossier in pending:
                services.add_agenda_item(
                    session=session,
                    dossier=dossier,
                    by=self.staff,
                    proposed_corporations=[
                        self.corporations[key] for key in proposed[spec.company.serial]
                    ],
                )
        self._convene(session, self.staff, convened_at)

    def todays_session(self, committee: Committee) -> None:
        """A session on the day of the load, convened two weeks before with a submitted
        dossier of the renewal: a visitor takes the attendance, opens the session and the
        vote, the members vote, the decision grants the advance (the SME's de minimis
        declaration is on file, `demo.avances`), the chair signs the minutes. It starts an
        hour after the load, or late in the evening, but always on the local day of the
        load. Left alone once it exists; not made again once its dossier was decided."""
        pending = self._pending_dossiers(committee, TODAY)
        if not pending:
            return
        now = timezone.localtime(REAL_NOW())
        today = now.date()
        starts_at = min(now + TODAY_STARTS_IN, moment(today, datetime.time(23, 45)))
        starts_at = starts_at.replace(second=0, microsecond=0)
        convened_at = moment(today - datetime.timedelta(days=TODAY_CONVENED_DAYS), SESSION_TIME)
        prepared_at = convened_at - datetime.timedelta(days=7)
        with about(f"la séance du jour du comité d'agrément ({today:%d/%m/%Y})"):
            self._session_to_come(committee, pending, TODAY, starts_at, prepared_at, convened_at)

    def upcoming_session(self, committee: Committee) -> None:
        """A session a few weeks ahead, convened, with a submitted dossier of the renewal:
        a demo user can keep it and run the vote on its day. Left alone once it exists;
        not made again once its dossier was decided."""
        pending = self._pending_dossiers(committee, UPCOMING)
        if not pending:
            return
        day = _thursday_after(timezone.localdate() + datetime.timedelta(weeks=UPCOMING_WEEKS))
        now = timezone.now()
        with about(f"la séance à venir du comité d'agrément ({day:%d/%m/%Y})"):
            self._session_to_come(committee, pending, UPCOMING, moment(day, SESSION_TIME), now, now)

    # --- Steering

    def steering_session(self, committee: Committee, seats) -> None:
        starts_at = moment(STEERING_DAY, SESSION_TIME)
        if Session.objects.filter(committee=committee, starts_at=starts_at).exists():
            return
        chair = seats["chair"]
        with about(f"la séance du comité de pilotage du {STEERING_DAY:%d/%m/%Y}"):
            session = self._create_session(
                committee,
                starts_at,
                self.manager,
                place=STEERING_PLACE,
                agenda_notes=STEERING_NOTES,
            )
            convened_on = STEERING_DAY - datetime.timedelta(days=17)
            session = self._open(
                session, seats, STEERING_ATTENDANCE, starts_at, convened_on, self.manager
            )
            closes_at = starts_at + datetime.timedelta(minutes=110)
            signed_on = STEERING_DAY + datetime.timedelta(days=8)
            self._close(session, closes_at, self.manager, chair, signed_on)


def load_committees(report: LoadReport) -> None:
    """The committees, their members, sessions, attendance, agendas, recusals, votes and
    decisions; a summary line."""
    loader = _Loader(report)
    valenciennois, comparison = loader.basin, get_comparison_basin()
    before = table_counts(COUNTED, [valenciennois, comparison])
    approval = loader.committee(
        valenciennois, CommitteeKind.APPROVAL, "Comité d'agrément du Valenciennois", loader.manager
    )
    steering = loader.committee(
        valenciennois, CommitteeKind.STEERING, "Comité de pilotage du Valenciennois", loader.manager
    )
    loader.committee(
        comparison, CommitteeKind.APPROVAL, f"Comité d'agrément de {comparison.name}", None
    )

    with about("les membres du comité d'agrément"):
        approval_seats = loader.mandates(approval, (*APPROVAL_MANDATES, NEW_CHAIR))
    with about("les membres du comité de pilotage"):
        steering_seats = loader.mandates(steering, STEERING_MANDATES)
    loader.approval_sessions(approval, approval_seats)
    loader.steering_session(steering, steering_seats)
    loader.todays_session(approval)
    loader.upcoming_session(approval)

    report.count_tables(before, table_counts(COUNTED, [valenciennois, comparison]))
    report.summaries.extend(summary_lines())


def first_period_decisions():
    """The decisions of the Valenciennois approval committee's sessions of the first
    period."""
    first = get_first_period()
    return Decision.objects.filter(
        item__session__committee__basin=first.basin,
        item__session__committee__kind=CommitteeKind.APPROVAL,
        decision_date__range=(first.start_date, first.end_date),
    )


def summary_lines() -> list[str]:
    valenciennois = get_valenciennois()
    sessions = Session.objects.filter(
        committee__basin=valenciennois, committee__kind=CommitteeKind.APPROVAL
    )
    decisions = Decision.objects.filter(item__session__in=sessions)
    outcomes = Counter(decisions.values_list("outcome", flat=True))
    upcoming = sessions.exclude(status__in=[SessionStatus.CLOSED, SessionStatus.SIGNED]).count()
    recusals = Recusal.objects.filter(item__session__in=sessions).count()
    steering = Session.objects.filter(
        committee__basin=valenciennois,
        committee__kind=CommitteeKind.STEERING,
        status=SessionStatus.SIGNED,
    ).count()
    approved_first = first_period_decisions().filter(outcome=DecisionOutcome.APPROVED).count()
    pending = AgendaItem.objects.filter(session__in=sessions, status=ItemStatus.PENDING).count()
    return [
        f"Comités : {sessions.filter(status=SessionStatus.SIGNED).count()} séances du comité "
        f"d'agrément au procès-verbal signé ({approved_first} agréments en première période, "
        f"{outcomes[DecisionOutcome.DEFERRED]} ajournement, "
        f"{outcomes[DecisionOutcome.REJECTED]} refus, {recusals} déports) et {upcoming} à venir "
        f"({pending} dossiers à examiner) ; {steering} séance du comité de pilotage."
    ]
