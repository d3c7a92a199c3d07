"""The advances' list, the advance page and the actions recorded from it, through the
views: what a user sees, what is saved, and every refusal shown in French (never a 500)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alize.formatting import euros
from alize.models import Role
from avances.models import (
    Disbursement,
    DunningStep,
    Payment,
    Schedule,
    ScheduleKind,
    WriteOff,
    WriteOffStatus,
)
from avances.services import open_proceeding, record_payment, request_write_off, reschedule_advance
from tests.avances.factories import AdvanceFactory
from tests.conftest import make_user
from tests.pme.factories import DossierFactory, PmeFactory

pytestmark = pytest.mark.django_db


def advance_in(basin, name, **kwargs):
    pme = PmeFactory(basin=basin, name=name)
    return AdvanceFactory(basin=basin, dossier=DossierFactory(pme=pme, approved=True), **kwargs)


def detail(advance):
    return reverse("avances:advance_detail", args=[advance.pk])


def html(response):
    return response.content.decode()


@pytest.fixture
def staff(basin):
    return make_user(Role.STAFF, basin)


@pytest.fixture
def manager(basin):
    return make_user(Role.MANAGER, basin)


@pytest.fixture
def granted(basin):
    return advance_in(basin, "Heuille Mécanique", signed=True)


@pytest.fixture
def disbursed(basin):
    return advance_in(basin, "Tôlerie du Hainaut", disbursed=True)


# --- Who sees what ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_the_login_page(client, disbursed):
    for url in (reverse("avances:advance_list"), detail(disbursed)):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "role", [Role.STEERING, Role.FUNDER, Role.COMMITTEE_MEMBER, Role.COORDINATOR]
)
def test_other_roles_get_a_404(client, basin, disbursed, role):
    client.force_login(make_user(role, basin))
    assert client.get(reverse("avances:advance_list")).status_code == 404
    assert client.get(detail(disbursed)).status_code == 404


def test_staff_of_another_basin_do_not_see_the_advance(client, other_basin, disbursed):
    client.force_login(make_user(Role.STAFF, other_basin))
    assert client.get(detail(disbursed)).status_code == 404
    response = client.get(reverse("avances:advance_list"))
    assert disbursed.reference not in html(response)
    url = reverse("avances:payment_create", args=[disbursed.pk])
    post = {
        "paiement-paid_on": "2008-01-02",
        "paiement-amount": "100",
        "paiement-means": "virement",
    }
    assert client.post(url, post).status_code == 404
    assert not Payment.objects.exists()


def test_admin_reads_but_records_nothing(client, disbursed):
    client.force_login(make_user(Role.ADMIN))
    response = client.get(detail(disbursed))
    assert response.status_code == 200
    assert "Enregistrer le paiement" not in html(response)
    url = reverse("avances:payment_create", args=[disbursed.pk])
    post = {
        "paiement-paid_on": "2008-01-02",
        "paiement-amount": "100",
        "paiement-means": "virement",
    }
    assert client.post(url, post).status_code == 404
    assert not Payment.objects.exists()


def test_navbar_shows_advances_to_operators_only(client, basin):
    client.force_login(make_user(Role.STAFF, basin))
    assert reverse("avances:advance_list") in html(client.get(reverse("home")))
    client.force_login(make_user(Role.STEERING, basin))
    assert reverse("avances:advance_list") not in html(client.get(reverse("home")))


# --- The list ----------------------------------------------------------------------------------


def test_list_filters_by_status(client, staff, basin, granted, disbursed):
    repaid = advance_in(basin, "Soldée SA", disbursed=True, paid_instalments=36)
    rescheduled = advance_in(basin, "Rééchelonnée SARL", disbursed=True)
    reschedule_advance(
        advance=rescheduled,
        from_date=datetime.date(2008, 1, 7),
        duration_months=24,
        grace_months=0,
        reason="Trésorerie",
        by=make_user(Role.MANAGER, basin),
    )
    in_proceedings = advance_in(basin, "Redressée SAS", disbursed=True)
    open_proceeding(
        advance=in_proceedings,
        kind="redressement",
        judgment_date=datetime.date(2008, 9, 1),
        publication_date=datetime.date(2008, 9, 15),
        by=staff,
    )
    written_off = advance_in(basin, "Liquidée SA", written_off=True)
    client.force_login(staff)
    expected = {
        "accordee": {granted},
        "versee": {disbursed, repaid, rescheduled, in_proceedings, written_off},
        "en_remboursement": {disbursed, rescheduled, in_proceedings},
        "en_retard": {disbursed, rescheduled, in_proceedings},
        "reechelonnee": {rescheduled},
        "en_procedure": {in_proceedings},
        "remboursee": {repaid},
        "passee_en_perte": {written_off},
    }
    everyone = {granted, disbursed, repaid, rescheduled, in_proceedings, written_off}
    for status, advances in expected.items():
        response = client.get(reverse("avances:advance_list"), {"etat": status})
        assert {a.pk for a in response.context["advances"]} == {a.pk for a in advances}, status
    response = client.get(reverse("avances:advance_list"), {"etat": "n_importe_quoi"})
    assert {a.pk for a in response.context["advances"]} == {a.pk for a in everyone}


def test_list_totals_come_from_the_database(client, staff, basin, granted, disbursed):
    first_paid = advance_in(basin, "Payeuse SA", disbursed=True, paid_instalments=1)
    client.force_login(staff)
    response = client.get(reverse("avances:advance_list"))
    totals = response.context["totals"]
    assert totals["granted"] == Decimal("30000.00")
    assert totals["disbursed_total"] == Decimal("20000.00")
    repaid = sum(p.amount for p in Payment.objects.filter(advance=first_paid))
    assert totals["outstanding_total"] == Decimal("20000.00") - repaid
    assert euros(Decimal("30000"), 2) in html(response)
    # Filtered: the totals follow the filter.
    response = client.get(reverse("avances:advance_list"), {"etat": "accordee"})
    assert response.context["totals"]["disbursed_total"] == 0
    assert response.context["totals"]["granted"] == Decimal("10000.00")


def test_list_sorts_and_searches(client, staff, basin, granted, disbursed):
    client.force_login(staff)
    response = client.get(reverse("avances:advance_list"), {"tri": "-restant"})
    assert [a.pk for a in response.context["advances"]] == [disbursed.pk, granted.pk]
    response = client.get(reverse("avances:advance_list"), {"tri": "restant"})
    assert [a.pk for a in response.context["advances"]] == [granted.pk, disbursed.pk]
    response = client.get(reverse("avances:advance_list"), {"tri": "'; drop table"})
    assert response.status_code == 200
    response = client.get(reverse("avances:advance_list"), {"q": "tôlerie"})
    assert [a.pk for a in response.context["advances"]] == [disbursed.pk]


def test_list_query_count_does_not_grow_with_rows(client, staff, basin):
    client.force_login(staff)

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("avances:advance_list"))
        assert response.status_code == 200
        return len(queries), len(response.context["advances"])

    for n in range(2):
        advance_in(basin, f"Entreprise A{n}", disbursed=True, paid_instalments=1)
    few, rows = count()
    assert rows == 2
    for n in range(18):
        advance_in(basin, f"Entreprise B{n}", disbursed=(n % 2 == 0), signed=True)
    many, rows = count()
    assert rows == 20
    assert many == few


# --- The advance page ---------------------------------------------------------------------------


def test_advance_page_shows_terms_schedule_and_payments(client, staff, basin):
    advance = advance_in(basin, "Heuille Mécanique", disbursed=True, paid_instalments=2)
    client.force_login(staff)
    response = client.get(detail(advance))
    page = html(response)
    assert response.status_code == 200
    assert advance.reference in page
    assert "Heuille Mécanique" in page
    assert euros(Decimal("15000"), 2) in page  # the cap copied
    assert "36 mois, dont 6 de différé" in page
    assert "16/04/2007" in page  # the disbursement
    schedule = response.context["active_schedule"]
    instalments = list(schedule.instalments.all())
    assert len(instalments) == 30
    assert [i.status_label for i in instalments[:3]] == ["Payée", "Payée", "En retard"]
    assert len(response.context["payments"]) == 2
    assert "échéance n° 1" in page
    assert response.context["advance"].days_late > 90
    assert "Plus de 90 jours" in page
    assert "Envoyer une relance." in page
    assert "Historique" in page


def test_partial_payment_shows_a_partial_instalment(client, staff, disbursed):
    first = disbursed.schedules.get().instalments.order_by("number").first()
    record_payment(advance=disbursed, paid_on=first.due_date, amount=Decimal("10.00"), by=staff)
    client.force_login(staff)
    response = client.get(detail(disbursed))
    first_shown = response.context["active_schedule"].instalments.all()[0]
    assert first_shown.status_label == "Partielle, en retard"
    assert first_shown.paid == Decimal("10.00")


def test_rescheduled_advance_folds_the_earlier_schedule(client, staff, manager, disbursed):
    reschedule_advance(
        advance=disbursed,
        from_date=datetime.date(2008, 1, 7),
        duration_months=24,
        grace_months=0,
        reason="Trésorerie tendue",
        by=manager,
    )
    client.force_login(staff)
    response = client.get(detail(disbursed))
    assert response.context["active_schedule"].kind == ScheduleKind.RESCHEDULING
    assert len(response.context["earlier_schedules"]) == 1
    assert "Échéanciers antérieurs (1)" in html(response)


# --- Contract and disbursements ------------------------------------------------------------------


def test_sign_contract(client, staff, basin):
    advance = advance_in(basin, "Signataire SA")
    client.force_login(staff)
    url = reverse("avances:contract_sign", args=[advance.pk])
    response = client.post(url, {"contrat-contract_signed_on": "2007-04-02"})
    assert response.status_code == 302
    advance.refresh_from_db()
    assert advance.contract_signed_on == datetime.date(2007, 4, 2)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2007-01-02", "Le contrat se signe après la décision d&#x27;octroi"),
        ("pas une date", "Saisissez une date valide"),
        ("", "Indiquez la date."),
    ],
)
def test_sign_contract_refused(client, staff, basin, value, message):
    advance = advance_in(basin, "Signataire SA")
    client.force_login(staff)
    response = client.post(
        reverse("avances:contract_sign", args=[advance.pk]), {"contrat-contract_signed_on": value}
    )
    assert response.status_code == 200
    assert message in html(response)
    advance.refresh_from_db()
    assert advance.contract_signed_on is None


def test_sign_contract_in_the_future_is_refused(client, staff, basin):
    advance = advance_in(basin, "Signataire SA")
    client.force_login(staff)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("avances:contract_sign", args=[advance.pk]),
        {"contrat-contract_signed_on": tomorrow.isoformat()},
    )
    assert response.status_code == 200
    assert "La date ne peut pas être dans le futur." in html(response)


def test_disburse_builds_the_schedule(client, staff, granted):
    client.force_login(staff)
    url = reverse("avances:disbursement_create", args=[granted.pk])
    response = client.post(url, {"versement-disbursed_on": "2007-04-16", "versement-amount": ""})
    assert response.status_code == 302
    assert Disbursement.objects.get(advance=granted).amount == Decimal("10000.00")
    response = client.get(detail(granted))
    assert len(response.context["active_schedule"].instalments.all()) == 30


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "Saisissez un montant en euros"),
        ("-5", "Un montant ne peut pas être négatif."),
        ("15000,001", "au plus deux décimales"),
        ("0", "Le montant doit être strictement positif."),
        ("10 000,01", "au-delà du montant accordé"),
        ("1e6", "Saisissez un montant en euros"),
    ],
)
def test_disburse_bad_amounts(client, staff, granted, amount, message):
    client.force_login(staff)
    url = reverse("avances:disbursement_create", args=[granted.pk])
    response = client.post(
        url, {"versement-disbursed_on": "2007-04-16", "versement-amount": amount}
    )
    assert response.status_code == 200
    assert message in html(response)
    assert not Disbursement.objects.exists()


def test_disburse_without_contract_is_refused(client, staff, basin):
    advance = advance_in(basin, "Sans Contrat SA")
    client.force_login(staff)
    url = reverse("avances:disbursement_create", args=[advance.pk])
    response = client.post(url, {"versement-disbursed_on": "2007-04-16"})
    assert response.status_code == 200
    assert "Le contrat de l&#x27;avance n&#x27;est pas signé" in html(response)


def test_tranche_then_close_disbursements(client, staff, granted):
    client.force_login(staff)
    url = reverse("avances:disbursement_create", args=[granted.pk])
    client.post(url, {"versement-disbursed_on": "2007-04-16", "versement-amount": "6 000"})
    close = reverse("avances:disbursements_close", args=[granted.pk])
    response = client.post(close, {"cloture-disbursements_closed_on": "2007-03-01"})
    assert response.status_code == 200
    assert "La clôture suit la décision et le dernier versement." in html(response)
    response = client.post(close, {"cloture-disbursements_closed_on": "2007-05-02"})
    assert response.status_code == 302
    granted.refresh_from_db()
    assert granted.disbursements_closed_on == datetime.date(2007, 5, 2)


# --- Payments ----------------------------------------------------------------------------------


def payment_post(amount="333,33", paid_on="2007-11-16", means="virement"):
    return {"paiement-paid_on": paid_on, "paiement-amount": amount, "paiement-means": means}


def test_record_payment_redirects_and_allocates(client, staff, disbursed):
    client.force_login(staff)
    url = reverse("avances:payment_create", args=[disbursed.pk])
    response = client.post(url, payment_post(amount="500"))
    assert response.status_code == 302
    payment = Payment.objects.get(advance=disbursed)
    assert payment.amount == Decimal("500.00")
    assert payment.allocations.count() == 2
    page = html(client.get(detail(disbursed)))
    assert "Le remboursement est enregistré" in page


def test_record_payment_with_htmx_returns_the_updated_panel(client, staff, disbursed):
    client.force_login(staff)
    url = reverse("avances:payment_create", args=[disbursed.pk])
    first = disbursed.schedules.get().instalments.order_by("number").first()
    response = client.post(
        url, payment_post(amount=str(first.amount).replace(".", ",")), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = html(response)
    assert body.lstrip().startswith('<section id="remboursement"') or 'id="remboursement"' in body
    assert "<html" not in body
    assert "Le remboursement est enregistré" in body
    assert response.context["active_schedule"].instalments.all()[0].status_label == "Payée"
    assert response.context["advance"].outstanding == Decimal("10000.00") - first.amount


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (payment_post(amount="abc"), "Saisissez un montant en euros"),
        (payment_post(amount="-5"), "Un montant ne peut pas être négatif."),
        (payment_post(amount="15000,001"), "au plus deux décimales"),
        (payment_post(amount="0"), "Le montant doit être strictement positif."),
        (payment_post(amount="10 000,01"), "dépasse le capital restant dû"),
        (payment_post(paid_on="2007-04-01"), "précède le premier versement"),
        (payment_post(paid_on="2099-01-01"), "Un paiement ne peut pas être daté dans le futur."),
        (payment_post(paid_on="31/02/2008"), "Saisissez une date valide"),
        (payment_post(means="bitcoin"), "Sélectionnez un choix valide"),
    ],
)
def test_record_payment_refused(client, staff, disbursed, data, message):
    client.force_login(staff)
    url = reverse("avances:payment_create", args=[disbursed.pk])
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.post(url, data, **headers)
        assert response.status_code == 200
        assert message in html(response)
    assert not Payment.objects.exists()


def test_payment_on_an_advance_not_disbursed_is_refused(client, staff, granted):
    client.force_login(staff)
    response = client.post(reverse("avances:payment_create", args=[granted.pk]), payment_post())
    assert response.status_code == 200
    assert "pas encore été versée" in html(response)


def test_reverse_payment(client, staff, basin):
    advance = advance_in(basin, "Erreur SA", disbursed=True, paid_instalments=1)
    payment = Payment.objects.get(advance=advance)
    client.force_login(staff)
    url = reverse("avances:payment_reverse", args=[payment.pk])
    response = client.post(url, {"contrepassation-reason": ""})
    assert response.status_code == 200
    assert "Indiquez pourquoi ce paiement est annulé." in html(response)
    response = client.post(url, {"contrepassation-reason": "Saisi sur la mauvaise avance."})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.reversed_at is not None
    response = client.get(detail(advance))
    assert response.context["advance"].repaid == 0
    assert response.context["active_schedule"].instalments.all()[0].status_label == "En retard"
    assert "Saisi sur la mauvaise avance." in html(response)
    # Twice: the service's refusal, on the page.
    response = client.post(url, {"contrepassation-reason": "Encore"})
    assert response.status_code == 200
    assert "déjà été annulé" in html(response)


# --- Rescheduling ---------------------------------------------------------------------------------


def reschedule_post(**overrides):
    data = {
        "reechelonnement-from_date": "2008-01-07",
        "reechelonnement-duration_months": "24",
        "reechelonnement-grace_months": "0",
        "reechelonnement-frequency": "mensuelle",
        "reechelonnement-reason": "Trésorerie tendue après la perte d'un client.",
    }
    data.update({f"reechelonnement-{k}": v for k, v in overrides.items()})
    return data


def test_manager_reschedules(client, manager, disbursed):
    client.force_login(manager)
    response = client.post(reverse("avances:reschedule", args=[disbursed.pk]), reschedule_post())
    assert response.status_code == 302
    active = Schedule.objects.get(advance=disbursed, is_active=True)
    assert active.kind == ScheduleKind.RESCHEDULING
    assert active.instalments.count() == 24


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"duration_months": "abc"}, "Saisissez un nombre entier de mois."),
        ({"grace_months": "13"}, "inférieure ou égale à 12"),
        ({"frequency": "trimestrielle", "duration_months": "25"}, "trimestre"),
        ({"from_date": "2007-01-01"}, "au plus tôt"),
        ({"reason": ""}, "Indiquez le motif du rééchelonnement."),
    ],
)
def test_reschedule_refused(client, manager, disbursed, overrides, message):
    client.force_login(manager)
    response = client.post(
        reverse("avances:reschedule", args=[disbursed.pk]), reschedule_post(**overrides)
    )
    assert response.status_code == 200
    assert message in html(response)
    assert Schedule.objects.filter(advance=disbursed).count() == 1


def test_staff_may_not_reschedule(client, staff, disbursed):
    client.force_login(staff)
    response = client.post(reverse("avances:reschedule", args=[disbursed.pk]), reschedule_post())
    assert response.status_code == 200
    assert "Seul(e) un(e) responsable de l&#x27;opérateur peut rééchelonner" in html(response)
    assert Schedule.objects.filter(advance=disbursed).count() == 1


# --- Dunning, proceedings ----------------------------------------------------------------------


def test_dunning_reminder_then_formal_notice(client, staff, disbursed):
    client.force_login(staff)
    url = reverse("avances:dunning_create", args=[disbursed.pk])
    response = client.post(
        url, {"relance-kind": "mise_en_demeure", "relance-sent_on": "2008-02-04"}
    )
    assert response.status_code == 200
    assert "envoyez d&#x27;abord une relance" in html(response)
    response = client.post(url, {"relance-kind": "relance", "relance-sent_on": "2007-05-02"})
    assert response.status_code == 200
    assert "aucune échéance impayée" in html(response)
    response = client.post(url, {"relance-kind": "relance", "relance-sent_on": "2008-02-04"})
    assert response.status_code == 302
    response = client.post(
        url, {"relance-kind": "mise_en_demeure", "relance-sent_on": "2008-03-03"}
    )
    assert response.status_code == 302
    assert list(DunningStep.objects.values_list("kind", flat=True).order_by("sent_on")) == [
        "relance",
        "mise_en_demeure",
    ]
    page = html(client.get(detail(disbursed)))
    step = DunningStep.objects.order_by("sent_on").first()
    assert reverse("avances:dunning_letter_pdf", args=[step.pk]) in page
    assert "Mise en demeure" in page


def test_proceeding_claim_declaration_and_closing(client, staff, disbursed):
    client.force_login(staff)
    url = reverse("avances:proceeding_create", args=[disbursed.pk])
    bad = {
        "procedure-kind": "redressement",
        "procedure-judgment_date": "2008-09-15",
        "procedure-publication_date": "2008-09-01",
    }
    response = client.post(url, bad)
    assert response.status_code == 200
    assert "La publication suit le jugement d&#x27;ouverture." in html(response)
    good = {
        **bad,
        "procedure-judgment_date": "2008-09-01",
        "procedure-publication_date": "2008-09-15",
    }
    assert client.post(url, good).status_code == 302
    proceeding = disbursed.proceedings.get()
    page = html(client.get(detail(disbursed)))
    assert "15 novembre 2008" in page  # the claim-declaration deadline
    declare = reverse("avances:claim_declare", args=[proceeding.pk])
    response = client.post(declare, {"declaration-claim_declared_on": "2008-09-10"})
    assert response.status_code == 200
    assert "La déclaration suit la publication du jugement." in html(response)
    assert client.post(declare, {"declaration-claim_declared_on": "2008-10-01"}).status_code == 302
    proceeding.refresh_from_db()
    assert proceeding.claim_amount == Decimal("10000.00")
    close = reverse("avances:proceeding_close", args=[proceeding.pk])
    assert client.post(close, {"fin-procedure-closed_on": "2009-06-01"}).status_code == 302
    response = client.post(close, {"fin-procedure-closed_on": "2009-06-02"})
    assert response.status_code == 404 or "déjà close" in html(response)


# --- Write-off: four eyes ------------------------------------------------------------------------


def test_write_off_four_eyes_through_the_views(client, basin, disbursed):
    requester = make_user(Role.MANAGER, basin)
    other_manager = make_user(Role.MANAGER, basin)
    staff = make_user(Role.STAFF, basin)
    client.force_login(requester)
    url = reverse("avances:write_off_request", args=[disbursed.pk])
    response = client.post(url, {"perte-reason": "  "})
    assert response.status_code == 200
    assert "Indiquez le motif du passage en perte." in html(response)
    assert client.post(url, {"perte-reason": "Liquidation judiciaire."}).status_code == 302
    write_off = WriteOff.objects.get(advance=disbursed)
    decide = reverse("avances:write_off_decide", args=[write_off.pk])
    approve = {"decision-decision": "approuver", "decision-decision_comment": ""}
    # The requester may not decide; nor may staff.
    response = client.post(decide, approve)
    assert response.status_code == 200
    assert "un(e) autre responsable doit le décider" in html(response)
    client.force_login(staff)
    response = client.post(decide, approve)
    assert response.status_code == 200
    assert "Seul(e) un(e) responsable" in html(response)
    write_off.refresh_from_db()
    assert write_off.status == WriteOffStatus.REQUESTED
    # Another manager: a refusal needs a reason, an approval goes through.
    client.force_login(other_manager)
    response = client.post(
        decide, {"decision-decision": "refuser", "decision-decision_comment": ""}
    )
    assert response.status_code == 200
    assert "Indiquez pourquoi vous refusez." in html(response)
    response = client.post(decide, {"decision-decision": ""})
    assert "Choisissez d&#x27;approuver ou de refuser." in html(response)
    assert client.post(decide, approve).status_code == 302
    write_off.refresh_from_db()
    disbursed.refresh_from_db()
    assert write_off.status == WriteOffStatus.APPROVED
    assert write_off.decided_by == other_manager
    assert disbursed.written_off_on == timezone.localdate()
    page = html(client.get(detail(disbursed)))
    assert "Passée en perte le" in page
    assert "Enregistrer le paiement" not in page


def test_write_off_rejected(client, basin, disbursed):
    staff = make_user(Role.STAFF, basin)
    write_off = request_write_off(advance=disbursed, reason="Difficultés", by=staff)
    client.force_login(make_user(Role.MANAGER, basin))
    response = client.post(
        reverse("avances:write_off_decide", args=[write_off.pk]),
        {"decision-decision": "refuser", "decision-decision_comment": "L'entreprise paie encore."},
    )
    assert response.status_code == 302
    write_off.refresh_from_db()
    assert write_off.status == WriteOffStatus.REJECTED


def test_actions_answer_post_only(client, staff, disbursed):
    client.force_login(staff)
    assert client.get(reverse("avances:payment_create", args=[disbursed.pk])).status_code == 405


def test_reverse_disbursement(client, staff, granted):
    client.force_login(staff)
    disburse = reverse("avances:disbursement_create", args=[granted.pk])
    client.post(disburse, {"versement-disbursed_on": "2007-04-16", "versement-amount": "5 000"})
    disbursement = Disbursement.objects.get(advance=granted)
    url = reverse("avances:disbursement_reverse", args=[disbursement.pk])
    response = client.post(url, {"annulation-versement-reason": ""})
    assert response.status_code == 200
    assert "Indiquez pourquoi ce versement est annulé." in html(response)
    response = client.post(url, {"annulation-versement-reason": "Montant saisi par erreur."})
    assert response.status_code == 302
    disbursement.refresh_from_db()
    assert disbursement.reversed_at is not None
    response = client.get(detail(granted))
    assert response.context["active_schedule"] is None
    assert response.context["advance"].disbursed == 0
    assert "Montant saisi par erreur." in html(response)


def test_reverse_disbursement_with_payments_is_refused(client, staff, basin):
    advance = advance_in(basin, "Payeuse SA", disbursed=True, paid_instalments=1)
    client.force_login(staff)
    url = reverse("avances:disbursement_reverse", args=[advance.disbursements.get().pk])
    response = client.post(url, {"annulation-versement-reason": "Erreur"})
    assert response.status_code == 200
    assert "Rien n'a été enregistré" in html(response)
    assert advance.disbursements.get().reversed_at is None
