"""The generic views every app builds on: fetch through a scoped queryset (a 404 for what a
user may not see), list, show, and create or edit through one service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import capfirst
from django.views.generic import DetailView, ListView
from django.views.generic.edit import FormView

from alize import once, permissions, services
from alize.forms import attach_errors
from alize.models import Submission
from alize.versioning import EditConflict

CONFLICT_TEMPLATE = "alize/edit_conflict.html"


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
        except ValidationError as error:
            attach_errors(error, form)
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
