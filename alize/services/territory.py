"""A basin's territory taken from the official referential (alize.geo) rather than typed: a
commune, or an intercommunality with all its member communes in one step."""

from __future__ import annotations

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction

from alize import geo
from alize.models import Basin, Commune, Epci, User
from alize.services import save_referential


def _official_commune(code: str) -> geo.OfficialCommune:
    commune = geo.communes().get(code)
    if commune is None:
        raise ValidationError({"code": "Cette commune n'est pas dans le référentiel officiel."})
    return commune


def _refuse_recorded(codes: list[str], basin: Basin) -> None:
    """A commune is recorded once (its INSEE code is unique): say where it already is."""
    recorded = list(Commune.objects.filter(insee_code__in=codes).select_related("epci__basin"))
    if not recorded:
        return
    here = [commune for commune in recorded if commune.epci.basin_id == basin.pk]
    elsewhere = [commune for commune in recorded if commune.epci.basin_id != basin.pk]
    messages = []
    if here:
        names = ", ".join(sorted(commune.name for commune in here))
        messages.append(f"Déjà dans le bassin {basin} : {names}.")
    if elsewhere:
        names = ", ".join(sorted(commune.name for commune in elsewhere))
        messages.append(f"Déjà enregistrée(s) dans un autre bassin : {names}.")
    raise ValidationError(messages)


def _new_commune(official: geo.OfficialCommune, epci: Epci) -> Commune:
    return save_referential(
        instance=Commune(
            insee_code=official.code,
            name=official.name,
            postcode=official.postcode,
            population=official.population,
            epci=epci,
        )
    )


@transaction.atomic
def add_official_commune(*, code: str, epci: Epci, by: User) -> Commune:
    """Record a commune of the referential under one of the basin's intercommunalities."""
    official = _official_commune(code)
    with pghistory.context(user=by.pk):
        # Two people adding the same commune at once: the second waits, then is refused.
        Basin.objects.select_for_update().get(pk=epci.basin_id)
        _refuse_recorded([official.code], epci.basin)
        return _new_commune(official, epci)


@transaction.atomic
def add_official_epci(*, siren: str, basin: Basin, by: User) -> Epci:
    """Record an intercommunality of the referential and all its member communes."""
    official = geo.epcis().get(siren)
    if official is None:
        raise ValidationError(
            {"siren": "Cette intercommunalité n'est pas dans le référentiel officiel."}
        )
    with pghistory.context(user=by.pk):
        Basin.objects.select_for_update().get(pk=basin.pk)
        existing = Epci.objects.filter(siren=siren).select_related("basin").first()
        if existing is not None:
            where = "ce bassin" if existing.basin_id == basin.pk else "un autre bassin"
            raise ValidationError(f"L'intercommunalité {official.name} est déjà dans {where}.")
        members = [_official_commune(code) for code in official.members]
        _refuse_recorded([member.code for member in members], basin)
        epci = save_referential(
            instance=Epci(
                siren=official.siren,
                name=official.name,
                kind=official.kind,
                population=official.population,
                basin=basin,
            )
        )
        for member in members:
            _new_commune(member, epci)
        return epci
