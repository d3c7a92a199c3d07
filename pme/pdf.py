"""The one-page dossier summary, as a PDF, for committee members.

An HTML template (auto-escaped like every page) rendered by WeasyPrint through
`alize.pdf.html_to_pdf`, which fetches nothing from outside. The builder reads the database
a fixed number of times, however many documents or state changes the dossier has.
"""

from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
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


def _latest_per_dossier(queryset, order_by, limit):
    """At most `limit` rows per dossier, the first ones by `order_by`: one query for any
    number of dossiers (a window function numbers each dossier's rows)."""
    return queryset.annotate(
        rank=Window(RowNumber(), partition_by=F("dossier_id"), order_by=order_by)
    ).filter(rank__lte=limit)


def dossier_summaries(dossier_pks) -> list[DossierSummary]:
    """The summaries of several dossiers, in the order given, in three queries however many
    dossiers there are and whatever they hold (the committee pack prints one per dossier)."""
    dossier_pks = list(dossier_pks)
    dossiers = (
        Dossier.objects.with_related()
        .annotate(
            transitions_count=_count_of(DossierTransition),
            documents_count=_count_of(Document),
            hires_count=_count_of(Hire),
        )
        .in_bulk(dossier_pks)
    )
    transitions: dict[int, list[DossierTransition]] = {pk: [] for pk in dossier_pks}
    # The latest moves, shown oldest first as a timeline reads.
    for transition in _latest_per_dossier(
        DossierTransition.objects.filter(dossier_id__in=dossier_pks).only(
            "dossier_id", "from_state", "to_state", "at"
        ),
        [F("at").desc(), F("pk").desc()],
        MAX_LISTED_TRANSITIONS,
    ).order_by("dossier_id", "at", "pk"):
        transitions[transition.dossier_id].append(transition)
    documents: dict[int, list[Document]] = {pk: [] for pk in dossier_pks}
    for document in _latest_per_dossier(
        Document.objects.filter(dossier_id__in=dossier_pks).only(
            "dossier_id", "title", "kind", "uploaded_at"
        ),
        [F("kind").asc(), F("title").asc(), F("pk").asc()],
        MAX_LISTED_DOCUMENTS,
    ).order_by("dossier_id", "kind", "title", "pk"):
        documents[document.dossier_id].append(document)
    return [
        DossierSummary(dossier=dossiers[pk], transitions=transitions[pk], documents=documents[pk])
        for pk in dossier_pks
        if pk in dossiers
    ]


def dossier_summary(dossier_pk: int) -> DossierSummary:
    """Everything the one-page summary shows, in three queries whatever the dossier holds."""
    summaries = dossier_summaries([dossier_pk])
    if not summaries:
        raise Dossier.DoesNotExist(f"Dossier {dossier_pk} does not exist.")
    return summaries[0]


def render_summary_html(summary: DossierSummary) -> str:
    """The one-page summary as a self-contained HTML page (no SME contact on it: the page
    goes to committee members)."""
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


def render_dossier_html(dossier_pk: int) -> str:
    return render_summary_html(dossier_summary(dossier_pk))


def build_dossier_pdf(dossier_pk: int) -> bytes:
    """The dossier's one-page summary as PDF bytes (A4)."""
    return html_to_pdf(render_dossier_html(dossier_pk))
