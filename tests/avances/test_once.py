"""Forms that record money are acted on once: the same one-time token sent twice records
one row and the second answer shows the first result; identical statement lines are
flagged and recorded only if confirmed."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alize.models import Role, Submission
from alize.once import REPLAY_MESSAGE
from avances.models import Payment
from tests.avances.factories import AdvanceFactory
from tests.conftest import make_user
from tests.pme.factories import DossierFactory, PmeFactory

pytestmark = pytest.mark.django_db


def advance_in(basin, name, **kwargs):
    pme = PmeFactory(basin=basin, name=name)
    return AdvanceFactory(basin=basin, dossier=DossierFactory(pme=pme, approved=True), **kwargs)


def html(response):
    return response.content.decode()


def token_in(page: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" value="([0-9a-f-]{{36}})"', page)
    assert match, f"no one-time token {name} in the page"
    return match.group(1)


@pytest.fixture
def staff(basin):
    return make_user(Role.STAFF, basin)


@pytest.fixture
def disbursed(basin):
    return advance_in(basin, "Tôlerie du Hainaut", disbursed=True)


def payment_post(token, amount="500"):
    return {
        "paiement-paid_on": "2007-11-16",
        "paiement-amount": amount,
        "paiement-means": "virement",
        "paiement-once": token,
    }


def test_a_double_click_on_the_payment_form_records_one_payment(client, staff, disbursed):
    client.force_login(staff)
    page = html(client.get(reverse("avances:advance_detail", args=[disbursed.pk])))
    token = token_in(page, "paiement-once")
    url = reverse("avances:payment_create", args=[disbursed.pk])

    first = client.post(url, payment_post(token))
    second = client.post(url, payment_post(token), follow=True)

    assert first.status_code == 302
    assert Payment.objects.filter(advance=disbursed).count() == 1
    assert Submission.objects.filter(token=token).count() == 1
    # The second answer is the first result: the advance page, its payment, and why.
    assert second.redirect_chain[-1][0] == reverse("avances:advance_detail", args=[disbursed.pk])
    shown = html(second)
    assert REPLAY_MESSAGE.replace("'", "&#x27;") in shown
    assert "Le remboursement est enregistré et imputé sur les échéances." in shown
    assert "500,00" in shown


def test_a_double_click_through_htmx_gets_the_panel_with_the_first_payment(
    client, staff, disbursed
):
    client.force_login(staff)
    page = html(client.get(reverse("avances:advance_detail", args=[disbursed.pk])))
    token = token_in(page, "paiement-once")
    url = reverse("avances:payment_create", args=[disbursed.pk])
    client.post(url, payment_post(token), headers={"HX-Request": "true"})
    second = client.post(url, payment_post(token), headers={"HX-Request": "true"})
    assert second.status_code == 200
    assert "rien de plus n&#x27;a été enregistré" in html(second)
    assert Payment.objects.filter(advance=disbursed).count() == 1
    # The panel drawn after a payment carries a new token: the next payment is recorded.
    assert token_in(html(second), "paiement-once") != token


def test_a_refused_payment_keeps_its_token_and_the_corrected_one_is_recorded(
    client, staff, disbursed
):
    client.force_login(staff)
    page = html(client.get(reverse("avances:advance_detail", args=[disbursed.pk])))
    token = token_in(page, "paiement-once")
    url = reverse("avances:payment_create", args=[disbursed.pk])
    refused = client.post(url, payment_post(token, amount="9999999"))
    assert refused.status_code == 200
    assert not Payment.objects.exists() and not Submission.objects.exists()
    assert token_in(html(refused), "paiement-once") == token
    client.post(url, payment_post(token))
    client.post(url, payment_post(token))
    assert Payment.objects.filter(advance=disbursed).count() == 1


def test_two_distinct_payments_have_two_tokens(client, staff, disbursed):
    client.force_login(staff)
    url = reverse("avances:payment_create", args=[disbursed.pk])
    for _ in range(2):
        page = html(client.get(reverse("avances:advance_detail", args=[disbursed.pk])))
        client.post(url, payment_post(token_in(page, "paiement-once"), amount="100"))
    assert Payment.objects.filter(advance=disbursed).count() == 2


def test_another_users_token_is_not_replayed(client, staff, basin, disbursed):
    client.force_login(staff)
    page = html(client.get(reverse("avances:advance_detail", args=[disbursed.pk])))
    token = token_in(page, "paiement-once")
    url = reverse("avances:payment_create", args=[disbursed.pk])
    client.post(url, payment_post(token))
    client.force_login(make_user(Role.STAFF, basin))
    assert client.post(url, payment_post(token)).status_code == 404
    assert Payment.objects.count() == 1


# --- Bank statements -------------------------------------------------------------------


def upload(client, text):
    return client.post(
        reverse("avances:statement_import"),
        {"statement": SimpleUploadedFile("releve.csv", text.encode(), content_type="text/csv")},
    )


def twice_the_same_line(advance):
    return (
        "date;montant;libellé\n"
        f"16/11/2007;100,00;VIR {advance.reference}\n"
        f"17/11/2007;50,00;VIR {advance.reference}\n"
        f"16/11/2007;100,00;VIR {advance.reference}\n"
    )


def test_identical_statement_lines_are_flagged_and_skipped_unless_confirmed(
    client, staff, disbursed
):
    client.force_login(staff)
    response = upload(client, twice_the_same_line(disbursed))
    preview = response.context["preview"]
    assert preview.is_valid
    assert [row.duplicate_of for row in preview.rows] == [None, None, 2]
    page = html(response)
    assert "Identique à la ligne 2" in page
    assert 'name="duplicate" value="4"' in page
    assert "2 paiements pour 150,00" in page.replace("\u202f", " ").replace("\xa0", " ")
    token = token_in(page, "once")

    response = client.post(
        reverse("avances:statement_confirm"),
        {"digest": response.context["digest"], "once": token},
    )
    assert response.status_code == 302
    amounts = sorted(Payment.objects.values_list("amount", flat=True))
    assert amounts == [Decimal("50.00"), Decimal("100.00")]

    # The same confirmation sent again: the first result, nothing more.
    again = client.post(
        reverse("avances:statement_confirm"), {"digest": "x", "once": token}, follow=True
    )
    assert "2 remboursements enregistrés depuis le relevé." in html(again)
    assert "rien de plus n&#x27;a été enregistré" in html(again)
    assert Payment.objects.count() == 2


def test_a_confirmed_identical_line_is_recorded(client, staff, disbursed):
    client.force_login(staff)
    response = upload(client, twice_the_same_line(disbursed))
    response = client.post(
        reverse("avances:statement_confirm"),
        {
            "digest": response.context["digest"],
            "once": token_in(html(response), "once"),
            "duplicate": ["4"],
        },
    )
    assert response.status_code == 302
    amounts = sorted(Payment.objects.values_list("amount", flat=True))
    assert amounts == [Decimal("50.00"), Decimal("100.00"), Decimal("100.00")]
