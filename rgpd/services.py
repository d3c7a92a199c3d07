"""The GDPR's writes: the retention policy applied, a contact erased on request.

`plan_retention` lists what the policy would do today; `apply_retention` does it (or, in a
dry run, only lists it). Contacts are anonymised in place (their SME, its dossiers, advances
and every figure stay as they are), documents, sign-in records and expired sessions are
deleted; the personal fields of the anonymised and deleted rows are redacted in the audit
trail too (`rgpd.redaction`). Running it twice changes nothing the second time.
"""

import datetime
import logging
from dataclasses import dataclass, field

import pghistory
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from alize.formatting import french_date
from avances.models import Advance
from pme.models import Document, Dossier, Pme, PmeContact
from pme.permissions import can_edit_pme
from pme.workflow import FINISHED_STATES, DossierState
from rgpd import policy
from rgpd.models import Reason
from rgpd.redaction import redact_events, write_alias

logger = logging.getLogger(__name__)


# --- Legal holds ----------------------------------------------------------------------------


def legal_hold(pme: Pme, today: datetime.date | None = None) -> str | None:
    """Why the law keeps this SME's personal data today (in French), or None."""
    today = today or timezone.localdate()
    advances = Advance.objects.filter(dossier__pme=pme)
    owed = advances.not_written_off().exclude(pk__in=Advance.objects.repaid().values("pk"))
    first_owed = owed.order_by("decision_date").first()
    if first_owed is not None:
        return (
            f"L'avance remboursable {first_owed.reference} de l'entreprise n'est pas "
            "entièrement remboursée : ses données sont conservées tant que des fonds "
            "publics restent à recouvrer."
        )
    last = advances.aggregate(last=Max("decision_date"))["last"]
    if last is not None:
        until = last + datetime.timedelta(days=policy.public_funds_control_days())
        if today < until:
            return (
                f"L'entreprise a reçu une avance remboursable décidée le {french_date(last)} : "
                "les données de ses dossiers sont conservées pour le contrôle des fonds "
                f"publics jusqu'au {french_date(until)} (10 ans, règlement (UE) 2023/2831)."
            )
    return None


def erasure_refusal(contact: PmeContact, today: datetime.date | None = None) -> str | None:
    """Why this contact cannot be erased on request (in French), or None."""
    return legal_hold(contact.pme, today)


# --- What the policy would do -----------------------------------------------------------------


@dataclass
class Planned:
    """One kind of data: the rows the policy reaches today (pks) and how to name them."""

    retention: policy.Retention
    cutoff: datetime.datetime
    pks: list = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.pks)

    def __str__(self):
        what = f"{self.retention.label} : {self.count} à {self.retention.action}"
        return what + (
            f" ({len(self.held)} conservés par une obligation légale)" if self.held else ""
        )


def _cutoff(retention: policy.Retention, now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(days=retention.days)


def _finished_pmes(cutoff: datetime.datetime, *, closed: bool):
    """SMEs whose dossiers are all finished since before `cutoff`; with `closed`, at least
    one of them was closed (supported to its end), else all were refused or withdrawn."""
    dossiers = Dossier.objects.filter(pme=OuterRef("pk"))
    return (
        Pme.objects.annotate(
            open_dossier=Exists(dossiers.exclude(state__in=FINISHED_STATES)),
            closed_dossier=Exists(dossiers.filter(state=DossierState.CLOSED)),
            finished_at=Max("dossiers__state_changed_at"),
        )
        .filter(open_dossier=False, closed_dossier=closed, finished_at__lt=cutoff)
        .order_by("pk")
    )


NOT_ANONYMOUS = ~Q(**policy.NEUTRAL_CONTACT)


def _contacts(planned: Planned, today, *, closed: bool) -> None:
    for pme in _finished_pmes(planned.cutoff, closed=closed):
        contacts = list(pme.contacts.filter(NOT_ANONYMOUS).order_by("pk"))
        if not contacts:
            continue
        if legal_hold(pme, today):
            planned.held.append(pme.name)
            continue
        planned.pks += [contact.pk for contact in contacts]
        planned.names += [f"contact n° {contact.pk} de {pme.name}" for contact in contacts]


def _documents(planned: Planned, today) -> None:
    documents = Document.objects.filter(
        dossier__state__in=FINISHED_STATES, dossier__state_changed_at__lt=planned.cutoff
    ).select_related("dossier__pme")
    holds: dict[int, str | None] = {}
    for document in documents.order_by("pk"):
        pme = document.dossier.pme
        if pme.pk not in holds:
            holds[pme.pk] = legal_hold(pme, today)
        if holds[pme.pk]:
            planned.held.append(f"document n° {document.pk} de {pme.name}")
            continue
        planned.pks.append(document.pk)
        planned.names.append(f"document n° {document.pk} du dossier n° {document.dossier_id}")


SIGNIN_MODELS = (AccessAttempt, AccessLog, AccessFailureLog)


def _signin_records(planned: Planned, today) -> None:
    for model in SIGNIN_MODELS:
        pks = list(
            model.objects.filter(attempt_time__lt=planned.cutoff).values_list("pk", flat=True)
        )
        planned.pks += [(model._meta.label, pk) for pk in pks]
        if pks:
            planned.names.append(f"{len(pks)} × {model._meta.verbose_name}")


def _sessions(planned: Planned, today) -> None:
    pks = list(Session.objects.filter(expire_date__lt=planned.cutoff).values_list("pk", flat=True))
    planned.pks += pks
    if pks:
        planned.names.append(f"{len(pks)} sessions")


FINDERS = {
    "contacts_closed": lambda planned, today: _contacts(planned, today, closed=True),
    "contacts_refused": lambda planned, today: _contacts(planned, today, closed=False),
    "documents_closed": _documents,
    "signin_records": _signin_records,
    "expired_sessions": _sessions,
}


def plan_retention(now: datetime.datetime | None = None) -> list[Planned]:
    """What the policy reaches at `now`, kind by kind (no effect)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    plans = []
    for retention in policy.RETENTIONS:
        planned = Planned(retention, _cutoff(retention, now))
        FINDERS[retention.kind](planned, today)
        plans.append(planned)
    return plans


# --- Doing it -------------------------------------------------------------------------------


def _subject(what: str, pks) -> str:
    """How the redaction log names the rows: "contacts 12, 14" (cut at 100 characters)."""
    text = f"{what} {', '.join(str(pk) for pk in sorted(pks))}"
    return text if len(text) <= 100 else text[:99] + "…"


def anonymise_contacts(pks, *, by, reason: str, alias: str) -> int:
    """Neutral values in the contacts' personal fields and in their audit events."""
    contacts = PmeContact.objects.using(alias).filter(pk__in=list(pks)).filter(NOT_ANONYMOUS)
    locked = list(contacts.select_for_update().values_list("pk", flat=True))
    if locked:
        with pghistory.context(user=getattr(by, "pk", None), rgpd=reason):
            PmeContact.objects.using(alias).filter(pk__in=locked).update(**policy.NEUTRAL_CONTACT)
    # Events too, also of contacts anonymised earlier whose events were not (idempotent).
    redact_events(
        PmeContact,
        pks,
        policy.NEUTRAL_CONTACT,
        by=by,
        reason=reason,
        subject=_subject("contacts", pks),
        alias=alias,
    )
    return len(locked)


def delete_documents(pks, *, by, alias: str) -> int:
    documents = list(Document.objects.using(alias).filter(pk__in=list(pks)).select_for_update())
    files = [(document.file.storage, document.file.name) for document in documents]
    with pghistory.context(user=getattr(by, "pk", None), rgpd=Reason.RETENTION):
        Document.objects.using(alias).filter(pk__in=[d.pk for d in documents]).delete()
    redact_events(
        Document,
        pks,
        policy.NEUTRAL_DOCUMENT,
        by=by,
        reason=Reason.RETENTION,
        subject=_subject("documents", pks),
        alias=alias,
    )

    def remove_files():
        for storage, name in files:
            if name:
                storage.delete(name)

    transaction.on_commit(remove_files, using=alias)
    return len(documents)


def _delete_signin(pks, alias: str) -> int:
    done = 0
    for model in SIGNIN_MODELS:
        mine = [pk for label, pk in pks if label == model._meta.label]
        done += model.objects.using(alias).filter(pk__in=mine).delete()[1].get(model._meta.label, 0)
    return done


def apply_retention(*, apply: bool, by=None, now: datetime.datetime | None = None):
    """The policy: what it reaches today, done when `apply` (else only listed). The plans,
    each with what it reached."""
    plans = plan_retention(now)
    if not apply:
        for planned in plans:
            logger.info("RGPD (simulation) %s", planned)
            for name in planned.names:
                logger.info("RGPD (simulation)   %s", name)
        return plans
    alias = write_alias()
    with transaction.atomic(using=alias):
        for planned in plans:
            kind = planned.retention.kind
            if kind.startswith("contacts_") and planned.pks:
                anonymise_contacts(planned.pks, by=by, reason=Reason.RETENTION, alias=alias)
            elif kind == "documents_closed" and planned.pks:
                delete_documents(planned.pks, by=by, alias=alias)
            elif kind == "signin_records":
                _delete_signin(planned.pks, alias)
            elif kind == "expired_sessions":
                Session.objects.using(alias).filter(pk__in=planned.pks).delete()
            logger.info("RGPD %s", planned)
    return plans


def erase_contact(*, contact: PmeContact, by) -> None:
    """Erase a contact on request: the row is deleted and its personal fields redacted in
    the audit trail, unless a legal retention keeps it (ValidationError with the reason)."""
    if not can_edit_pme(by, contact.pme):
        raise PermissionDenied("Seuls les chargés de mission du bassin traitent cette demande.")
    refusal = erasure_refusal(contact)
    if refusal:
        raise ValidationError(refusal)
    alias = write_alias()
    with transaction.atomic(using=alias):
        locked = PmeContact.objects.using(alias).select_for_update().filter(pk=contact.pk)
        with pghistory.context(user=by.pk, rgpd=Reason.ERASURE):
            locked.delete()
        redact_events(
            PmeContact,
            [contact.pk],
            policy.NEUTRAL_CONTACT,
            by=by,
            reason=Reason.ERASURE,
            subject=f"contact {contact.pk} de {contact.pme.name}",
            alias=alias,
        )
