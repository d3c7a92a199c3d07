"""The documents block of a dossier page, computed for the user who reads it."""

from django import template

from pme.views.documents import documents_block

register = template.Library()


@register.simple_tag(takes_context=True)
def dossier_documents(context, dossier):
    """`{% dossier_documents dossier as block %}`: the documents, the form, the rights.

    A form or a notice left in the context by the upload and delete views (htmx) shows up
    in the block; the dossier page itself needs to pass nothing but `dossier`.
    """
    return documents_block(
        context["request"].user,
        dossier,
        form=context.get("document_form"),
        notice=context.get("document_notice", ""),
    )
