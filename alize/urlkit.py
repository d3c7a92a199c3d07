"""How every app writes its addresses: one line per page, grouped by what the page acts on.

`page(route, View, name)` is `path(route, View.as_view(), name=name)`; `under(prefix, ...)`
groups the pages of one object (`comites/seances/<int:pk>/…`) so that its prefix is written
once. `under` adds no namespace: a page keeps its name (`comites:session_detail`), and its
full route is the prefix followed by its own.
"""

from django.urls import URLPattern, URLResolver, include, path


def page(route: str, view, name: str, **initkwargs) -> URLPattern:
    """One page served by a class-based view (`initkwargs` go to `as_view`)."""
    return path(route, view.as_view(**initkwargs), name=name)


def under(prefix: str, *pages: URLPattern | URLResolver) -> URLResolver:
    """The pages whose routes all start with `prefix`, written after it."""
    return path(prefix, include(list(pages)))


def object_pages(
    segment: str,
    name: str,
    *more: URLPattern | URLResolver,
    listing,
    detail,
    create,
    update=None,
    new: str = "nouveau",
) -> URLResolver:
    """The list, creation, detail and update pages of one kind of object: `<segment>/`,
    `<segment>/<new>/`, `<segment>/<int:pk>/` and `<segment>/<int:pk>/modifier/`, named
    `<name>_list`, `_create`, `_detail` and `_update`, then its `more` pages under the same
    prefix. One form view may serve both creation and update (`update` defaults to
    `create`)."""
    return under(
        f"{segment}/",
        page("", listing, f"{name}_list"),
        page(f"{new}/", create, f"{name}_create"),
        page("<int:pk>/", detail, f"{name}_detail"),
        page("<int:pk>/modifier/", update or create, f"{name}_update"),
        *more,
    )
