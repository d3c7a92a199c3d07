"""The right of access as a PDF: what `rgpd.selectors.contact_record` holds, laid out."""

from django.template.loader import render_to_string

from alize.pdf import html_to_pdf


def contact_pdf(record: dict) -> bytes:
    return html_to_pdf(render_to_string("rgpd/contact_pdf.html", {"record": record}))
