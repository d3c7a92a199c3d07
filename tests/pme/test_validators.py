import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from stdnum import luhn
from stdnum.fr import siren as stdnum_siren

from alize.modelkit import validate_phone
from pme.naf import NAF_DIVISIONS, Sector, normalize_naf_code, sector_for_code
from pme.validators import (
    EVIDENCE_MAX_BYTES,
    compact_number,
    validate_evidence_file,
    validate_naf_code,
    validate_siren,
    validate_siret,
)
from tests.pme.factories import make_siren, make_siret

# A SIREN and a SIRET checked by hand: 732 829 320, establishment 00074.
KNOWN_SIREN = "732829320"
KNOWN_SIRET = "73282932000074"
# La Poste: SIREN 356 000 000. Its head office keeps the Luhn key; its other
# establishments are checked by the sum of their digits (a multiple of 5) instead.
LA_POSTE_SIREN = "356000000"
LA_POSTE_HEAD_OFFICE = "35600000000048"
LA_POSTE_ESTABLISHMENT = "35600000000001"  # digit sum 15, fails Luhn


def message(excinfo) -> str:
    return " ".join(excinfo.value.messages)


@pytest.mark.parametrize("value", [KNOWN_SIREN, LA_POSTE_SIREN, make_siren(1), make_siren(42)])
def test_valid_siren(value):
    validate_siren(value)


def test_siren_typed_with_spaces_is_read():
    validate_siren("732 829 320")


@pytest.mark.parametrize("value", ["732829321", "356000001", "123456789"])
def test_siren_with_a_wrong_key_is_refused(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_siren(value)
    assert "clé de contrôle" in message(excinfo)


@pytest.mark.parametrize("value", ["", "73282932", "7328293200", "73282932A"])
def test_siren_of_the_wrong_shape_is_refused(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_siren(value)
    assert message(excinfo) == "Le SIREN doit compter 9 chiffres."


@pytest.mark.parametrize(
    "value",
    [KNOWN_SIRET, LA_POSTE_HEAD_OFFICE, LA_POSTE_ESTABLISHMENT, make_siret(7), make_siret(7, 23)],
)
def test_valid_siret(value):
    validate_siret(value)


def test_la_poste_establishment_is_valid_only_thanks_to_the_exception():
    assert not luhn.is_valid(LA_POSTE_ESTABLISHMENT)
    # The same pattern under another SIREN is refused.
    other = make_siren(5) + LA_POSTE_ESTABLISHMENT[9:]
    assert not luhn.is_valid(other)
    with pytest.raises(ValidationError):
        validate_siret(other)


def test_la_poste_establishment_with_a_bad_digit_sum_is_refused():
    # Luhn-valid, but La Poste's establishments are checked by their digit sum.
    body = LA_POSTE_SIREN + "0001"
    candidate = body + luhn.calc_check_digit(body)
    assert luhn.is_valid(candidate)
    assert sum(map(int, candidate)) % 5 != 0
    with pytest.raises(ValidationError) as excinfo:
        validate_siret(candidate)
    assert "clé de contrôle" in message(excinfo)


def test_siret_with_a_wrong_key_is_refused():
    wrong = KNOWN_SIRET[:-1] + str((int(KNOWN_SIRET[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as excinfo:
        validate_siret(wrong)
    assert message(excinfo) == (
        "Ce SIRET n'existe pas : sa clé de contrôle est fausse. Vérifiez la saisie."
    )


def test_siret_whose_siren_part_is_wrong_is_refused():
    bad_siren = "732829321"
    assert not stdnum_siren.is_valid(bad_siren)
    body = bad_siren + "0007"
    # A whole number that passes Luhn, built on an invalid SIREN.
    candidate = body + luhn.calc_check_digit(body)
    assert luhn.is_valid(candidate)
    with pytest.raises(ValidationError) as excinfo:
        validate_siret(candidate)
    assert "9 premiers chiffres" in message(excinfo)


@pytest.mark.parametrize("value", ["", "7328293200007", "732829320000745", "7328293200007A"])
def test_siret_of_the_wrong_shape_is_refused(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_siret(value)
    assert message(excinfo) == "Le SIRET doit compter 14 chiffres."


def test_compact_number_drops_what_people_type_between_digits():
    assert compact_number("356 000 000 00048") == LA_POSTE_HEAD_OFFICE
    assert compact_number("732.829.320-00074") == KNOWN_SIRET
    assert compact_number("732\u00a0829\u202f320") == KNOWN_SIREN


# --- NAF -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("25.62B", "25.62B"), ("2562b", "25.62B"), (" 25 62 B ", "25.62B"), ("25,62b", "25.62B")],
)
def test_naf_code_is_normalized(raw, expected):
    assert normalize_naf_code(raw) == expected


@pytest.mark.parametrize("value", ["25.62B", "01.11Z", "43.22A", "99.00Z"])
def test_valid_naf_codes(value):
    validate_naf_code(value)


@pytest.mark.parametrize("value", ["2562B", "25.62", "25.6B", "AB.CDE", "25.62BB", ""])
def test_malformed_naf_code_is_refused(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_naf_code(value)
    assert "s'écrit comme 25.62B" in message(excinfo)


@pytest.mark.parametrize(
    "division", ["04", "34", "40", "44", "48", "54", "57", "67", "76", "83", "89"]
)
def test_naf_code_of_a_missing_division_is_refused(division):
    with pytest.raises(ValidationError) as excinfo:
        validate_naf_code(f"{division}.10Z")
    assert message(excinfo) == f"La division {division} n'existe pas dans la nomenclature NAF."


def test_nomenclature_has_its_88_divisions():
    assert len(NAF_DIVISIONS) == 88


@pytest.mark.parametrize(
    ("code", "sector"),
    [
        ("01.11Z", Sector.OTHER),
        ("03.22Z", Sector.OTHER),
        ("05.10Z", Sector.INDUSTRY),
        ("25.62B", Sector.INDUSTRY),
        ("39.00Z", Sector.INDUSTRY),
        ("41.20A", Sector.CONSTRUCTION),
        ("43.99C", Sector.CONSTRUCTION),
        ("45.20A", Sector.TRADE),
        ("47.11F", Sector.TRADE),
        ("49.41A", Sector.SERVICES),
        ("62.01Z", Sector.SERVICES),
        ("96.02A", Sector.SERVICES),
    ],
)
def test_sector_for_code(code, sector):
    assert sector_for_code(code) == sector


# --- Phones and evidence files ------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "03 27 51 31 31", "+33 3 27 51 31 31", "0327513131"])
def test_valid_phone(value):
    validate_phone(value)


@pytest.mark.parametrize("value", ["abc", "12", "<script>"])
def test_invalid_phone(value):
    with pytest.raises(ValidationError):
        validate_phone(value)


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
EXE = b"MZ\x90\x00" + b"\x00" * 60


@pytest.mark.parametrize(
    ("name", "content"),
    [("contrat.pdf", PDF), ("CONTRAT.PDF", PDF), ("scan.png", PNG), ("photo.jpg", JPEG)],
)
def test_valid_evidence(name, content):
    validate_evidence_file(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content"),
    [("contrat.pdf", EXE), ("programme.exe", EXE), ("contrat.pdf", PNG), ("notes.txt", b"hi")],
)
def test_evidence_whose_content_does_not_match_is_refused(name, content):
    with pytest.raises(ValidationError) as excinfo:
        validate_evidence_file(SimpleUploadedFile(name, content))
    assert "PDF ou une image JPEG ou PNG" in message(excinfo)


def test_evidence_over_10_mo_is_refused():
    big = SimpleUploadedFile("gros.pdf", PDF + b"0" * EVIDENCE_MAX_BYTES)
    with pytest.raises(ValidationError) as excinfo:
        validate_evidence_file(big)
    assert message(excinfo) == "Le fichier dépasse la taille maximale de 10 Mo."
