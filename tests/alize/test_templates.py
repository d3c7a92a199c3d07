"""Templates never compare a state with a string literal.

A literal ("signee", "a_examiner") in a template duplicates the States enum and silently
goes stale when a value is renamed. The view or the model says what the template needs
(`session.is_signed`, `rights.decide`), or the template compares with a value the context
hands it.
"""

import re
from pathlib import Path

from django.conf import settings

STATE_FIELDS = r"\w*(?:status|state|outcome|kind)\w*"
LITERAL = r"""(?:"[^"]*"|'[^']*')"""
# `x.status == "..."`, `x.state != '...'`, `x.outcome in "..."` and the mirrored `"..." == x.kind`.
COMPARISON = re.compile(
    rf"(?:\b[\w.]*{STATE_FIELDS}\s*(?:==|!=|\bnot in\b|\bin\b)\s*{LITERAL})"
    rf"|(?:{LITERAL}\s*(?:==|!=|\bnot in\b|\bin\b)\s*[\w.]*\.{STATE_FIELDS}\b)"
)
TAG = re.compile(r"\{%\s*(?:if|elif)\b(.*?)%\}", re.DOTALL)


def template_files():
    for directory in settings.TEMPLATES[0]["DIRS"]:
        yield from sorted(Path(directory).rglob("*.html"))


def literal_state_comparisons(text: str) -> list[str]:
    return [
        match.group(0) for tag in TAG.finditer(text) for match in COMPARISON.finditer(tag.group(1))
    ]


def test_detector_sees_the_forms_it_forbids():
    assert literal_state_comparisons('{% if session.status == "signee" %}')
    assert literal_state_comparisons("{% elif item.state != 'clos' %}")
    assert literal_state_comparisons('{% if "agree" == decision.outcome %}')
    assert literal_state_comparisons('{% if dossier.kind in "creation reprise" %}')
    assert not literal_state_comparisons("{% if session.status == States.SIGNED %}")
    assert not literal_state_comparisons('{% if session.is_signed %}{{ "signee" }}{% endif %}')


def test_no_template_compares_a_state_with_a_literal():
    offences = [
        f"{path.relative_to(settings.BASE_DIR)}: {comparison}"
        for path in template_files()
        for comparison in literal_state_comparisons(path.read_text(encoding="utf-8"))
    ]
    assert not offences, "\n".join(offences)
