"""Repayments entered from a bank statement (CSV): upload, preview, confirm.

The preview keeps the file's text in the user's session with its SHA-256 digest; the
confirmation form carries the digest back, and only the very text that was previewed is
imported (a later upload in another tab makes an older confirmation page stale). Nothing
is saved while any row has an error: `import_statement` checks every row again under the
funds' locks and records all or nothing.
"""

import hashlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from alize import once
from avances.csv_import import import_statement, preview_statement
from avances.forms import StatementUploadForm
from avances.views.common import ActorsMixin

SESSION_KEY = "avances_statement"
TEMPLATE = "avances/statement_import.html"


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class StatementImportView(ActorsMixin, View):
    def get(self, request):
        return render(request, TEMPLATE, {"form": StatementUploadForm(), "title": TITLE})

    def post(self, request):
        form = StatementUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, TEMPLATE, {"form": form, "title": TITLE})
        text = form.cleaned_data["statement"]
        preview = preview_statement(text, by=request.user)
        digest = digest_of(text)
        request.session[SESSION_KEY] = {"text": text, "digest": digest}
        return render(
            request,
            TEMPLATE,
            {
                "form": StatementUploadForm(),
                "title": TITLE,
                "preview": preview,
                "digest": digest,
                "filename": form.files["statement"].name,
            },
        )


TITLE = "Import d'un relevé bancaire"


class StatementConfirmView(ActorsMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        token = once.parse_token(request.POST.get(once.FIELD))
        earlier = once.earlier_submission(token=token, user=request.user)
        if earlier is not None:
            return self.replayed(earlier)
        kept = request.session.get(SESSION_KEY)
        if not kept or request.POST.get("digest") != kept["digest"]:
            messages.error(
                request,
                "Ce relevé n'est plus celui de l'aperçu (un autre fichier a été lu depuis, ou "
                "la session a expiré) : chargez-le de nouveau.",
            )
            return redirect(reverse("avances:statement_import"))
        text = kept["text"]
        confirmed = confirmed_lines(request.POST.getlist("duplicate"))
        outcome = {}

        def perform():
            payments = import_statement(text, by=request.user, confirmed_duplicates=confirmed)
            outcome["message"] = imported_message(len(payments))
            return reverse("avances:advance_list"), outcome["message"]

        try:
            earlier = once.run_once(
                token=token, user=request.user, path=request.path, perform=perform
            )
        except ValidationError as error:
            return render(
                request,
                TEMPLATE,
                {
                    "form": StatementUploadForm(),
                    "title": TITLE,
                    "preview": preview_statement(
                        text, by=request.user, confirmed_duplicates=confirmed
                    ),
                    "digest": kept["digest"],
                    "import_errors": error.messages,
                },
            )
        if earlier is not None:
            return self.replayed(earlier)
        del request.session[SESSION_KEY]
        messages.success(request, outcome["message"])
        return redirect(reverse("avances:advance_list"))

    def replayed(self, submission):
        messages.info(self.request, once.replay_text(submission))
        return redirect(submission.result_url or reverse("avances:advance_list"))


def confirmed_lines(values) -> frozenset[int]:
    """The repeated lines the user ticked to record them too (anything else is ignored)."""
    return frozenset(int(value) for value in values if str(value).isdigit() and len(value) < 9)


def imported_message(count: int) -> str:
    plural = "s" if count > 1 else ""
    return f"{count} remboursement{plural} enregistré{plural} depuis le relevé."
