"""Requests whose text no field could hold: refused before anything reads the database.

PostgreSQL stores no NUL character in a text column (the query fails, a server error), and
no other control character belongs in what a person types: they come from a hostile
client, a broken copy-paste or a file opened as text. `ControlCharactersMiddleware` reads
the address, the query string and the form fields (their names too), and answers 400 with
a French page when one of them holds a control character other than a tab, a line feed or
a carriage return (the ones a text area sends).

Why a middleware rather than a base form: many views read the query string (searches,
filters, the SIRET look-up) or the database (sessions, the sign-in throttle, an SME found
by its SIRET) before any form is validated, and forms do not share one base class; here
every request is checked once, before the session, the user or a view touch the database.
Forms keep their own French messages for everything else (lengths, formats, ranges).
"""

import re

from django.http import HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string

# Unicode's control characters (Cc) less tab, line feed and carriage return.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

REFUSED_MESSAGE = (
    "Votre saisie contient un caractère de contrôle invisible (par exemple un caractère nul), "
    "qu'aucun champ n'accepte : il vient souvent d'un copier-coller depuis un autre logiciel. "
    "Retirez-le, puis envoyez de nouveau le formulaire."
)


API_PREFIX = "/api/"


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def _texts(request):
    yield request.path_info
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            yield key
            yield from values
    # Django drops the non-printable characters of an uploaded file's name itself.
    yield from request.FILES


class ControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(has_control_characters(text) for text in _texts(request)):
            if request.path_info.startswith(API_PREFIX):
                # The API's clients read JSON: its schema documents this 400.
                return JsonResponse({"detail": REFUSED_MESSAGE}, status=400)
            return HttpResponseBadRequest(
                render_to_string("input_refused.html", {"message": REFUSED_MESSAGE})
            )
        return self.get_response(request)
