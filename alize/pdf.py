"""Turning an HTML page into a PDF, the same way for every report of the project.

WeasyPrint may fetch nothing from outside: every template carries its stylesheet inline
and uses the system's fonts (name them in the @page margin boxes too, which do not inherit
the page's font). A URL in the HTML would be data trying to reach out: refused.
"""

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify


class ExternalResourceRefused(Exception):
    pass


def refuse_fetch(url, *args, **kwargs):
    raise ExternalResourceRefused(url)


def html_to_pdf(html: str) -> bytes:
    """The PDF bytes (A4 unless the page says otherwise) of a self-contained HTML page."""
    # Imported here: loading WeasyPrint parses its stylesheets (and logs it) at import time,
    # which every manage.py command would otherwise pay for.
    import weasyprint

    return weasyprint.HTML(string=html, base_url=None, url_fetcher=refuse_fetch).write_pdf()


def pdf_filename(*parts: str) -> str:
    """A file name from its parts: (bilan, Alstom, 2007) → bilan-alstom-2007.pdf."""
    stem = "-".join(slugify(str(part))[:60].strip("-") for part in parts if str(part))
    return f"{stem or 'document'}.pdf"


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """A PDF shown in the browser (inline), under a readable name."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
