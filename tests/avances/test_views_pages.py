"""The fund's ledger, the late-payments queue, the bank-statement import and the PDFs,
through the views."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from alize.formatting import euros
from alize.models import Role
from avances.models import FundMovement, Instalment, Payment
from avances.selectors import delinquency_bucket, next_dunning_step
from avances.services import open_proceeding, record_dunning_step, record_payment
from tests.avances.conftest import fund
from tests.avances.factories import AdvanceFactory
from tests.conftest import make_user
from tests.pme.factories import DossierFactory, PmeFactory

pytestmark = pytest.mark.django_db


def advance_in(basin, name, **kwargs):
    pme = PmeFactory(basin=basin, name=name)
    return AdvanceFactory(basin=basin, dossier=DossierFactory(pme=pme, approved=True), **kwargs)


def html(response):
    return response.content.decode()


@pytest.fixture
def staff(basin):
    return make_user(Role.STAFF, basin)


# --- The fund ---------------------------------------------------------------------------------


def test_fund_ledger_reconciles_to_the_cent(client, staff, funded):
    advance = advance_in(funded, "Heuille", disbursed=True, paid_instalments=2)
    record_payment(
        advance=advance, paid_on=datetime.date(2008, 1, 2), amount=Decimal("0.01"), by=staff
    )
    advance_in(funded, "Engagée SA", signed=True)  # granted, committed, not disbursed
    client.force_login(staff)
    response = client.get(reverse("avances:fund_detail", args=[funded.pk]))
    assert response.status_code == 200
    movements = list(response.context["movements"])
    balance = response.context["balance"]
    assert len(movements) == 1 + 1 + 3
    ledger_sum = sum(m.amount for m in movements)
    assert ledger_sum == balance.cash
    assert movements[-1].running_balance == balance.cash
    repaid = sum(p.amount for p in Payment.objects.all())
    assert balance.cash == Decimal("100000.00") - Decimal("10000.00") + repaid
    assert balance.committed == Decimal("10000.00")
    assert balance.available == balance.cash - Decimal("10000.00")
    page = html(response)
    assert f'id="tresorerie">{euros(balance.cash, 2)}<' in page
    assert f'id="disponible">{euros(balance.available, 2)}<' in page
    assert reverse("avances:advance_detail", args=[advance.pk]) in page


def test_fund_of_another_basin_is_a_404(client, funded, other_basin):
    client.force_login(make_user(Role.STAFF, other_basin))
    assert client.get(reverse("avances:fund_detail", args=[funded.pk])).status_code == 404
    client.force_login(make_user(Role.STEERING, funded))
    assert client.get(reverse("avances:fund_detail", args=[funded.pk])).status_code == 404


def test_fund_ledger_running_balance_across_pages(client, staff, basin):
    for _ in range(3):
        fund(basin, Decimal("1000.00"), by=staff)
    client.force_login(staff)
    response = client.get(reverse("avances:fund_detail", args=[basin.pk]))
    assert [m.running_balance for m in response.context["movements"]] == [
        Decimal("1000.00"),
        Decimal("2000.00"),
        Decimal("3000.00"),
    ]
    assert FundMovement.objects.count() == 3


# --- The late-payments queue --------------------------------------------------------------------


def test_late_queue_sorted_by_days_late_with_next_step(client, staff, basin):
    longest = advance_in(basin, "Jamais Payé SA", disbursed=True)
    shorter = advance_in(basin, "Payeur Tardif", disbursed=True, paid_instalments=5)
    advance_in(basin, "Soldée SA", disbursed=True, paid_instalments=36)
    advance_in(basin, "Pas Versée SA", signed=True)
    record_dunning_step(
        advance=shorter, kind="relance", sent_on=datetime.date(2008, 10, 1), by=staff
    )
    client.force_login(staff)
    response = client.get(reverse("avances:late_queue"))
    late = response.context["late"]
    assert [a.pk for a in late] == [longest.pk, shorter.pk]
    assert late[0].days_late > late[1].days_late > 90
    assert late[0].bucket == "Plus de 90 jours"
    assert late[0].next_step == "Envoyer une relance."
    assert late[1].next_step == "Envoyer une mise en demeure."
    assert late[1].last_kind_label == "Relance"
    # Overdue: every instalment due before today, less what was paid on them.
    due = Instalment.objects.filter(schedule__advance=longest, due_date__lt=timezone.localdate())
    assert late[0].overdue == sum(i.amount for i in due)
    page = html(response)
    assert "Jamais Payé SA" in page
    assert "Soldée SA" not in page


def test_late_queue_shows_claims_to_declare_with_their_deadline(client, staff, basin):
    advance = advance_in(basin, "Redressée SAS", disbursed=True)
    today = timezone.localdate()
    proceeding = open_proceeding(
        advance=advance,
        kind="redressement",
        judgment_date=today - datetime.timedelta(days=60),
        publication_date=today - datetime.timedelta(days=50),
        by=staff,
    )
    client.force_login(staff)
    response = client.get(reverse("avances:late_queue"))
    shown = response.context["proceedings"]
    assert [p.pk for p in shown] == [proceeding.pk]
    assert shown[0].is_near
    assert proceeding.claim_deadline.strftime("%Y") in html(response)
    assert 'badge text-bg-danger">Urgent<' in html(response)


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, "À jour"),
        (1, "1 à 30 jours"),
        (30, "1 à 30 jours"),
        (31, "31 à 90 jours"),
        (91, "Plus de 90 jours"),
    ],
)
def test_delinquency_buckets(days, bucket):
    assert delinquency_bucket(days) == bucket


def test_next_dunning_step_waits_for_the_payment_deadline():
    today = datetime.date(2008, 3, 1)
    step = next_dunning_step(
        days_late=40,
        oldest_due_date=datetime.date(2008, 1, 16),
        last_kind="relance",
        last_sent_on=datetime.date(2008, 2, 20),
        last_pay_by=datetime.date(2008, 3, 6),
        today=today,
    )
    assert step == "Attendre le délai de paiement (06/03/2008)."
    step = next_dunning_step(
        days_late=90,
        oldest_due_date=datetime.date(2008, 1, 16),
        last_kind="mise_en_demeure",
        last_sent_on=datetime.date(2008, 2, 20),
        last_pay_by=datetime.date(2008, 2, 28),
        today=today,
    )
    assert step == "Envisager une procédure ou un passage en perte."


# --- Bank-statement import ----------------------------------------------------------------------


def first_instalment(advance):
    return Instalment.objects.filter(schedule__advance=advance).order_by("number").first()


def french(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def upload(client, text, name="releve.csv"):
    return client.post(
        reverse("avances:statement_import"),
        {"statement": SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")},
    )


def test_statement_preview_then_import(client, staff, basin):
    heuille = advance_in(basin, "Heuille", disbursed=True)
    tolerie = advance_in(basin, "Tôlerie", disbursed=True)
    first = first_instalment(heuille)
    text = (
        "date;montant;libellé\n"
        f"{first.due_date:%d/%m/%Y};{french(first.amount)};VIR HEUILLE {heuille.reference}\n"
        f"02/01/2008;150,00;VIR TOLERIE {tolerie.reference.lower()}\n"
    )
    client.force_login(staff)
    assert client.get(reverse("avances:statement_import")).status_code == 200
    response = upload(client, text)
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.is_valid
    assert [row.advance for row in preview.rows] == [heuille, tolerie]
    page = html(response)
    assert "Confirmer l'import" in page
    assert not Payment.objects.exists()  # a preview writes nothing
    response = client.post(
        reverse("avances:statement_confirm"), {"digest": response.context["digest"]}
    )
    assert response.status_code == 302
    assert Payment.objects.count() == 2
    assert Payment.objects.get(advance=tolerie).amount == Decimal("150.00")
    # The same confirmation again imports nothing more (the session was cleared).
    response = client.post(reverse("avances:statement_confirm"), {"digest": "x"})
    assert response.status_code == 302
    assert Payment.objects.count() == 2


def test_statement_with_one_bad_row_saves_nothing(client, staff, basin, other_basin):
    heuille = advance_in(basin, "Heuille", disbursed=True)
    elsewhere = advance_in(other_basin, "Ailleurs SA", disbursed=True)
    text = (
        f"16/11/2007;100,00;{heuille.reference}\n"
        f"31/02/2008;100,00;{heuille.reference}\n"
        f"16/11/2007;abc;{heuille.reference}\n"
        f"16/11/2007;50,00;{elsewhere.reference}\n"
        "16/11/2007;50,00;sans référence\n"
        f"16/11/2007;99999,00;{heuille.reference}\n"
    )
    client.force_login(staff)
    response = upload(client, text)
    preview = response.context["preview"]
    assert not preview.is_valid
    assert [row.is_valid for row in preview.rows] == [True, False, False, False, False, False]
    page = html(response)
    assert "Confirmer l'import" not in page
    assert "Date illisible" in page
    assert "est inconnue ou ne relève pas de vos bassins" in page
    assert "Aucune référence d&#x27;avance" in page
    assert "dépasse le capital restant dû" in page
    assert "rien ne sera enregistré" in page
    # A forged confirmation of that preview still saves nothing.
    response = client.post(
        reverse("avances:statement_confirm"), {"digest": response.context["digest"]}
    )
    assert response.status_code == 200
    assert "Rien n'a été enregistré" in html(response)
    assert not Payment.objects.exists()


def test_statement_confirm_imports_exactly_what_was_previewed(client, staff, basin):
    heuille = advance_in(basin, "Heuille", disbursed=True)
    client.force_login(staff)
    first = upload(client, f"16/11/2007;100,00;{heuille.reference}\n")
    upload(client, f"16/11/2007;200,00;{heuille.reference}\n")
    # The first preview's page is stale: another file was read since.
    response = client.post(
        reverse("avances:statement_confirm"), {"digest": first.context["digest"]}
    )
    assert response.status_code == 302
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide."),
        (b"\x00\x01\x02binaire", "n&#x27;est pas un CSV"),
        (b"date;montant;reference\n", "aucune ligne de paiement"),
    ],
)
def test_statement_bad_files(client, staff, content, message):
    client.force_login(staff)
    response = client.post(
        reverse("avances:statement_import"),
        {"statement": SimpleUploadedFile("releve.csv", content, content_type="text/csv")},
    )
    assert response.status_code == 200
    assert message in html(response)


def test_statement_import_is_the_operators_work(client, basin):
    client.force_login(make_user(Role.ADMIN))
    assert client.get(reverse("avances:statement_import")).status_code == 404
    client.force_login(make_user(Role.STEERING, basin))
    assert client.get(reverse("avances:statement_import")).status_code == 404


# --- PDFs ----------------------------------------------------------------------------------------


def test_pdfs_download(client, staff, basin):
    advance = advance_in(basin, "Heuille", disbursed=True)
    step = record_dunning_step(
        advance=advance, kind="relance", sent_on=datetime.date(2008, 2, 4), by=staff
    )
    client.force_login(staff)
    for url in (
        reverse("avances:schedule_pdf", args=[advance.pk]),
        reverse("avances:deminimis_pdf", args=[advance.pk]),
        reverse("avances:dunning_letter_pdf", args=[step.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


def test_schedule_pdf_of_an_advance_not_disbursed_is_a_404(client, staff, basin):
    advance = advance_in(basin, "Pas Versée", signed=True)
    client.force_login(staff)
    assert client.get(reverse("avances:schedule_pdf", args=[advance.pk])).status_code == 404


def count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_late_queue_query_count_does_not_grow(client, staff, basin):
    client.force_login(staff)
    url = reverse("avances:late_queue")
    for n in range(2):
        advance = advance_in(basin, f"Retard A{n}", disbursed=True)
        record_dunning_step(
            advance=advance, kind="relance", sent_on=datetime.date(2008, 2, 4), by=staff
        )
    few, response = count_queries(client, url)
    assert len(response.context["late"]) == 2
    for n in range(18):
        advance_in(basin, f"Retard B{n}", disbursed=True)
    many, response = count_queries(client, url)
    assert len(response.context["late"]) == 20
    assert many == few


def test_fund_query_count_does_not_grow(client, staff, basin):
    client.force_login(staff)
    url = reverse("avances:fund_detail", args=[basin.pk])
    for _ in range(2):
        fund(basin, Decimal("10.00"), by=staff)
    few, response = count_queries(client, url)
    for _ in range(18):
        fund(basin, Decimal("10.00"), by=staff)
    many, response = count_queries(client, url)
    assert len(response.context["movements"]) == 20
    assert many == few
