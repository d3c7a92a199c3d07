"""The indicators API for the national Alizé structure (read-only, token-authenticated).

`GET /api/v1/basins/` lists the basins and their programme periods; `GET
/api/v1/indicators/?basin=<slug>&period=<id>` gives a basin's indicators for a period: the
same figures as the dashboard (`pilotage.indicators.compute`), every indicator under its
stable key with its French label, unit and value, and the breakdowns. Clients send
`Authorization: Bearer <jeton>`; tokens are created by an administrator (admin action or
`manage.py create_api_token <nom>`) and only their SHA-256 is stored. A token expires
(`API_TOKEN_LIFETIME_DAYS` after it is issued or rotated; an expired token gets a 401 that
says so), is rotated by the administrator (a new secret, the old one refused at once) and
may send `API_RATE_LIMIT` requests (e.g. 120 a minute, counted on the shared cache), past
which it gets a 429 with `Retry-After`. The OpenAPI schema (`/api/v1/openapi.json`) and its
documentation page (`/api/v1/docs/`, served from local files) are for the operators and
administrators signed in; anyone else gets a 404.

Every status an operation answers is in the schema, each with its body: 200, 400 (a
control character in the address, refused before the API by `alize.middleware`), 401, 404
where a basin or a period is named, 422 (a parameter missing or malformed), 429; every
error body is French: `{"detail": "…"}`, and for a 422 the faulty parameters under `errors`.
`tests/pilotage/test_api_contract.py` runs schemathesis against the schema.
"""

import datetime
import functools
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.openapi.docs import Swagger
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle
from pydantic import Field, create_model

from alize.forms import parse_id
from alize.models import Basin, ProgrammePeriod
from alize.throttle import hit
from pilotage import indicators
from pilotage.models import ApiToken
from pilotage.permissions import national_scope

# Counts are integers; every other figure a decimal string, never a float: amounts in
# euros with two places ("3200.00"), rates and ratios as computed ("87.25", "12.9").
Number = int | str | None
CENTS = Decimal("0.01")
Unit = Literal["count", "eur", "percent", "ratio", "days"]


class ExpiredToken(AuthenticationError):
    def __init__(self, token: ApiToken):
        super().__init__()
        self.token = token


class TokenAuth(HttpBearer):
    """A bearer token matched by its SHA-256, refused once expired; each use is stamped."""

    openapi_description = "Jeton d'accès fourni par l'administrateur d'Alizé."

    def authenticate(self, request, token):
        api_token = ApiToken.objects.matching(token).first()
        if api_token is None:
            return None
        if api_token.is_expired:
            raise ExpiredToken(api_token)
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        return api_token


class TokenRateThrottle(BaseThrottle):
    """`API_RATE_LIMIT` requests per token (read at each request), on the shared cache."""

    def allow_request(self, request):
        self.outcome = hit("api-token", str(request.auth.pk), settings.API_RATE_LIMIT)
        return self.outcome.allowed

    def wait(self):
        return self.outcome.retry_after


def operators_only(view):
    """The schema and its docs page: for the operators and administrators signed in (who
    hand tokens to clients); a 404 for anyone else, as every page one may not see."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (request.user.is_authenticated and request.user.is_operator):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


api = NinjaAPI(
    title="API des indicateurs Alizé",
    version="1",
    description=(
        "Les indicateurs des bassins d'emploi Alizé, calculés comme sur les tableaux de bord. "
        "Authentification : en-tête `Authorization: Bearer <jeton>`."
    ),
    urls_namespace="api",
    auth=TokenAuth(),
    throttle=TokenRateThrottle(),
    docs=Swagger(),
    docs_url="/docs/",
    docs_decorator=operators_only,
)


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    if isinstance(exc, ExpiredToken):
        expired = timezone.localtime(exc.token.expires_at)
        detail = (
            f"Jeton d'accès expiré depuis le {expired:%d/%m/%Y} : demandez à l'administrateur "
            "d'Alizé de le renouveler."
        )
        challenge = 'Bearer error="invalid_token", error_description="expired"'
    else:
        detail, challenge = "Jeton d'accès absent ou invalide.", "Bearer"
    response = api.create_response(request, {"detail": detail}, status=401)
    response["WWW-Authenticate"] = challenge
    return response


@api.exception_handler(Throttled)
def too_many_requests(request, exc):
    # ninja adds the Retry-After header (the seconds before the next window).
    return api.create_response(
        request,
        {
            "detail": f"Trop de requêtes pour ce jeton (limite : {settings.API_RATE_LIMIT}) : "
            f"réessayez dans {exc.wait} secondes."
        },
        status=429,
    )


# pydantic's error types, said in French (anything else: "Valeur invalide.").
INVALID_MESSAGES = {
    "missing": "Paramètre obligatoire.",
    "string_type": "Une chaîne de caractères est attendue.",
    "string_too_long": "Valeur trop longue.",
    "string_too_short": "Valeur trop courte.",
    "string_pattern_mismatch": "Valeur au format inattendu.",
    "int_parsing": "Un nombre entier est attendu.",
    "int_type": "Un nombre entier est attendu.",
    "literal_error": "Valeur hors des choix permis.",
}


@api.exception_handler(ValidationError)
def invalid(request, exc):
    errors = [
        {
            "location": str(error["loc"][0]) if error.get("loc") else "",
            "field": ".".join(str(part) for part in error.get("loc", ())[1:]),
            "message": INVALID_MESSAGES.get(error.get("type"), "Valeur invalide."),
        }
        for error in exc.errors
    ]
    names = ", ".join(sorted({error["field"] for error in errors if error["field"]}))
    detail = f"Paramètres invalides : {names}." if names else "Requête invalide."
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Ressource introuvable."}, status=404)


# --- Schemas ---------------------------------------------------------------------------------


class Error(Schema):
    detail: str = Field(description="Le motif, en français.")


class InvalidParameter(Schema):
    location: str = Field(description="Où est le paramètre : query, header…")
    field: str = Field(description="Le nom du paramètre.")
    message: str = Field(description="Ce qui ne va pas, en français.")


class InvalidError(Schema):
    detail: str = Field(description="Le motif, en français.")
    errors: list[InvalidParameter] = Field(description="Les paramètres en cause.")


# A parameter holds no control character but tab and line breaks (alize.middleware refuses
# the others with a 400 before the API reads it).
NO_CONTROL_CHARACTERS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
# What every operation may answer besides its data.
ERRORS = {400: Error, 401: Error, 429: Error}


class PeriodOut(Schema):
    id: int = Field(description="Identifiant de la période, à passer en paramètre `period`.")
    name: str = Field(description="Intitulé de la période de programme.")
    start_date: datetime.date
    end_date: datetime.date
    target_jobs: int | None = Field(description="Objectif d'emplois de la période.")
    target_smes: int | None = Field(description="Objectif de PME accompagnées.")


class BasinOut(Schema):
    slug: str = Field(description="Identifiant stable du bassin, à passer en paramètre `basin`.")
    name: str
    operator_name: str = Field(description="L'opérateur local qui anime Alizé dans le bassin.")
    periods: list[PeriodOut] = Field(description="Ses périodes de programme, de la plus ancienne.")


class BasinRef(Schema):
    slug: str
    name: str


class Indicator(Schema):
    label: str = Field(description="Libellé français de l'indicateur.")
    unit: Unit = Field(
        description="Unité : count (nombre), eur (euros), percent (%), ratio, days (jours)."
    )
    value: Number = Field(
        description="La valeur ; null quand elle n'est pas définie. Un nombre entier pour "
        "un décompte ; sinon une chaîne décimale exacte (point décimal) : les montants en "
        'euros avec deux décimales ("3200.00"), les taux et ratios tels que calculés '
        '("87.25", "12.9").'
    )


class BreakdownItem(Schema):
    label: str
    value: Number = Field(description="Comme la valeur d'un indicateur, dans son unité.")


class Breakdown(Schema):
    label: str
    unit: Unit
    items: list[BreakdownItem]


def _fields_of(definitions: dict, kind: type) -> dict:
    return {
        key: (kind, Field(title=definition.label, description=definition.help))
        for key, definition in definitions.items()
    }


# One named field per indicator: the schema documents each key with its written definition.
Indicators = create_model(
    "Indicators", __base__=Schema, **_fields_of(indicators.DEFINITIONS, Indicator)
)
Breakdowns = create_model(
    "Breakdowns", __base__=Schema, **_fields_of(indicators.BREAKDOWNS, Breakdown)
)


class IndicatorsOut(Schema):
    basin: BasinRef
    period: PeriodOut
    computed_on: datetime.date = Field(description="Date du calcul (Europe/Paris).")
    as_of: datetime.date = Field(
        description="Les chiffres sont ceux de la fin de ce jour : la fin de la période "
        "quand elle est achevée, sinon le jour du calcul. Ce qui est daté après n'y compte "
        "pas : les chiffres d'une période achevée ne changent plus."
    )
    indicators: Indicators
    breakdowns: Breakdowns


# --- Endpoints -------------------------------------------------------------------------------


def _number(value, unit: str) -> Number:
    """A figure for JSON: an integer count as is, any other number as an exact decimal
    string (euros to the cent)."""
    if value is None:
        return None
    if unit == "eur":
        return format(Decimal(value).quantize(CENTS), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


@api.get(
    "/basins/",
    response={200: list[BasinOut], **ERRORS},
    url_name="basins",
    operation_id="list_basins",
    summary="Les bassins et leurs périodes de programme",
    tags=["bassins"],
)
def basins(request):
    return Basin.objects.order_by("name").prefetch_related(
        Prefetch("periods", queryset=ProgrammePeriod.objects.order_by("start_date"))
    )


@api.get(
    "/indicators/",
    response={200: IndicatorsOut, **ERRORS, 404: Error, 422: InvalidError},
    url_name="indicators",
    operation_id="get_indicators",
    summary="Les indicateurs d'un bassin pour une période",
    description=(
        "Les mêmes chiffres que le tableau de bord du bassin. Sans `period`, la période en "
        "cours (ou la dernière commencée)."
    ),
    tags=["indicateurs"],
)
def indicators_of(
    request,
    basin: str = Query(
        ...,
        description="Identifiant (slug) du bassin, voir /basins/.",
        max_length=60,
        pattern=NO_CONTROL_CHARACTERS,
    ),
    period: str = Query(
        "",
        description="Identifiant de la période de programme.",
        max_length=20,
        pattern=NO_CONTROL_CHARACTERS,
    ),
):
    found = Basin.objects.filter(slug=basin).first()
    if found is None:
        raise HttpError(404, f"Bassin inconnu : « {basin} ».")
    if period:
        pk = parse_id(period)
        programme = (
            ProgrammePeriod.objects.filter(basin=found, pk=pk).first() if pk is not None else None
        )
        if programme is None:
            raise HttpError(404, f"Période inconnue pour le bassin {found.name} : « {period} ».")
    else:
        programme = indicators.default_period(found)
        if programme is None:
            raise HttpError(404, f"Le bassin {found.name} n'a aucune période de programme.")
    today = timezone.localdate()
    figures = indicators.compute(national_scope(found, programme), today=today)
    return {
        "basin": found,
        "period": programme,
        "computed_on": today,
        "as_of": figures.as_of,
        "indicators": {
            key: {
                "label": definition.label,
                "unit": definition.unit,
                "value": _number(figures.values.get(key), definition.unit),
            }
            for key, definition in indicators.DEFINITIONS.items()
        },
        "breakdowns": {
            key: {
                "label": definition.label,
                "unit": definition.unit,
                "items": [
                    {"label": label, "value": _number(value, definition.unit)}
                    for label, value in figures.breakdowns.get(key, [])
                ],
            }
            for key, definition in indicators.BREAKDOWNS.items()
        },
    }
