"""Idempotent submissions: a form that records money or a decision is acted on once.

Each such form carries a one-time token: `OnceFormMixin` adds it as a hidden field to a
Django form, `{% once_token %}` (alize_tags) writes it into a form written by hand. The
view hands the token and what the form does to `run_once`:

- the first submission of a token claims it (a `Submission` row, unique on the token) in
  the same transaction as what it records, and notes the page it leads to and its message;
- a second submission of the same token (a double click, a page sent again, even at the
  same instant: the second insert waits for the first transaction, then fails) records
  nothing and gets that first `Submission` back, for the view to show its result;
- a refusal (ValidationError, PermissionDenied) rolls the claim back with the rest: the
  corrected form, which keeps its token, may be sent again.

A form posted without a token (a script, an old page) is acted on as before.
"""

import uuid
from collections.abc import Callable

from django import forms
from django.db import IntegrityError, transaction
from django.http import Http404

from alize.models import Submission

FIELD = "once"
REPLAY_MESSAGE = (
    "Ce formulaire avait déjà été envoyé (double clic ou page renvoyée) : rien de plus n'a été "
    "enregistré."
)


def parse_token(raw) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


class OnceFormMixin:
    """Give a form its one-time token: a hidden field, a new token each time it is drawn
    empty; a refused form drawn again keeps the token it was sent with."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[FIELD] = forms.UUIDField(
            widget=forms.HiddenInput, required=False, initial=uuid.uuid4
        )

    def once_token(self) -> uuid.UUID | None:
        return parse_token(self.data.get(self.add_prefix(FIELD)))


class _Taken(Exception):
    pass


def earlier_submission(*, token: uuid.UUID | None, user) -> Submission | None:
    """The submission already made with this token, if any (a 404 if it was not this user's:
    tokens are not shared)."""
    if token is None:
        return None
    earlier = Submission.objects.filter(token=token).first()
    if earlier is not None and earlier.user_id != user.pk:
        raise Http404
    return earlier


def run_once(
    *, token: uuid.UUID | None, user, path: str, perform: Callable[[], tuple[str, str]]
) -> Submission | None:
    """Call `perform` (which records, then returns the page to show and its message) once
    for this token. None when it ran; the earlier submission when the token was used."""
    earlier = earlier_submission(token=token, user=user)
    if earlier is not None:
        return earlier
    if token is None:
        perform()
        return None
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    claim = Submission.objects.create(token=token, user=user, path=path[:300])
            except IntegrityError as error:
                raise _Taken from error
            result_url, message = perform()
            claim.result_url, claim.message = result_url[:500], message[:500]
            claim.save(update_fields=["result_url", "message"])
    except _Taken:
        return earlier_submission(token=token, user=user)
    return None


def replay_text(submission: Submission) -> str:
    """What a second submission is told: nothing more was recorded, and the first result."""
    if submission.message:
        return f"{REPLAY_MESSAGE} Premier envoi : {submission.message}"
    return REPLAY_MESSAGE
