"""Hostile values posted to every form of the app, as every role that sees it (Hypothesis).

The forms are those `test_form_actions` finds: every `<form>` of every HTML page of the
role × URL matrix, rendered for every kind of user who may open it. Each distinct form (its
method, the view it is sent to, its field names) is then submitted a bounded number of
times with generated values: NUL and other control characters, huge strings, any
unicode, numbers out of range, dates such as 0001-01-01, SQL and HTML fragments, hostile
files where the form takes one. The roles that see the form take turns sending them; each
submission is rolled back. Whatever the values:

- no server error;
- a refusal (a 4xx, or the page again with its error marks) saves nothing: the row counts
  of every table of the app, history tables included, are those of before; and a search
  or filter form (GET) never writes;
- the page speaks French: none of Django's or pydantic's English validation phrases.

The seed is fixed (`derandomize`) and the number of examples bounded: the same requests
on every run. The figures (forms, requests, refusals) are printed at the end.
"""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import resolve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.alize.matrix import OK
from tests.alize.test_form_actions import ROLES, FormCollector, same_site
from tests.alize.test_url_matrix import MATRIX, module_world, url_of, world  # noqa: F401

pytestmark = pytest.mark.django_db

EXAMPLES_PER_FORM = int(os.environ.get("ALIZE_HOSTILE_EXAMPLES", "5"))
# Pages that answer a file (PDF, CSV, spreadsheet): no form in them, and slow to build.
FILE_PAGE_ENDINGS = ("_pdf", "_csv", "_xlsx", "_download", "_evidence", "decision_letter")
# Tables that change on a refused request for reasons of their own: the session (a flash
# message) and the sign-in throttle.
UNCOUNTED_TABLES = ("django_session", "axes_")
ERROR_MARKS = ("alert-danger", "is-invalid", "invalid-feedback", "errorlist")
ENGLISH = (
    "This field",
    "Enter a valid",
    "Enter a number",
    "Enter a whole number",
    "Ensure this value",
    "Ensure that there are no more",
    "did not validate",
    "Select a valid choice",
    "is not one of the available choices",
    "Null characters are not allowed",
    "Field required",
    "field required",
    "value is not a valid",
    "already exists.",
    "The submitted file is empty",
    "No file was submitted",
    "Upload a valid image",
    "Bad Request",
    "Forbidden",
    "Not Found",
)

CONTROL = st.sampled_from(["\x00", "a\x00b", "\x01", "\x08", "\x0b", "\x1b[31m", "\x7f", "\x85"])
HUGE = st.sampled_from(["9" * 5_000, "x" * 100_000, "é" * 1_000, "<b>" * 3_000, " " * 10_000])
NUMBERS = st.sampled_from(
    [
        "-1",
        "-0",
        "1e309",
        "NaN",
        "-Infinity",
        "2147483648",
        "-2147483649",
        "9223372036854775808",
        "1" + "0" * 40,
        "0.000000001",
        "1,5",
        "15 000 000 000 000,00",
        "١٢٣",
        "0x10",
        "--5",
    ]
)
DATES = st.sampled_from(
    [
        "0001-01-01",
        "9999-12-31",
        "10000-01-01",
        "0000-00-00",
        "2023-02-29",
        "31/12/9999",
        "01/01/0001",
        "32/13/2007",
        "-2007-01-01",
        "2007-01-01T25:61",
    ]
)
FRAGMENTS = st.sampled_from(
    [
        "' OR '1'='1",
        "'; DROP TABLE alize_basin; --",
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "{{ request.user.password }}",
        "{% debug %}",
        "%s%s%n",
        "../../../etc/passwd",
        "\\",
        "%00",
        '=HYPERLINK("http://x")',
        "",
        " ",
    ]
)
# Any printable unicode (control characters are CONTROL's: see `submissions`).
UNICODE = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)
HOSTILE = st.one_of(HUGE, NUMBERS, DATES, FRAGMENTS, UNICODE)
HOSTILE_FILES = st.sampled_from(
    [
        b"",
        b"\x00\x01\x02\xff" * 64,
        b"Date;Montant;Libell\xc3\xa9\r16/11/2007;1,00;AV2007-00001\r",
        b"16/11/2007;1,00;AV2007-00001 " + b"x" * 200_000,
        b"16/11/2007;1,00;" + b"x" * 300 + b"\n",
        b"16/11/2007;1,00;AV2007-00001\x1b\r\n",
        b"%PDF-1.4\n" + b"A" * 1_000,
        b"\xef\xbb\xbf\xff\xfe" + "é".encode("utf-16"),
    ]
)


class FieldCollector(FormCollector):
    """The forms of a page as `test_form_actions` reads them, with their file inputs too."""

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        named = dict(attrs)
        kind = (named.get("type") or "").lower()
        if self._form is not None and tag == "input" and named.get("name") and kind == "file":
            self._form.setdefault("files", []).append(named["name"])


def discover(objects) -> dict:
    """Every distinct form: (method, view, fields, files) → its address, values, files and
    the roles that may open its page.

    Each page is read once, as the first role that may open it (reading it as each role
    would double the test's time for few more forms); its forms are then sent as every
    role that may open the page, which also tries a role to whom a button is not shown."""
    client = Client()
    forms = {}
    for name, page in MATRIX.items():
        actors = [actor for actor in ROLES if page.expected[actor] == OK]
        if page.post is not None or not actors or name.endswith(FILE_PAGE_ENDINGS):
            continue
        url = url_of(name, page, objects["here"])
        client.force_login(objects["users"][actors[0]])
        response = client.get(url)
        if response.status_code != OK or "html" not in response.get("Content-Type", ""):
            continue
        collector = FieldCollector()
        collector.feed(response.content.decode())
        for form in collector.forms:
            target = same_site(url, form["action"])
            if target is None:
                continue
            view = resolve(target.partition("?")[0]).view_name
            if view == "logout":
                continue
            files = tuple(form.get("files", ()))
            key = (form["method"], view, tuple(sorted(form["data"])), files)
            found = forms.setdefault(
                key, {"target": target, "data": form["data"], "files": files, "actors": []}
            )
            found["actors"] += [actor for actor in actors if actor not in found["actors"]]
    return forms


def counted_tables() -> list[str]:
    return sorted(
        table
        for table in connection.introspection.table_names()
        if not table.startswith(UNCOUNTED_TABLES)
    )


def row_counts(tables) -> tuple:
    """Every table's row count, in one query."""
    quote = connection.ops.quote_name
    columns = ", ".join(f"(SELECT count(*) FROM {quote(table)})" for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        # The names are the database's own (introspection), quoted.
        cursor.execute(f"SELECT {columns}")
        return cursor.fetchone()


def submissions(form):
    """The values of one submission: each field keeps the page's value or gets a hostile
    one, and each file input a hostile file. One submission in four or so also puts a
    control character in one field: the whole request is then refused (400), so the others
    carry none, that the forms' own checks be tried."""
    fields = list(form["data"])
    clean = st.fixed_dictionaries(
        {name: st.one_of(HOSTILE, st.just(value)) for name, value in form["data"].items()}
    )
    values = clean
    if fields:
        poisoned = st.tuples(clean, st.sampled_from(fields), CONTROL).map(
            lambda drawn: {**drawn[0], drawn[1]: drawn[0][drawn[1]][:20] + drawn[2]}
        )
        values = st.sampled_from([False, False, False, True]).flatmap(
            lambda poison: poisoned if poison else clean
        )
    files = st.fixed_dictionaries(dict.fromkeys(form["files"], HOSTILE_FILES))
    return st.tuples(values, files)


def shows_an_error(response) -> bool:
    if 400 <= response.status_code < 500:
        return True
    if response.status_code != OK:
        return False
    return any(mark in response.content.decode(errors="replace") for mark in ERROR_MARKS)


def test_hostile_values_break_no_form(world):  # noqa: F811
    forms = discover(world)
    tables = counted_tables()
    client = Client()
    figures = {"requests": 0, "refused": 0, "control": 0, "accepted": 0}
    failures = []

    def submit(form, values, files):
        # The roles that see the form take turns: each sends at least one submission.
        actor = form["actors"][form["sent"] % len(form["actors"])]
        form["sent"] += 1
        client.force_login(world["users"][actor])
        data = dict(values)
        for name, content in files.items():
            data[name] = SimpleUploadedFile("releve.csv", content, content_type="text/csv")
        where = f"{actor} : {form['method'].upper()} {form['target']} {data!r:.300}"
        with transaction.atomic():
            before = row_counts(tables)
            if form["method"] == "post":
                response = client.post(form["target"], data)
            else:
                response = client.get(form["target"], data)
            after = row_counts(tables)
            transaction.set_rollback(True)
        figures["requests"] += 1
        assert response.status_code < 500, f"erreur serveur {response.status_code} : {where}"
        body = response.content.decode(errors="replace")
        english = [phrase for phrase in ENGLISH if phrase in body]
        assert not english, f"message anglais {english} : {where}"
        if shows_an_error(response):
            figures["refused"] += 1
            figures["control"] += "caractère de contrôle invisible" in body
            changed = [t for t, b, a in zip(tables, before, after, strict=True) if a != b]
            assert not changed, f"enregistré malgré l'erreur ({changed}) : {where}"
        elif form["method"] == "get":
            assert after == before, f"une recherche a écrit : {where}"
        else:
            figures["accepted"] += 1

    def attack(form):
        @settings(
            max_examples=max(EXAMPLES_PER_FORM, len(form["actors"])),
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(submissions(form))
        def run(submission):
            submit(form, *submission)

        return run

    for key, form in sorted(forms.items()):
        form["method"], form["sent"] = key[0], 0
        try:
            attack(form)()
        except Exception as error:
            failures.append(f"{key[1]} : {error}")

    pairs = sum(len(form["actors"]) for form in forms.values())
    print(
        f"\n{len(forms)} formulaires distincts ({pairs} couples rôle × formulaire), "
        f"{figures['requests']} requêtes : {figures['refused']} refusées (dont "
        f"{figures['control']} par le filtre des caractères de contrôle), "
        f"{figures['accepted']} acceptées ; {len(failures)} formulaires en échec"
    )
    assert not failures, "\n\n".join(failures)
    # The discovery found the app's forms (a broken collector would find none).
    assert len(forms) > 50
    assert figures["requests"] >= len(forms)
