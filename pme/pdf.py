"""The one-page dossier summary, as a PDF, for committee members.

An HTML template (auto-escaped like every page) rendered by WeasyPrint through
`alize.pdf.html_to_pdf`, which fetches nothing from outside. The builder reads the database
a fixed number of times, however many documents or state changes the dossier has.
"""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from stdnum.fr import siret as stdnum_siret

from alize.pdf import html_to_pdf
from pme.models import Document, Dossier, DossierTransition, Hire

TEMPLATE = "pme/pdf/dossier.html"
# Enough for a committee member; a longer list would push the summary onto a second page.
MAX_LISTED_DOCUMENTS = 8
MAX_LISTED_TRANSITIONS = 8


@dataclass
class DossierSummary:
    dossier: Dossier
    transitions: list[DossierTransition]
    documents: list[Document]

    @property
    def more_transitions(self) -> int:
        return self.dossier.transitions_count - len(self.transitions)

    @property
    def more_documents(self) -> int:
        return self.dossier.documents_count - len(self.documents)


def _count_of(model):
    """How many rows of `model` point to the dossier: a subquery, so counts never multiply."""
    counted = (
        model.objects.filter(dossier=OuterRef("pk"))
        .order_by()
        .values("dossier")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def dossier_summary(dossier_pk: int) -> DossierSummary:
    """Everything the one-page summary shows, in three queries whatever the dossier holds."""
    dossier = (
        Dossier.objects.with_related()
        .annotate(
            transitions_count=_count_of(DossierTransition),
            documents_count=_count_of(Document),
            hires_count=_count_of(Hire),
        )
        .get(pk=dossier_pk)
    )
    # The latest moves, shown oldest first as a timeline reads.
    transitions = list(
        DossierTransition.objects.filter(dossier=dossier)
        .order_by("-at", "-pk")
        .only("dossier_id", "from_state", "to_state", "at")[:MAX_LISTED_TRANSITIONS]
    )[::-1]
    documents = list(
        Document.objects.filter(dossier=dossier)
        .order_by("kind", "title", "pk")
        .only("dossier_id", "title", "kind", "uploaded_at")[:MAX_LISTED_DOCUMENTS]
    )
    return DossierSummary(dossier=dossier, transitions=transitions, documents=documents)


def render_dossier_html(dossier_pk: int) -> str:
    summary = dossier_summary(dossier_pk)
    dossier = summary.dossier
    with translation.override("fr"):
        return render_to_string(
            TEMPLATE,
            {
                "dossier": dossier,
                "pme": dossier.pme,
                # Grouped as the INSEE prints it: 552 100 554 00025.
                "siret": stdnum_siret.format(dossier.pme.siret),
                "summary": summary,
                "generated_at": timezone.localtime(),
            },
        )


def build_dossier_pdf(dossier_pk: int) -> bytes:
    """The dossier's one-page summary as PDF bytes (A4)."""
    return html_to_pdf(render_dossier_html(dossier_pk))
