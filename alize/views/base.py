"""The generic views every app builds on: fetch through a scoped queryset (a 404 for what a
user may not see), list, show, and create or edit through one service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.views import View
from django.views.generic import DetailView, ListView
from django.views.generic.edit import FormView

from alize import once, permissions, services
from alize.forms import attach_errors
from alize.models import Submission
from alize.pdf import pdf_filename, pdf_response
from alize.versioning import EditConflict

CONFLICT_TEMPLATE = "alize/edit_conflict.html"
NOT_ALLOWED = "Vous n'avez pas le droit de faire cette action."
# What a service raises to refuse: shown to the user, nothing saved.
REFUSALS = (ValidationError, PermissionDenied)


def refusal_text(error: Exception, default: str = NOT_ALLOWED) -> str:
    """A service's refusal as one French sentence (or several): a ValidationError's
    messages, a PermissionDenied's reason, else `default`."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, PermissionDenied) and str(error):
        return str(error)
    return default


def refused_in_form(form, error: Exception, default: str = NOT_ALLOWED) -> None:
    """A service's refusal caught by the view, shown on the form: a ValidationError on the
    fields it names (`attach_errors`), anything else at the top of the form. (A view that
    calls the service for the form uses `alize.forms.attempt`, which does this.)"""
    if isinstance(error, ValidationError):
        attach_errors(error, form)
    else:
        form.add_error(None, refusal_text(error, default))


def visible_through(model, user, parent: str):
    """The rows of `model` seen through their record: those whose `parent` (a foreign key:
    the advance of a payment, the SME of a contact) is among what the parent model's
    `visible_to(user)` gives."""
    parents = model._meta.get_field(parent).related_model.objects.visible_to(user)
    return model.objects.filter(**{f"{parent}__in": parents})


def row_or_404(model, user, pk, *, parent: str, related: tuple[str, ...] = ()):
    """One row seen through its record (`visible_through`), with `related` selected; a 404
    for a row the user may not see."""
    rows = visible_through(model, user, parent)
    return get_object_or_404(rows.select_related(*related) if related else rows, pk=pk)


def act(request, service, /, *, success: str, **arguments) -> bool:
    """A button without a form: call `service(**arguments)`; its refusal, or `success`,
    becomes the message of the page the view redirects to. True when it was done."""
    try:
        service(**arguments)
    except REFUSALS as error:
        messages.error(request, refusal_text(error))
        return False
    messages.success(request, success)
    return True


def cleaned(form, *names: str) -> dict:
    """The named fields' cleaned values, as the keyword arguments of a service."""
    return {name: form.cleaned_data[name] for name in names}


def once_token_of(form):
    """The form's one-time token (`alize.once.OnceFormMixin`), None for a form without."""
    return form.once_token() if hasattr(form, "once_token") else None


def conflict_response(request, *, conflict: EditConflict, typed, form, title, back_url=""):
    """The conflict page (409): what changed since the user opened the form, what they typed
    (not saved), and `form`, drawn again from the record as it is now, to redo the edit."""
    context = {
        "title": f"Modifiée entre-temps : {title}",
        "message": conflict.messages[0],
        "changes": conflict.changes,
        "typed": typed,
        "form": form,
        "form_action": request.get_full_path(),
        "back_url": back_url,
    }
    return render(request, CONFLICT_TEMPLATE, context, status=409)


class ServiceFormMixin:
    """A form page saved by one service.

    `save(form)` calls the service and returns what it made; its refusal (one of
    `refusals`) shows on the form, at status 200. Otherwise the next page says
    `done_message(result)` (`success_message` by default) and the view redirects to
    `done_url(result)` (`get_success_url()` by default).
    """

    success_message = ""
    refusals: tuple[type[Exception], ...] = REFUSALS

    def save(self, form):
        raise NotImplementedError

    def done_message(self, result) -> str:
        return self.success_message

    def done_url(self, result) -> str:
        return self.get_success_url()

    def form_valid(self, form):
        try:
            result = self.save(form)
        except self.refusals as error:
            refused_in_form(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.done_message(result))
        return redirect(self.done_url(result))


class PdfView(View):
    """A PDF shown in the browser: `get_object()` fetches what it is about (a 404 for what
    the user may not see), `build(obj)` draws it and `filename_parts(obj)` names it
    (`alize.pdf.pdf_filename`)."""

    build = None  # staticmethod(build_<document>_pdf)

    def get_object(self):
        raise NotImplementedError

    def filename_parts(self, obj) -> tuple:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return pdf_response(self.build(obj), pdf_filename(*self.filename_parts(obj)))


# --- Generic referential views ---------------------------------------------------------


class ScopedMixin:
    """Fetch through the model's visible_to(user); refuse with a 404."""

    model = None
    related: tuple[str, ...] = ()  # select_related on the scoped queryset
    allowed = staticmethod(permissions.can_view_referential)

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        queryset = self.model.objects.visible_to(self.request.user)
        return queryset.select_related(*self.related) if self.related else queryset


class EntityPagesMixin:
    """`pages` names the entity's pages, e.g. "alize:period": their URLs are named
    `<pages>_list`, `<pages>_create` and `<pages>_update` (`alize.urls.referential_pages`),
    which give the views' `list_url_name`, `create_url_name` and `update_url_name` unless a
    view names its own."""

    pages = ""

    def page_url_name(self, page: str) -> str:
        return f"{self.pages}_{page}" if self.pages else ""

    @property
    def list_url_name(self):
        return self.page_url_name("list")

    @property
    def create_url_name(self):
        return self.page_url_name("create")

    @property
    def update_url_name(self):
        return self.page_url_name("update")


class ReferentialListView(EntityPagesMixin, ScopedMixin, ListView):
    template_name = "alize/referential_list.html"
    paginate_by = 25
    columns: list[tuple[str, str]] = []  # (label, attribute or "filter:attribute")
    may_create = staticmethod(permissions.can_edit_referential)
    # Where rows are picked from the official referential instead of typed.
    import_url_name = ""
    search_fields: tuple[str, ...] = ()

    @property
    def title(self):
        return capfirst(self.model._meta.verbose_name_plural)

    def get_queryset(self):
        queryset = super().get_queryset()
        query = self.request.GET.get("q", "").strip()
        if query and self.search_fields:
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": query})
            queryset = queryset.filter(condition)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_edit = permissions.can_edit_referential(self.request.user)
        context.update(
            title=self.title,
            columns=self.columns,
            create_url_name=self.create_url_name if self.may_create(self.request.user) else "",
            import_url_name=self.import_url_name if can_edit else "",
            searchable=bool(self.search_fields),
            query=self.request.GET.get("q", ""),
        )
        return context


class ReferentialDetailView(EntityPagesMixin, ScopedMixin, DetailView):
    template_name = "alize/referential_detail.html"
    fields: list[str] = []
    extra_template = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        rows = []
        for name in self.fields:
            field = obj._meta.get_field(name)
            display = getattr(obj, f"get_{name}_display", None)
            value = display() if display else getattr(obj, name)
            rows.append((field.verbose_name, value, field.get_internal_type()))
        context.update(
            rows=rows,
            update_url_name=self.update_url_name
            if permissions.can_edit_referential(self.request.user)
            else "",
            extra_template=self.extra_template,
            list_url_name=self.list_url_name,
            list_title=self.model._meta.verbose_name_plural,
        )
        return context


class ReferentialFormView(EntityPagesMixin, ScopedMixin, FormView):
    """Create (no pk) or edit (pk) one referential object through save_referential."""

    template_name = "alize/referential_form.html"
    allowed = staticmethod(permissions.can_edit_referential)
    success_message = "Enregistré."
    # The refusals of `save` shown on the form; any other error propagates (a
    # PermissionDenied is a 403 unless the view lists it).
    refusals: tuple[type[Exception], ...] = (ValidationError,)

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.object = self.get_object()
        kwargs.update(user=self.request.user, instance=self.object)
        return kwargs

    def save(self, form):
        return services.save_referential(instance=form.save(commit=False))

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        # A form with a one-time token sent a second time: its first result, nothing more.
        earlier = once.earlier_submission(token=once_token_of(form), user=request.user)
        if earlier is not None:
            return self.replayed(earlier)
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)

    def save_once(self, form):
        """Save through `save(form)`, once per one-time token if the form has one: the
        saved object, or the earlier `Submission` when the token was already used."""
        saved = {}

        def perform():
            saved["obj"] = self.save(form)
            return saved["obj"].get_absolute_url(), self.success_message

        earlier = once.run_once(
            token=once_token_of(form),
            user=self.request.user,
            path=self.request.path,
            perform=perform,
        )
        return earlier or saved["obj"]

    def replayed(self, submission):
        messages.info(self.request, once.replay_text(submission))
        return redirect(submission.result_url)

    def form_valid(self, form):
        try:
            obj = self.save_once(form)
        except EditConflict as conflict:
            return self.conflicted(form, conflict)
        except self.refusals as error:
            refused_in_form(form, error)
            return self.form_invalid(form)
        if isinstance(obj, Submission):
            return self.replayed(obj)
        messages.success(self.request, self.success_message)
        return redirect(obj.get_absolute_url())

    def conflicted(self, form, conflict: EditConflict):
        """A colleague saved the record since this form was drawn: the conflict page, with
        the form drawn again from the record as it is now."""
        kwargs = self.get_form_kwargs()  # reads the record again, at its new version
        kwargs.pop("data", None)
        kwargs.pop("files", None)
        fresh = self.get_form_class()(**kwargs)
        record = getattr(self, "object", None) or conflict.obj
        return conflict_response(
            self.request,
            conflict=conflict,
            typed=form.typed_values(),
            form=fresh,
            title=str(conflict.obj),
            back_url=record.get_absolute_url() if hasattr(record, "get_absolute_url") else "",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meta = self.model._meta
        context.update(
            object=self.object,
            title=f"Modifier « {self.object} »"
            if self.object
            else f"Nouvelle fiche : {meta.verbose_name}",
            list_url_name=self.list_url_name,
            list_title=meta.verbose_name_plural,
        )
        return context
