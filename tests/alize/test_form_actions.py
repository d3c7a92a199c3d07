"""Every form the app renders posts to an address that accepts it.

For each page of the role × URL matrix and each kind of user who may open it, the page is
rendered, every `<form>` (and every `hx-post` button) in it is submitted with the values
the page filled in, to the address it names, and the answer must be neither 405 (the
address does not take that method) nor a server error. Each submission is rolled back, so
the pages after it see the same world.
"""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import transaction

from tests.alize.matrix import OK
from tests.alize.test_url_matrix import MATRIX, module_world, url_of, world  # noqa: F401

pytestmark = pytest.mark.django_db

# One user per role of the tested basin: the users of another basin see the same forms.
ROLES = ("staff", "manager", "committee", "steering", "funder", "admin", "coordinator")


class FormCollector(HTMLParser):
    """The forms of a page: method, action, and the values a browser would send unchanged."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.hx_posts: list[str] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("hx-post"):
            self.hx_posts.append(attrs["hx-post"])
        if tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or "",
                "data": {},
            }
            self.forms.append(self._form)
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            self._form["data"][name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self._form["data"][name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self._form["data"][self._select] = attrs.get("value") or ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["data"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


CASES = [
    pytest.param(name, actor, id=f"{name}-{actor}")
    for name, page in MATRIX.items()
    if page.post is None
    for actor in ROLES
    if page.expected[actor] == OK
]


def same_site(url: str, action: str) -> str | None:
    """The path a form's action names on this site (None for another site)."""
    target = urlsplit(urljoin(url, action))
    if target.netloc and target.netloc != "testserver":
        return None
    return target.path + (f"?{target.query}" if target.query else "")


@pytest.mark.parametrize(("name", "actor"), CASES)
def test_every_form_posts_to_an_address_that_accepts_it(client, world, name, actor):  # noqa: F811
    page = MATRIX[name]
    url = url_of(name, page, world["here"])
    client.force_login(world["users"][actor])
    response = client.get(url)
    if response.status_code != OK or "html" not in response.get("Content-Type", ""):
        return
    collector = FormCollector()
    collector.feed(response.content.decode())
    submissions = [(form["method"], form["action"], form["data"]) for form in collector.forms]
    submissions += [("post", action, {}) for action in collector.hx_posts]

    for method, action, data in submissions:
        target = same_site(url, action)
        if target is None:
            continue
        # A sign-out form ends the session: each submission starts signed in.
        client.force_login(world["users"][actor])
        with transaction.atomic():
            answer = client.post(target, data) if method == "post" else client.get(target, data)
            transaction.set_rollback(True)
        where = f"{actor} : {method.upper()} {target} (formulaire de {url})"
        assert answer.status_code != 405, where
        assert answer.status_code < 500, where
