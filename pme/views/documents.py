"""Views of a dossier's documents and of its one-page PDF.

Every view first fetches the dossier through `Dossier.objects.visible_to(user)`: what a
user may not see is a 404, whatever the method. A user who sees the dossier but may not
change its documents gets a 403 on the writing views. Files never leave MEDIA_ROOT but
through `document_download`.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.cache import never_cache

from alize import antivirus
from pme import permissions
from pme.forms import DocumentForm
from pme.models import Dossier
from pme.pdf import build_dossier_pdf
from pme.services import attach_document, delete_document
from pme.views.base import file_download

PARTIAL = "pme/partials/_documents.html"
FORM_PREFIX = "document"


def documents_block(user, dossier: Dossier, *, form=None, notice: str = "") -> dict:
    """What the documents partial shows to this user: one query for the documents."""
    if not permissions.can_view_documents(user):
        return {"visible": False}
    can_manage, _ = permissions.can_manage_documents(user, dossier)
    return {
        "visible": True,
        "documents": list(dossier.documents.select_related("uploaded_by")),
        "can_manage": can_manage,
        "form": (form or DocumentForm(prefix=FORM_PREFIX)) if can_manage else None,
        "notice": notice,
    }


# --- Helpers -------------------------------------------------------------------------------


def _visible_dossier(request, pk: int) -> Dossier:
    """The dossier if the user may see it and its documents; a 404 otherwise."""
    if not permissions.can_view_documents(request.user):
        raise Http404
    return get_object_or_404(
        Dossier.objects.visible_to(request.user).select_related("pme__commune__epci"), pk=pk
    )


def _require_manage(user, dossier: Dossier) -> None:
    allowed, reason = permissions.can_manage_documents(user, dossier)
    if not allowed:
        raise PermissionDenied(reason)


def _dossier_page(dossier: Dossier) -> str:
    return dossier.get_absolute_url() + "#documents"


def _render_block(request, dossier, *, form=None, notice=""):
    return render(
        request, PARTIAL, {"dossier": dossier, "document_form": form, "document_notice": notice}
    )


def _error_texts(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


# --- Views ---------------------------------------------------------------------------------


def document_upload(request, dossier_pk: int):
    """Attach a file (POST). Answers the documents partial to htmx, a redirect otherwise."""
    dossier = _visible_dossier(request, dossier_pk)
    _require_manage(request.user, dossier)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])

    form = DocumentForm(request.POST, request.FILES, prefix=FORM_PREFIX)
    if form.is_valid():
        try:
            document = attach_document(
                dossier=dossier,
                by=request.user,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error("file", error)
        else:
            notice = f"Le document « {document.title} » est ajouté au dossier."
            if request.htmx:
                return _render_block(request, dossier, notice=notice)
            messages.success(request, notice)
            return redirect(_dossier_page(dossier))

    if request.htmx:
        # 200, so that htmx swaps the block in with the errors next to the fields.
        return _render_block(request, dossier, form=form)
    errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    messages.error(request, "Le document n'a pas été ajouté : " + " ".join(errors))
    return redirect(_dossier_page(dossier))


def document_delete(request, dossier_pk: int, pk: int):
    """Delete a document (POST), the trail keeping what it was."""
    dossier = _visible_dossier(request, dossier_pk)
    document = get_object_or_404(dossier.documents, pk=pk)
    _require_manage(request.user, dossier)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])

    try:
        delete_document(document=document, by=request.user)
    except ValidationError as error:
        notice, level = " ".join(_error_texts(error)), messages.ERROR
    else:
        notice, level = f"Le document « {document.title} » est supprimé.", messages.SUCCESS
    if request.htmx:
        return _render_block(request, dossier, notice=notice)
    messages.add_message(request, level, notice)
    return redirect(_dossier_page(dossier))


@never_cache
def document_download(request, dossier_pk: int, pk: int):
    """The file, as an attachment under its original name, to those who see the dossier."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    dossier = _visible_dossier(request, dossier_pk)
    document = get_object_or_404(dossier.documents, pk=pk)
    if refusal := antivirus.not_downloadable(request, document.file_scan):
        return refusal
    response = file_download(
        document.file,
        document.original_name,
        missing="Le fichier de ce document est introuvable.",
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
def dossier_pdf(request, pk: int):
    """The one-page summary of a dossier, shown in the browser (inline)."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    dossier = get_object_or_404(
        Dossier.objects.visible_to(request.user).select_related("pme"), pk=pk
    )
    pdf = build_dossier_pdf(dossier.pk)
    name = slugify(dossier.pme.name)[:60].strip("-")
    filename = f"dossier-{dossier.pk}-{name}.pdf" if name else f"dossier-{dossier.pk}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
