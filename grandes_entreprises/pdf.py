"""The yearly skills statement of a corporation (bilan annuel des compétences données), as a
PDF: what it gave (days, and their value) and what it produced (SMEs helped, results, jobs
created) in one calendar year, for the corporation itself and for the funders.

An HTML template rendered by WeasyPrint through `alize.pdf.html_to_pdf`. The figures come
from `statements.skills_statement`, a fixed number of queries whatever the year holds.
"""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from alize.pdf import html_to_pdf
from grandes_entreprises.models import Corporation
from grandes_entreprises.statements import skills_statement

TEMPLATE = "grandes_entreprises/pdf/skills_statement.html"


def render_statement_html(corporation: Corporation, year: int) -> str:
    statement = skills_statement(corporation, year)
    with translation.override("fr"):
        return render_to_string(
            TEMPLATE,
            {
                "statement": statement,
                "corporation": corporation,
                "basin": corporation.basin,
                "generated_at": timezone.localtime(),
            },
        )


def build_skills_statement_pdf(corporation: Corporation, year: int) -> bytes:
    """The statement as PDF bytes (A4). `corporation` comes with its basin selected."""
    return html_to_pdf(render_statement_html(corporation, year))
