"""Repayments from a bank statement: French formats, a preview with row errors, all or
nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alize.models import Role
from avances.csv_import import find_reference, import_statement, preview_statement
from avances.models import FundMovement, Payment, PaymentMeans
from tests.avances.factories import AdvanceFactory
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def advances(basin):
    return AdvanceFactory(basin=basin, disbursed=True), AdvanceFactory(basin=basin, disbursed=True)


def statement(*lines, header=True) -> bytes:
    rows = (["Date;Montant;Libellé"] if header else []) + list(lines)
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


def test_find_reference_in_a_transfer_label():
    assert find_reference("VIR SEPA HEUILLE av2007-00012 ECHEANCE NOV") == "AV2007-00012"
    assert find_reference("AV 2007 00012") == "AV2007-00012"
    assert find_reference("AV200700012") == "AV2007-00012"
    # A date written right after the reference is not read as part of it.
    assert find_reference("VIR AV2007-00012 16/11/2007") == "AV2007-00012"
    assert find_reference("VIR AV2008-123456") == "AV2008-123456"
    assert find_reference("Remboursement avance") is None


def test_preview_reads_french_dates_and_amounts(advances, staff):
    first, second = advances
    content = statement(
        f"16/11/2007;333,33;VIR HEUILLE {first.reference}",
        f"17/12/2007;1 234,56;Prélèvement {second.reference.lower()}",
    )

    preview = preview_statement(content, by=staff)

    assert preview.is_valid, preview.messages()
    assert [(r.line, r.paid_on, r.amount, r.advance) for r in preview.rows] == [
        (2, D(2007, 11, 16), Decimal("333.33"), first),
        (3, D(2007, 12, 17), Decimal("1234.56"), second),
    ]
    assert preview.total == Decimal("1567.89")
    assert not Payment.objects.exists()


def test_import_records_every_payment_with_its_ledger_line(advances, staff):
    first, second = advances
    content = statement(
        f"16/11/2007;333,33;VIR {first.reference}",
        f"16/11/2007;333,33;VIR {second.reference}",
        f"17/12/2007;333,33;VIR {first.reference}",
    )

    payments = import_statement(content, by=staff)

    assert len(payments) == 3
    assert first.payments.count() == 2
    assert {p.means for p in payments} == {PaymentMeans.TRANSFER}
    assert payments[0].reference == f"VIR {first.reference}"
    assert FundMovement.objects.filter(payment__in=payments).count() == 3


def test_one_bad_row_and_nothing_is_saved(advances, staff):
    first, second = advances
    content = statement(
        f"16/11/2007;333,33;VIR {first.reference}",
        f"31/11/2007;333,33;VIR {second.reference}",
        f"17/12/2007;333,33;VIR {first.reference}",
    )

    preview = preview_statement(content, by=staff)
    assert not preview.is_valid
    assert [row.errors for row in preview.rows] == [
        [],
        ["Date illisible « 31/11/2007 » : attendue au format jj/mm/aaaa."],
        [],
    ]
    with pytest.raises(ValidationError) as refusal:
        import_statement(content, by=staff)

    assert refusal.value.messages == [
        "Ligne 3 : Date illisible « 31/11/2007 » : attendue au format jj/mm/aaaa."
    ]
    assert not Payment.objects.exists()
    assert not FundMovement.objects.filter(payment__isnull=False).exists()


def test_row_errors_are_each_explained(basin, advances, staff, other_basin):
    first, _ = advances
    elsewhere = AdvanceFactory(basin=other_basin, disbursed=True)
    not_disbursed = AdvanceFactory(basin=basin, signed=True)
    content = statement(
        f"16/11/2007;0;VIR {first.reference}",
        f"16/11/2007;douze euros;VIR {first.reference}",
        "16/11/2007;100,00;VIREMENT SANS REFERENCE",
        "16/11/2007;100,00;VIR AV1999-99999",
        f"16/11/2007;100,00;VIR {elsewhere.reference}",
        f"16/11/2007;100,00;VIR {not_disbursed.reference}",
        f"01/04/2007;100,00;VIR {first.reference}",
        "16/11/2007;100,00",
        f"16/11/2007;100,001;VIR {first.reference}",
    )

    rows = preview_statement(content, by=staff).rows

    assert [row.errors for row in rows] == [
        ["Le montant d'un remboursement doit être strictement positif."],
        [
            "Montant « douze euros » : Saisissez un montant en euros, par exemple 15 000 ou "
            "15 000,50."
        ],
        ["Aucune référence d'avance (de la forme AV2007-00012) dans « VIREMENT SANS REFERENCE »."],
        ["L'avance AV1999-99999 est inconnue ou ne relève pas de vos bassins."],
        [f"L'avance {elsewhere.reference} est inconnue ou ne relève pas de vos bassins."],
        ["Cette avance n'a pas encore été versée : aucun remboursement ne peut être enregistré."],
        ["Le paiement du 01/04/2007 précède le premier versement de l'avance (16/04/2007)."],
        [
            "La ligne doit compter trois colonnes séparées par des points-virgules : "
            "date ; montant ; référence."
        ],
        ["Montant « 100,001 » : Un montant en euros compte au plus deux décimales (les centimes)."],
    ]


def test_rows_that_together_overpay_an_advance_are_caught(advances, staff):
    first, _ = advances
    content = statement(
        f"16/11/2007;6 000,00;VIR {first.reference}",
        f"17/11/2007;4 000,01;VIR {first.reference}",
    )
    rows = preview_statement(content, by=staff).rows
    assert rows[0].errors == []
    assert rows[1].errors[0].startswith("Ce paiement de")
    assert "capital restant dû" in rows[1].errors[0]


def test_a_statement_imported_twice_is_refused_the_second_time(advances, staff):
    first, _ = advances
    content = statement(f"16/11/2007;333,33;VIR {first.reference}")
    import_statement(content, by=staff)

    with pytest.raises(ValidationError) as refusal:
        import_statement(content, by=staff)

    assert "déjà enregistré" in refusal.value.messages[0]
    assert Payment.objects.count() == 1


def test_windows_1252_files_without_header_are_read(advances, staff):
    first, _ = advances
    content = f"16/11/2007;333,33;Prélèvement échéance {first.reference}\n".encode("cp1252")
    preview = preview_statement(content, by=staff)
    assert preview.is_valid
    assert preview.rows[0].reference == f"Prélèvement échéance {first.reference}"


def test_an_empty_file_is_refused(staff):
    preview = preview_statement(b"Date;Montant;Libelle\n\n", by=staff)
    assert preview.messages() == ["Le fichier ne contient aucune ligne de paiement."]


def test_a_user_of_another_basin_imports_nothing(advances, other_basin):
    first, _ = advances
    content = statement(f"16/11/2007;333,33;VIR {first.reference}")
    with pytest.raises(ValidationError):
        import_statement(content, by=make_user(Role.STAFF, other_basin))
    assert not Payment.objects.exists()


@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"], ids=["crlf", "lf", "cr"])
def test_every_line_ending_is_read(advances, staff, ending):
    first, second = advances
    content = ending.join(
        [
            "Date;Montant;Libellé",
            f"16/11/2007;333,33;VIR {first.reference}",
            f"17/12/2007;100,00;VIR {second.reference}",
        ]
    ).encode()

    preview = preview_statement(content, by=staff)

    assert preview.is_valid, preview.messages()
    assert [(row.line, row.advance) for row in preview.rows] == [(2, first), (3, second)]


def test_a_label_longer_than_a_transfer_holds_is_a_row_error(advances, staff):
    first, _ = advances
    preview = preview_statement(
        statement(f"16/11/2007;333,33;VIR {first.reference} {'x' * 200}"), by=staff
    )

    assert not preview.is_valid
    assert "un virement en porte 140 au plus" in " ".join(preview.messages())


def test_a_cell_longer_than_the_csv_module_reads_refuses_the_file_in_french(advances, staff):
    first, _ = advances
    content = statement(f"16/11/2007;333,33;VIR {first.reference} {'x' * 200_000}")

    with pytest.raises(ValidationError) as error:
        preview_statement(content, by=staff)
    assert error.value.messages == [
        "Ligne 2 : une cellule dépasse 131\u202f072 caractères ; ce fichier n'est pas un relevé "
        "bancaire."
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Date;Montant;Libell\xc3\xa9\r" + b"x" * 200_000, "une cellule dépasse"),
        (b"16/11/2007;1,00;AV2007-00012 \x1b[31m", "pas un CSV (texte) lisible"),
    ],
    ids=["huge-cell", "control-character"],
)
def test_the_upload_page_refuses_an_unreadable_file_in_french(client, staff, content, message):
    client.force_login(staff)
    upload = SimpleUploadedFile("releve.csv", content, content_type="text/csv")

    response = client.post(reverse("avances:statement_import"), {"statement": upload})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Payment.objects.exists()
