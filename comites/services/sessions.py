"""Preparing and keeping a session: creation, agenda, convocation, attendance, opening,
closing, signature of the minutes and amendments."""

import datetime

import pghistory
from django.db import transaction
from django.utils import timezone

from alize.models import User
from alize.services.common import create_validated, save_validated
from alize.workflow import apply_transition
from comites import permissions, tasks
from comites.models import (
    AgendaItem,
    Amendment,
    Attendance,
    Committee,
    CommitteeMembership,
    Session,
)
from comites.services._common import (
    day,
    item_quorum,
    lock_session,
    mandate_in_session,
    refuse,
    require,
)
from comites.services.agenda import sync_automatic_recusals
from comites.workflow import (
    FINISHED_STATUSES,
    SITTING_STATUSES,
    TAKING_PART_STATUSES,
    AttendanceStatus,
    ItemStatus,
    SessionKind,
    SessionStatus,
)

PAST_SESSION_MESSAGE = "On ne convoque pas une séance dans le passé : choisissez une date à venir."


def _check_move(session: Session, name: str) -> None:
    """Refuse a move its kind of session does not know (a sitting is not launched, a
    written consultation is neither convened nor opened)."""
    try:
        session.workflow.get(name)
    except KeyError:
        what = session.get_kind_display().lower()
        refuse(f"Ce changement d'état ne s'applique pas à une {what}.")


def _move(session: Session, name: str, by: User, now: datetime.datetime, comment: str = "") -> None:
    """Apply a move of the session's workflow (by its kind) to a session the caller has
    locked, and log it."""
    _check_move(session, name)
    apply_transition(
        session.workflow, session, name=name, by=by, comment=comment, locked=True, at=now
    )


def _copy_rules(session: Session, committee: Committee) -> None:
    session.quorum_numerator = committee.quorum_numerator
    session.quorum_denominator = committee.quorum_denominator
    session.chair_casting_vote = committee.chair_casting_vote
    session.notice_days = committee.notice_days


# --- Creating a session and its agenda ---------------------------------------------------


def _check_consultation(session: Session, first_convocation: Session | None) -> None:
    if not session.committee.is_approval:
        refuse("Le comité de pilotage ne vote pas : il ne se consulte pas par écrit.", "kind")
    if first_convocation is not None:
        refuse(
            "Une consultation écrite n'est pas une seconde convocation : son quorum se compte "
            "sur les membres qui votent.",
            "first_convocation",
        )
    if session.closes_at is None:
        refuse("Indiquez jusqu'à quand les membres votent.", "closes_at")
    if session.closes_at <= session.starts_at:
        refuse("Les votes se closent après l'ouverture de la consultation.", "closes_at")
    session.place = session.video_link = ""


def _check_first_convocation(session: Session, first: Session) -> None:
    """A second convocation follows a session of the same committee, closed, at which the
    quorum failed (a dossier was left unexamined), and which has no other one."""
    if first.committee_id != session.committee_id:
        refuse("La séance d'origine appartient à un autre comité.", "first_convocation")
    if first.status not in FINISHED_STATUSES or first.starts_at >= session.starts_at:
        refuse(
            "Une seconde convocation suit une séance close, tenue auparavant.",
            "first_convocation",
        )
    if Session.objects.filter(first_convocation=first).exists():
        refuse("Cette séance a déjà sa seconde convocation.", "first_convocation")
    if session.committee.is_approval and not first.items.pending().exists():
        refuse(
            "Tous les dossiers de cette séance ont été examinés : le quorum y était atteint.",
            "first_convocation",
        )


@transaction.atomic
def create_session(
    *,
    committee: Committee,
    starts_at: datetime.datetime,
    by: User,
    place: str = "",
    video_link: str = "",
    duration_minutes: int = 120,
    agenda_notes: str = "",
    first_convocation: Session | None = None,
    kind: str = SessionKind.SITTING,
    closes_at: datetime.datetime | None = None,
) -> Session:
    """Plan a session (a draft): when, where, and whether it is a second convocation; or a
    written consultation of the approval committee, opening on `starts_at`'s day and
    taking votes until `closes_at`, with no place, no attendance and no second convocation."""
    kind = SessionKind(kind)
    written = kind == SessionKind.WRITTEN
    session = Session(
        committee=committee,
        kind=kind,
        closes_at=closes_at if written else None,
        starts_at=starts_at,
        place=place,
        video_link=video_link,
        duration_minutes=duration_minutes,
        agenda_notes=agenda_notes,
        created_by=by,
    )
    _copy_rules(session, committee)
    require(permissions.can_prepare_session(by, session))
    with pghistory.context(user=by.pk):
        if starts_at <= timezone.now():
            refuse("Une séance se prévoit à une date à venir.", "starts_at")
        if written:
            _check_consultation(session, first_convocation)
        if first_convocation is not None:
            first = lock_session(first_convocation)
            _check_first_convocation(session, first)
            session.first_convocation = first
        return save_validated(session)


def _fix_agenda(session: Session, by: User, now: datetime.datetime, verb: str) -> list[AgendaItem]:
    """What convening a sitting and launching a consultation share: an agenda (for an
    approval committee) and a chair, the committee's rules copied, the convocation
    stamped. Returns the agenda's items."""
    committee = session.committee
    items = list(session.items.select_related("session"))
    if committee.is_approval and not items:
        refuse(f"Inscrivez au moins un dossier à l'ordre du jour avant de {verb}.")
    has_chair = (
        CommitteeMembership.objects.chairs()
        .active_on(session.day)
        .filter(committee=committee)
        .exists()
    )
    if not has_chair:
        refuse(
            f"Le comité n'a pas de président(e) le {day(session.day)} : nommez-le ou "
            f"la avant de {verb}."
        )
    _copy_rules(session, committee)
    session.convened_at = now
    session.convened_by = by
    for item in items:
        item.session = session
    return items


@transaction.atomic
def launch_consultation(*, session: Session, by: User, comment: str = "") -> Session:
    """Launch a written consultation: its agenda and rules are fixed, every vote opens at
    once, and the members vote in the application until `closes_at`.

    It launches on its day (`starts_at`), not before, and not once the closing has passed.
    """
    with pghistory.context(user=by.pk):
        session = lock_session(session)
        require(permissions.can_prepare_session(by, session))
        _check_move(session, "launch")
        now = timezone.now()
        if timezone.localdate(now) < session.day:
            refuse(f"La consultation est prévue le {day(session.day)} : elle se lance ce jour-là.")
        if session.closes_at <= now:
            refuse(
                "La date de clôture des votes est passée : la consultation ne peut plus être "
                "lancée."
            )
        items = _fix_agenda(session, by, now, "lancer la consultation")
        session.opened_at = now
        _move(session, "launch", by, now, comment)
        for item in items:
            sync_automatic_recusals(item, by=by)
            stamp_vote(item, ItemStatus.OPEN, by=by, at=now)
    return session


@transaction.atomic
def convene_session(
    *, session: Session, by: User, comment: str = "", notify: bool = True
) -> Session:
    """Convene the members: the session leaves the draft, its agenda and the committee's
    rules are fixed, and members see it from now on.

    A date in the past is refused. A convocation sent later than the committee's notice
    (5 days by default) is allowed, and `session.is_late_convocation` tells the minutes.
    Once committed, each member is emailed the convocation with the pack and an `.ics`
    invitation (`comites.tasks.send_convocation`, each message at most once); a refused
    convocation sends nothing, nor does one replayed by the demo (`notify=False`).
    """
    with pghistory.context(user=by.pk):
        session = lock_session(session)
        require(permissions.can_prepare_session(by, session))
        now = timezone.now()
        if session.starts_at <= now:
            refuse(PAST_SESSION_MESSAGE, "starts_at")
        _check_move(session, "convene")
        items = _fix_agenda(session, by, now, "convoquer")
        _move(session, "convene", by, now, comment)
        for item in items:
            sync_automatic_recusals(item, by=by)
    if notify:
        transaction.on_commit(lambda: tasks.send_convocation.delay(session.pk), robust=True)
    return session


def _attendance_of(session: Session, membership_id: int) -> Attendance | None:
    return (
        Attendance.objects.filter(session=session, membership_id=membership_id)
        .select_related("membership__person")
        .first()
    )


def _check_proxy(
    session: Session, membership: CommitteeMembership, holder: CommitteeMembership | None
) -> None:
    if holder is None:
        refuse("Indiquez le membre qui détient la procuration.", "proxy_holder")
    mandate_in_session(session, holder, field="proxy_holder")
    if not (membership.is_voting and holder.is_voting):
        refuse("Seuls les membres votants donnent ou reçoivent une procuration.", "proxy_holder")
    if holder.pk == membership.pk:
        refuse("Un membre ne se donne pas procuration à lui-même.", "proxy_holder")
    holder_attendance = _attendance_of(session, holder.pk)
    if holder_attendance is None or holder_attendance.status not in TAKING_PART_STATUSES:
        refuse(
            f"{holder.person} doit être noté(e) présent(e) ou à distance pour détenir une "
            "procuration.",
            "proxy_holder",
        )
    other = (
        Attendance.objects.filter(session=session, proxy_holder=holder)
        .exclude(membership=membership)
        .select_related("membership__person")
        .first()
    )
    if other is not None:
        refuse(
            f"{holder.person} détient déjà la procuration de {other.membership.person} : "
            "un membre ne détient qu'une procuration.",
            "proxy_holder",
        )


@transaction.atomic
def record_attendance(
    *,
    session: Session,
    membership: CommitteeMembership,
    status: str,
    by: User,
    proxy_holder: CommitteeMembership | None = None,
) -> Attendance:
    """Record whether a member is present, remote, represented (by `proxy_holder`) or
    absent, while the session is convened or sitting.

    The session is locked: two proxies cannot land on one holder at once. A proxy holder
    is present or remote, holds one proxy at most, and cannot hand his own vote on.
    """
    with pghistory.context(user=by.pk):
        session = lock_session(session)
        require(permissions.can_keep_session(by, session))
        if session.is_written:
            refuse(
                "Une consultation écrite n'a pas de présences : chaque membre vote dans "
                "l'application, et le quorum se compte sur ceux qui ont voté."
            )
        if session.status not in SITTING_STATUSES:
            refuse("La présence s'enregistre pour une séance convoquée ou en cours.")
        membership = CommitteeMembership.objects.select_related("person").get(pk=membership.pk)
        mandate_in_session(session, membership, field="membership")
        status = AttendanceStatus(status)
        if status == AttendanceStatus.REPRESENTED:
            _check_proxy(session, membership, proxy_holder)
        elif proxy_holder is not None:
            refuse(
                "Une procuration ne se donne qu'avec la présence « représenté(e) ».",
                "proxy_holder",
            )
        if status not in TAKING_PART_STATUSES:
            held = (
                Attendance.objects.filter(session=session, proxy_holder=membership)
                .select_related("membership__person")
                .first()
            )
            if held is not None:
                refuse(
                    f"{membership.person} détient la procuration de {held.membership.person} : "
                    f"changez d'abord la présence de {held.membership.person}.",
                    "status",
                )
        attendance = _attendance_of(session, membership.pk) or Attendance(
            session=session, membership=membership
        )
        return save_validated(
            attendance,
            status=status,
            proxy_holder=proxy_holder if status == AttendanceStatus.REPRESENTED else None,
            recorded_by=by,
            recorded_at=timezone.now(),
        )


# --- The session's course ----------------------------------------------------------------


@transaction.atomic
def open_session(*, session: Session, by: User, comment: str = "") -> Session:
    with pghistory.context(user=by.pk):
        session = lock_session(session)
        require(permissions.can_keep_session(by, session))
        now = timezone.now()
        if timezone.localdate(now) < session.day:
            refuse(f"La séance est prévue le {day(session.day)} : elle s'ouvre ce jour-là.")
        session.opened_at = now
        _move(session, "open", by, now, comment)
    return session


@transaction.atomic
def close_session(*, session: Session, by: User, comment: str = "") -> Session:
    """Close the sitting. Dossiers whose vote never opened stay "to examine": a failed
    quorum, to be taken up by a second convocation."""
    with pghistory.context(user=by.pk):
        session = lock_session(session)
        require(permissions.can_keep_session(by, session))
        now = timezone.now()
        if session.is_written:
            _close_consultation_votes(session, by, now)
        still_open = session.items.filter(status=ItemStatus.OPEN).first()
        if still_open is not None:
            refuse(f"Le vote sur le point n° {still_open.order} est encore ouvert : closez-le.")
        session.closed_at = now
        _move(session, "close", by, now, comment)
    return session


def stamp_vote(item: AgendaItem, status: str, *, by: User, at: datetime.datetime) -> AgendaItem:
    """Open or close the vote on an item the caller has locked, stamped with who and when;
    once closed, its votes never change again."""
    moment = "opened" if status == ItemStatus.OPEN else "closed"
    save_validated(item, status=status, **{f"{moment}_at": at, f"{moment}_by": by})
    return item


def _close_consultation_votes(session: Session, by: User, now: datetime.datetime) -> None:
    """Close every vote of a written consultation, once its closing time has passed or
    every member who may vote has voted on every dossier."""
    items = list(session.items.select_for_update().filter(status=ItemStatus.OPEN))
    if now < session.closes_at:
        for item in items:
            item.session = session
            quorum = item_quorum(item)
            if quorum.counted < quorum.eligible:
                closes_at = timezone.localtime(session.closes_at)
                refuse(
                    f"Les membres votent jusqu'au {closes_at:%d/%m/%Y à %Hh%M} et tous n'ont "
                    f"pas voté sur le point n° {item.order} ({quorum.summary})."
                )
    for item in items:
        stamp_vote(item, ItemStatus.CLOSED, by=by, at=now)


@transaction.atomic
def sign_off(*, session: Session, by: User, comment: str = "") -> Session:
    """The chair signs the minutes: the session is locked for good (a trigger refuses any
    change); a correction is then an amendment (`amend_minutes`)."""
    with pghistory.context(user=by.pk):
        session = lock_session(session)
        require(permissions.can_sign_minutes(by, session))
        closed = (
            session.items.filter(status=ItemStatus.CLOSED, decision__isnull=True)
            .select_related("dossier__pme")
            .order_by("order")
        )
        undecided = next((item for item in closed if _awaits_decision(session, item)), None)
        if undecided is not None:
            refuse(
                f"Le point n° {undecided.order} ({undecided.dossier.pme}) n'a pas encore de "
                "décision : enregistrez-la avant de signer."
            )
        now = timezone.now()
        session.signed_at = now
        session.signed_by = by
        _move(session, "sign", by, now, comment)
    return session


def _awaits_decision(session: Session, item: AgendaItem) -> bool:
    """A closed vote calls for a decision, except in a written consultation whose quorum
    of voters failed: it decides nothing on that dossier."""
    if not session.is_written:
        return True
    item.session = session
    return item_quorum(item).reached


def transition_session(
    *, session: Session, name: str, by: User, comment: str = "", expected: str | None = None
) -> Session:
    """Make one move of the session's workflow by its name, through its service; `expected`
    (the state the user saw) refuses it if the session changed in between."""
    with transaction.atomic():
        locked = lock_session(session)
        if expected is not None:
            current = locked.workflow.state_of(locked)
            if current != expected:
                refuse(locked.workflow.changed_meanwhile(current))
        _check_move(locked, name)
        return SESSION_MOVES[name](session=session, by=by, comment=comment)


@transaction.atomic
def amend_minutes(
    *, session: Session, text: str, by: User, item: AgendaItem | None = None
) -> Amendment:
    """Correct signed minutes by an amendment, logged with who and when; never an edit."""
    with pghistory.context(user=by.pk):
        session = Session.objects.select_related("committee__basin").get(pk=session.pk)
        require(permissions.can_amend_minutes(by, session))
        if session.status != SessionStatus.SIGNED:
            refuse(
                "Seul un procès-verbal signé se corrige par avenant ; avant la signature, "
                "corrigez les données de la séance."
            )
        if item is not None and item.session_id != session.pk:
            refuse("Ce point n'est pas à l'ordre du jour de cette séance.", "item")
        return create_validated(Amendment, session=session, item=item, text=text.strip(), by=by)


SESSION_MOVES = {
    "launch": launch_consultation,
    "convene": convene_session,
    "open": open_session,
    "close": close_session,
    "sign": sign_off,
}
