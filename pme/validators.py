"""Validators of the SME registry: SIREN, SIRET, NAF code, phone numbers, evidence files.

SIREN and SIRET are checked with python-stdnum, which knows La Poste's exception: its
establishments share the SIREN 356 000 000 and their SIRET is checked by the sum of its
digits rather than by the Luhn key.
"""

import re

from django.core.exceptions import ValidationError
from stdnum.exceptions import InvalidChecksum
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from pme.naf import NAF_CODE_PATTERN, NAF_DIVISIONS, division_of

_SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f]")


def compact_number(value):
    """Drop the spaces, dots and dashes people type inside a SIREN or SIRET."""
    if not isinstance(value, str):
        return value
    return _SEPARATORS.sub("", value)


def validate_siren(value: str) -> None:
    value = compact_number(value)
    if not (isinstance(value, str) and value.isdigit() and len(value) == 9):
        raise ValidationError("Le SIREN doit compter 9 chiffres.", code="siren_format")
    try:
        stdnum_siren.validate(value)
    except InvalidChecksum as exc:
        raise ValidationError(
            "Ce SIREN n'existe pas : sa clé de contrôle est fausse. Vérifiez la saisie.",
            code="siren_checksum",
        ) from exc


def validate_siret(value: str) -> None:
    value = compact_number(value)
    if not (isinstance(value, str) and value.isdigit() and len(value) == 14):
        raise ValidationError("Le SIRET doit compter 14 chiffres.", code="siret_format")
    try:
        stdnum_siren.validate(value[:9])
    except InvalidChecksum as exc:
        raise ValidationError(
            "Les 9 premiers chiffres de ce SIRET ne forment pas un SIREN valide. "
            "Vérifiez la saisie.",
            code="siret_siren_checksum",
        ) from exc
    try:
        stdnum_siret.validate(value)
    except InvalidChecksum as exc:
        raise ValidationError(
            "Ce SIRET n'existe pas : sa clé de contrôle est fausse. Vérifiez la saisie.",
            code="siret_checksum",
        ) from exc


def validate_naf_code(value: str) -> None:
    if not (isinstance(value, str) and re.match(NAF_CODE_PATTERN, value)):
        raise ValidationError(
            "Le code NAF/APE s'écrit comme 25.62B : deux chiffres, un point, deux chiffres "
            "et une lettre.",
            code="naf_format",
        )
    if division_of(value) not in NAF_DIVISIONS:
        raise ValidationError(
            "La division %(division)s n'existe pas dans la nomenclature NAF.",
            code="naf_division",
            params={"division": value[:2]},
        )


PHONE_PATTERN = r"^\+?[0-9][0-9 .\-()]{5,22}$"


def validate_phone(value: str) -> None:
    if value and not re.match(PHONE_PATTERN, value):
        raise ValidationError(
            "Saisissez un numéro de téléphone, par exemple 03 27 51 31 31 ou +33 3 27 51 31 31.",
            code="phone",
        )


# --- Evidence files ----------------------------------------------------------------------

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

# What a file's first bytes say it is, and the name endings that go with it.
_SIGNATURES = (
    (b"%PDF-", (".pdf",)),
    (b"\x89PNG\r\n\x1a\n", (".png",)),
    (b"\xff\xd8\xff", (".jpg", ".jpeg")),
)


def detect_evidence_type(head: bytes) -> tuple[str, ...] | None:
    """The name endings matching a file's content, or None when it is no PDF, PNG or JPEG."""
    for signature, endings in _SIGNATURES:
        if head.startswith(signature):
            return endings
    return None


def validate_evidence_file(file) -> None:
    """A PDF, PNG or JPEG of at most 10 Mo, whose content matches its name."""
    if getattr(file, "_committed", False):
        # Already stored under a generated name: it was checked when it came in.
        return
    if file.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            "Le fichier dépasse la taille maximale de 10 Mo.", code="evidence_too_large"
        )
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(8)
    file.seek(position)
    endings = detect_evidence_type(head)
    name = (getattr(file, "name", "") or "").lower()
    if endings is None or not name.endswith(endings):
        raise ValidationError(
            "Le justificatif doit être un PDF ou une image JPEG ou PNG, et son contenu "
            "doit correspondre à son extension.",
            code="evidence_type",
        )
