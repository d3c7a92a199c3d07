"""The agenda of a session: its items, their order, the corporations proposed to help, and
the recusals that follow from them."""

from collections.abc import Iterable

import pghistory
from django.db import transaction
from django.db.models import Max, Q

from alize.models import User
from alize.services.common import create_validated, lock_row
from comites import permissions
from comites.models import (
    AgendaItem,
    CommitteeMembership,
    Recusal,
    Session,
)
from comites.services._common import (
    day,
    lock_session,
    refuse,
    require,
)
from comites.workflow import (
    FINISHED_STATUSES,
    ItemStatus,
    RecusalReason,
    SessionStatus,
)
from grandes_entreprises.models import Corporation
from pme.models import Dossier, DossierState


def _automatic_recusals(item: AgendaItem) -> set[int]:
    """The voting members linked to a corporation proposed for the dossier: they represent
    it (their mandate names it) or sit for it (its committee representatives)."""
    proposed = item.proposed_corporations.all()
    representatives = Corporation.committee_representatives.through.objects.filter(
        corporation__in=proposed
    ).values("user_id")
    return set(
        CommitteeMembership.objects.voting()
        .active_on(item.session.day)
        .filter(committee_id=item.session.committee_id)
        .filter(Q(corporation__in=proposed) | Q(person__in=representatives))
        .values_list("pk", flat=True)
    )


def sync_automatic_recusals(item: AgendaItem, *, by: User) -> None:
    """Bring the automatic recusals of a pending item in line with its proposed
    corporations and the committee's members. Declared interests are left as they are."""
    if item.status != ItemStatus.PENDING:
        return
    wanted = _automatic_recusals(item)
    existing = dict(item.recusals.values_list("membership_id", "reason"))
    automatic = {
        m for m, reason in existing.items() if reason == RecusalReason.PROPOSED_CORPORATION
    }
    Recusal.objects.filter(item=item, membership_id__in=automatic - wanted).delete()
    for membership_id in sorted(wanted - set(existing)):
        Recusal.objects.create(
            item=item,
            membership_id=membership_id,
            reason=RecusalReason.PROPOSED_CORPORATION,
            recorded_by=by,
        )


def _check_proposed(session: Session, corporations: Iterable[Corporation]) -> list[Corporation]:
    corporations = list(corporations)
    strangers = [c for c in corporations if c.basin_id != session.committee.basin_id]
    if strangers:
        refuse(f"{strangers[0]} n'appartient pas au bassin du comité.", "proposed_corporations")
    return corporations


def _check_dossier_for_agenda(session: Session, dossier: Dossier) -> None:
    if dossier.state != DossierState.SUBMITTED:
        refuse(
            f"Seul un dossier « {DossierState.SUBMITTED.label} » s'inscrit à l'ordre du jour ; "
            f"celui-ci est « {dossier.get_state_display()} ».",
            "dossier",
        )
    if dossier.pme.commune.epci.basin_id != session.committee.basin_id:
        refuse("Ce dossier relève d'un autre bassin que le comité.", "dossier")
    elsewhere = (
        AgendaItem.objects.filter(dossier=dossier, status__in=[ItemStatus.PENDING, ItemStatus.OPEN])
        .exclude(session__status__in=FINISHED_STATUSES)
        .exclude(session=session)
        .select_related("session")
        .first()
    )
    if elsewhere:
        refuse(
            f"Ce dossier est déjà à l'ordre du jour de la séance du {day(elsewhere.session.day)}.",
            "dossier",
        )
    first = session.first_convocation
    if first is not None and not first.items.pending().filter(dossier=dossier).exists():
        refuse(
            "Une seconde convocation porte sur les dossiers non examinés de la séance "
            f"du {day(first.day)} : celui-ci n'en est pas.",
            "dossier",
        )


@transaction.atomic
def add_agenda_item(
    *,
    session: Session,
    dossier: Dossier,
    by: User,
    order: int | None = None,
    proposed_corporations: Iterable[Corporation] = (),
) -> AgendaItem:
    """Put a dossier "submitted to committee" of the basin on a draft session's agenda,
    last unless `order` is given, with the corporations proposed to support it."""
    with pghistory.context(user=by.pk):
        session = lock_session(session)
        require(permissions.can_prepare_session(by, session))
        if not session.committee.is_approval:
            refuse("Le comité de pilotage n'examine pas de dossiers : il n'y vote pas.")
        if session.status != SessionStatus.DRAFT:
            refuse(
                "L'ordre du jour se fixe avant la convocation : cette séance est déjà "
                f"« {session.get_status_display()} »."
            )
        dossier = lock_row(Dossier, dossier.pk, "pme__commune__epci")
        _check_dossier_for_agenda(session, dossier)
        corporations = _check_proposed(session, proposed_corporations)
        if order is None:
            order = (session.items.aggregate(last=Max("order"))["last"] or 0) + 1
        item = create_validated(AgendaItem, session=session, dossier=dossier, order=order)
        item.proposed_corporations.set(corporations)
        sync_automatic_recusals(item, by=by)
    return item


@transaction.atomic
def move_agenda_item(*, item: AgendaItem, step: int, by) -> None:
    """Swap an item with its neighbour on a draft session's agenda (`step` -1: up, +1: down).

    The ranks' unique constraint is deferred: both rows change in one transaction.
    """
    with pghistory.context(user=by.pk):
        session = lock_session(item.session)
        require(permissions.can_prepare_session(by, session))
        if session.status != SessionStatus.DRAFT:
            refuse("L'ordre du jour d'une séance convoquée ne change plus.")
        items = list(session.items.select_for_update().order_by("order"))
        index = next(i for i, other in enumerate(items) if other.pk == item.pk)
        neighbour = index + step
        if not 0 <= neighbour < len(items):
            return
        first, second = items[index], items[neighbour]
        first.order, second.order = second.order, first.order
        first.save(update_fields=["order"])
        second.save(update_fields=["order"])


@transaction.atomic
def remove_agenda_item(*, item: AgendaItem, by: User) -> None:
    with pghistory.context(user=by.pk):
        session = lock_session(item.session)
        require(permissions.can_prepare_session(by, session))
        if session.status != SessionStatus.DRAFT:
            refuse("L'ordre du jour d'une séance convoquée ne change plus.")
        item = AgendaItem.objects.get(pk=item.pk)
        item.recusals.all().delete()
        item.proposed_corporations.clear()
        item.delete()


@transaction.atomic
def set_proposed_corporations(
    *, item: AgendaItem, corporations: Iterable[Corporation], by: User
) -> AgendaItem:
    """Name the corporations proposed to support the SME, until the vote opens; the
    members linked to them are recused automatically."""
    with pghistory.context(user=by.pk):
        session = lock_session(item.session)
        require(permissions.can_prepare_session(by, session))
        item = lock_row(AgendaItem, item.pk)
        item.session = session
        if item.status != ItemStatus.PENDING or session.status in FINISHED_STATUSES:
            refuse("Les entreprises proposées ne changent plus une fois le vote ouvert.")
        item.proposed_corporations.set(_check_proposed(session, corporations))
        sync_automatic_recusals(item, by=by)
    return item


# --- Convocation and attendance ----------------------------------------------------------
