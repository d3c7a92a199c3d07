"""Funders' reports and the programme report: their PDFs, their archive, their screens."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from alize.models import Contribution, Funder, Role
from pilotage import services
from pilotage.models import (
    Frequency,
    Report,
    ReportStatus,
    ReportSubscription,
    last_complete_period,
    period_label,
)
from pilotage.reports import build_funder_report_pdf, build_programme_report_pdf
from tests.alize.factories import (
    BasinFactory,
    CommuneFactory,
    ContributionFactory,
    EpciFactory,
    FunderFactory,
    PeriodFactory,
)
from tests.conftest import make_user
from tests.pme.factories import DossierFactory, HireFactory, PmeFactory

pytestmark = pytest.mark.django_db

D = datetime.date
Q1_START, Q1_END = D(2007, 1, 1), D(2007, 3, 31)


def text_of(pdf: bytes) -> str:
    """The text of every page on one line: French spaces and line breaks as plain spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[\s\u202f\u00a0]+", " ", text)


def make_programme(*, smes: int = 2, label: str = "Valenciennois") -> dict:
    """A basin with a programme period, an intercommunality funder subscribed to quarterly
    reports, a State funder, and `smes` approved SMEs on the intercommunality's territory."""
    basin = BasinFactory(name=f"Bassin {label}", operator_name="CCI du Valenciennois")
    period = PeriodFactory(
        basin=basin, name="Première période", start_date=D(2005, 7, 1), end_date=D(2008, 6, 30)
    )
    epci = EpciFactory(basin=basin, name=f"Porte du Hainaut {label}")
    commune = CommuneFactory(epci=epci)
    funder = FunderFactory(
        basin=basin, name=f"CA {label}", kind=Funder.Kind.LOCAL_AUTHORITY, epci=epci
    )
    state = FunderFactory(basin=basin, name=f"Diact {label}", kind=Funder.Kind.STATE)
    ContributionFactory(funder=funder, period=period, committed=Decimal("39000"))
    ContributionFactory(funder=state, period=period, committed=Decimal("117000"))
    for _ in range(smes):
        dossier = DossierFactory(
            pme=PmeFactory(basin=basin, commune=commune), approved=True, jobs_planned=13
        )
        HireFactory(dossier=dossier)
    subscription = ReportSubscription.objects.create(
        funder=funder,
        frequency=Frequency.QUARTERLY,
        recipients=["financeur@agglo.test", "dga@agglo.test"],
    )
    return {
        "basin": basin,
        "period": period,
        "epci": epci,
        "funder": funder,
        "state": state,
        "subscription": subscription,
    }


def funder_report(programme, start=Q1_START, end=Q1_END) -> Report:
    return Report.objects.create(
        funder=programme["funder"], basin=programme["basin"], period_start=start, period_end=end
    )


# --- Reporting periods -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "today", "expected"),
    [
        (Frequency.MONTHLY, D(2008, 3, 14), (D(2008, 2, 1), D(2008, 2, 29))),
        (Frequency.MONTHLY, D(2008, 1, 1), (D(2007, 12, 1), D(2007, 12, 31))),
        (Frequency.QUARTERLY, D(2008, 5, 2), (D(2008, 1, 1), D(2008, 3, 31))),
        (Frequency.QUARTERLY, D(2008, 1, 15), (D(2007, 10, 1), D(2007, 12, 31))),
        (Frequency.YEARLY, D(2008, 6, 30), (D(2007, 1, 1), D(2007, 12, 31))),
    ],
)
def test_the_last_complete_period_ends_before_today(frequency, today, expected):
    assert last_complete_period(frequency, today) == expected


def test_periods_read_as_french():
    assert period_label(D(2008, 3, 1), D(2008, 3, 31)) == "mars 2008"
    assert period_label(D(2008, 1, 1), D(2008, 3, 31)) == "1er trimestre 2008"
    assert period_label(D(2008, 10, 1), D(2008, 12, 31)) == "4e trimestre 2008"
    assert period_label(D(2007, 1, 1), D(2007, 12, 31)) == "année 2007"
    assert period_label(D(2005, 7, 1), D(2008, 6, 30)) == "du 01/07/2005 au 30/06/2008"


# --- The archive's rules -------------------------------------------------------------------


def test_one_report_per_funder_and_period():
    programme = make_programme(smes=0)
    funder_report(programme)
    with pytest.raises(IntegrityError), transaction.atomic():
        funder_report(programme)


def test_one_programme_report_per_basin_and_period():
    programme = make_programme(smes=0)
    basin, period = programme["basin"], programme["period"]
    fields = {"basin": basin, "period_start": period.start_date, "period_end": period.end_date}
    Report.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(**fields)


def test_subscription_refuses_bad_addresses():
    programme = make_programme(smes=0)
    subscription = programme["subscription"]
    subscription.recipients = ["financeur@agglo.test", "pas-une-adresse"]
    with pytest.raises(ValidationError) as error:
        subscription.full_clean()
    assert "pas-une-adresse" in str(error.value)
    subscription.recipients = []
    with pytest.raises(ValidationError, match="au moins un destinataire"):
        subscription.full_clean()


# --- The funder's PDF ------------------------------------------------------------------------


def test_funder_report_shows_its_period_figures_territory_and_contribution():
    programme = make_programme(smes=2)
    pdf = build_funder_report_pdf(funder_report(programme))

    assert pdf.startswith(b"%PDF")
    text = text_of(pdf)
    assert "Rapport à CA Valenciennois" in text
    assert "1er trimestre 2007" in text
    assert "Bassin Valenciennois" in text
    assert "PME accompagnées" in text
    assert "Les PME de votre territoire (Porte du Hainaut Valenciennois)" in text
    # Its contribution against the whole budget: 39 000 of 156 000 €, 25 %.
    assert "39 000 €" in text
    assert "156 000 €" in text
    assert "25,0 %" in text
    assert "Aucune donnée" not in text


def test_a_corporation_funder_report_shows_its_own_missions():
    from tests.grandes_entreprises.factories import CorporationFactory

    programme = make_programme(smes=1)
    funder = FunderFactory(
        basin=programme["basin"], name="Toyota Onnaing", kind=Funder.Kind.CORPORATION
    )
    CorporationFactory(basin=programme["basin"], funder=funder, toyota=True)
    report = Report.objects.create(
        funder=funder, basin=programme["basin"], period_start=Q1_START, period_end=Q1_END
    )
    text = text_of(build_funder_report_pdf(report))
    assert "Les missions d'appui de votre entreprise" in text
    assert "Jours d'expertise donnés" in text
    assert "0 €" in text  # it committed nothing to this period


def test_funder_report_compares_with_the_previous_programme_period():
    programme = make_programme(smes=2)
    PeriodFactory(
        basin=programme["basin"],
        name="Période pilote",
        start_date=D(2002, 7, 1),
        end_date=D(2005, 6, 30),
    )
    text = text_of(build_funder_report_pdf(funder_report(programme)))
    assert "Période précédente" in text
    assert "Période pilote" in text


def test_funder_report_without_data_says_so():
    programme = make_programme(smes=0)
    programme["period"].contributions.all().delete()
    text = text_of(build_funder_report_pdf(funder_report(programme)))
    assert "Aucune donnée pour cette période." in text


def test_funder_report_before_any_programme_period_says_so():
    programme = make_programme(smes=0)
    text = text_of(build_funder_report_pdf(funder_report(programme, D(2001, 1, 1), D(2001, 3, 31))))
    assert "Aucune donnée pour cette période." in text


def test_a_built_report_keeps_its_figures_and_says_the_same_years_later(settings, tmp_path):
    """The report of the first quarter of 2007, built, then the records change: a new
    dossier approved that quarter is recorded late, the State raises its commitment. The
    report keeps the figures it was built from; building its PDF again says them again."""
    settings.MEDIA_ROOT = tmp_path / "media"
    programme = make_programme(smes=2)
    report = services.build_report(report_id=funder_report(programme).pk)
    report.refresh_from_db()
    snapshot = report.figures
    assert snapshot["programme"]["as_of"] == "2007-03-31"
    assert snapshot["programme"]["values"]["smes_supported"] == 2
    assert snapshot["programme"]["values"]["budget_committed"] == "156000.00"
    assert snapshot["money"]["own_committed"] == "39000.00"
    first = text_of(report.pdf.open("rb").read())
    assert "156 000 €" in first

    DossierFactory(pme=PmeFactory(basin=programme["basin"]), approved=True, jobs_planned=40)
    Contribution.objects.filter(funder=programme["state"]).update(committed=Decimal("500000"))

    # The PDF is lost and built again (or re-downloaded): the same numbers.
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.PENDING, pdf="")
    again = services.build_report(report_id=report.pk)
    again.refresh_from_db()
    assert again.figures == snapshot
    second = text_of(again.pdf.open("rb").read())
    assert "156 000 €" in second and "539 000 €" not in second
    assert "25,0 %" in second
    # Measured afresh, the records now say otherwise.
    fresh = text_of(build_funder_report_pdf(funder_report(programme, Q1_START, D(2007, 3, 30))))
    assert "539 000 €" in fresh


def test_a_programme_report_keeps_the_figures_it_was_built_from(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    programme = make_programme(smes=2)
    period = programme["period"]
    report = Report.objects.create(
        basin=programme["basin"],
        programme_period=period,
        period_start=period.start_date,
        period_end=period.end_date,
    )
    services.build_report(report_id=report.pk)
    report.refresh_from_db()
    snapshot = report.figures
    assert snapshot["programme"]["as_of"] == "2008-06-30"
    assert ["Diact Valenciennois", "117000.00", "0.00"] in snapshot["contributions"]

    Contribution.objects.filter(funder=programme["state"]).update(committed=Decimal("500000"))
    DossierFactory(pme=PmeFactory(basin=programme["basin"]), approved=True, jobs_planned=40)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.PENDING, pdf="")
    again = services.build_report(report_id=report.pk)
    again.refresh_from_db()
    assert again.figures == snapshot
    text = text_of(again.pdf.open("rb").read())
    assert "117 000 €" in text and "500 000 €" not in text
    assert "situation au 30 juin 2008" in text


def queries_to_build(smes: int, label: str) -> int:
    programme = make_programme(smes=smes, label=label)
    report = funder_report(programme)
    with CaptureQueriesContext(connection) as queries:
        build_funder_report_pdf(report)
    return len(queries)


def test_building_a_funder_report_takes_the_same_queries_for_2_or_20_smes():
    assert queries_to_build(2, "Deux") == queries_to_build(20, "Vingt")


# --- The steering committee's programme report -----------------------------------------------


def test_programme_report_covers_the_basin_and_its_funders():
    programme = make_programme(smes=2)
    pdf = build_programme_report_pdf(programme["basin"], programme["period"], today=D(2008, 6, 30))
    text = text_of(pdf)
    assert "Rapport de programme – Bassin Valenciennois" in text
    assert "Première période" in text
    assert "Diact Valenciennois" in text
    assert "156 000 €" in text
    assert "PME accompagnées par" in text  # a breakdown drawn as a chart


def test_programme_report_without_data_says_so():
    basin = BasinFactory()
    period = PeriodFactory(basin=basin)
    text = text_of(build_programme_report_pdf(basin, period))
    assert "Aucune donnée pour cette période." in text


def queries_for_programme(smes: int, label: str) -> int:
    programme = make_programme(smes=smes, label=label)
    with CaptureQueriesContext(connection) as queries:
        build_programme_report_pdf(programme["basin"], programme["period"])
    return len(queries)


def test_building_a_programme_report_takes_the_same_queries_for_2_or_20_smes():
    assert queries_for_programme(2, "Deux") == queries_for_programme(20, "Vingt")


# --- Screens ---------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def built_report(programme, start=Q1_START, end=Q1_END) -> Report:
    report = funder_report(programme, start, end)
    report.pdf.save("rapport.pdf", ContentFile(b"%PDF-1.4 rapport"), save=False)
    report.status, report.built_at = ReportStatus.BUILT, timezone.now()
    report.save()
    return report


def funder_user(funder):
    user = make_user(Role.FUNDER, funder.basin)
    user.funder = funder
    user.save()
    return user


def test_a_funder_reads_and_downloads_only_its_own_reports(client, media):
    programme = make_programme(smes=0)
    own = built_report(programme)
    other_funder = programme["state"]
    other = Report.objects.create(
        funder=other_funder,
        basin=programme["basin"],
        period_start=D(2007, 1, 1),
        period_end=D(2007, 3, 31),
    )
    client.force_login(funder_user(programme["funder"]))

    html = client.get(reverse("pilotage:report_list")).content.decode()
    assert "CA Valenciennois" in html
    assert "Diact Valenciennois" not in html
    assert "Générer maintenant" not in html
    response = client.get(reverse("pilotage:report_download", args=[own.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF-1.4 rapport"
    assert client.get(reverse("pilotage:report_download", args=[other.pk])).status_code == 404
    assert client.get(reverse("pilotage:report_status", args=[other.pk])).status_code == 404


def test_the_steering_committee_reads_its_basins_programme_reports_only(client, media):
    programme = make_programme(smes=0)
    funders = built_report(programme)
    period = programme["period"]
    steering_report = Report.objects.create(
        basin=programme["basin"],
        programme_period=period,
        period_start=period.start_date,
        period_end=period.end_date,
    )
    steering_report.pdf.save("programme.pdf", ContentFile(b"%PDF-1.4 programme"))
    client.force_login(make_user(Role.STEERING, programme["basin"]))

    html = client.get(reverse("pilotage:report_list")).content.decode()
    assert "Rapport de programme – Première période" in html
    assert "CA Valenciennois" not in html
    download = reverse("pilotage:report_download", args=[steering_report.pk])
    assert client.get(download).status_code == 200
    assert client.get(reverse("pilotage:report_download", args=[funders.pk])).status_code == 404
    client.force_login(make_user(Role.STEERING, BasinFactory()))
    assert client.get(download).status_code == 404


def test_staff_see_why_a_report_failed_and_funders_do_not(client, media):
    programme = make_programme(smes=0)
    report = built_report(programme)
    report.status, report.last_error = ReportStatus.FAILED, "Aucun destinataire : renseignez…"
    report.save()
    client.force_login(make_user(Role.STAFF, programme["basin"]))
    assert "Aucun destinataire" in client.get(reverse("pilotage:report_list")).content.decode()
    client.force_login(funder_user(programme["funder"]))
    html = client.get(reverse("pilotage:report_list")).content.decode()
    assert "Aucun destinataire" not in html
    assert "L'envoi n'a pas abouti" in html


def test_the_status_partial_polls_until_the_report_is_finished(client, media):
    programme = make_programme(smes=0)
    report = built_report(programme)
    client.force_login(make_user(Role.STAFF, programme["basin"]))
    url = reverse("pilotage:report_status", args=[report.pk])

    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert f'hx-get="{url}"' in html
    assert 'hx-trigger="every 2s"' in html
    assert "Construit" in html

    report.status, report.sent_at = ReportStatus.SENT, timezone.now()
    report.save()
    html = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-get" not in html
    assert "Envoyé" in html
    assert "Télécharger le PDF" in html


def test_generate_now_builds_and_sends_then_the_archive_shows_it_sent(
    client, media, mailoutbox, django_capture_on_commit_callbacks
):
    programme = make_programme(smes=2)
    client.force_login(make_user(Role.STAFF, programme["basin"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pilotage:report_generate", args=[programme["funder"].pk]))
    assert response.status_code == 302
    report = Report.objects.get()
    assert response.url == f"{reverse('pilotage:report_list')}#rapport-{report.pk}"
    assert report.status == ReportStatus.SENT
    # One message per recipient, each with its own Message-ID.
    assert sorted(m.to[0] for m in mailoutbox) == ["dga@agglo.test", "financeur@agglo.test"]
    html = client.get(response.url).content.decode()
    assert "la construction et l&#x27;envoi sont lancés" in html
    assert "Envoyé" in html

    # Once sent, a second click changes nothing and says why.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("pilotage:report_generate", args=[programme["funder"].pk]), follow=True
        )
    assert "déjà été envoyé" in response.content.decode()
    assert len(mailoutbox) == 2


def test_generate_now_is_a_post(client):
    programme = make_programme(smes=0)
    client.force_login(make_user(Role.STAFF, programme["basin"]))
    url = reverse("pilotage:report_generate", args=[programme["funder"].pk])
    assert client.get(url).status_code == 405
    assert not Report.objects.exists()


def test_the_subscription_form_saves_recipients_one_a_line(client):
    programme = make_programme(smes=0)
    funder = programme["state"]
    client.force_login(make_user(Role.STAFF, programme["basin"]))
    url = reverse("pilotage:subscription_update", args=[funder.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {"frequency": "mensuel", "recipients": "Diact@Etat.test\n cdc@cdc.test ; ", "active": "on"},
    )
    assert response.status_code == 302
    subscription = ReportSubscription.objects.get(funder=funder)
    assert subscription.frequency == Frequency.MONTHLY
    assert subscription.recipients == ["diact@etat.test", "cdc@cdc.test"]
    assert subscription.active


@pytest.mark.parametrize(
    ("recipients", "message"),
    [
        ("diact@etat.test\npas-une-adresse", "Adresse électronique invalide : pas-une-adresse."),
        ("", "Indiquez au moins un destinataire pour un envoi actif."),
        ("a@etat.test\nA@etat.test", "Une même adresse figure deux fois"),
        # Longer than the column (254): once "Item 1 in the array did not validate: …".
        ("x" * 250 + "@etat.test", "Une adresse électronique compte au plus 254 caractères"),
    ],
)
def test_the_subscription_form_refuses_bad_recipients_in_french(client, recipients, message):
    programme = make_programme(smes=0)
    client.force_login(make_user(Role.STAFF, programme["basin"]))
    url = reverse("pilotage:subscription_update", args=[programme["funder"].pk])
    response = client.post(url, {"frequency": "mensuel", "recipients": recipients, "active": "on"})
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert message in html
    assert "did not validate" not in html
    assert html.count(message) == 1
    assert ReportSubscription.objects.get().frequency == Frequency.QUARTERLY


def test_the_subscription_form_of_another_basin_is_a_404(client):
    programme = make_programme(smes=0)
    client.force_login(make_user(Role.STAFF, BasinFactory()))
    url = reverse("pilotage:subscription_update", args=[programme["funder"].pk])
    assert client.get(url).status_code == 404


def archive_queries(client, reports: int, label: str) -> int:
    programme = make_programme(smes=0, label=label)
    for month in range(1, reports + 1):
        start = D(2006 + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        funder_report(programme, start, end)
    client.force_login(make_user(Role.STAFF, programme["basin"]))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("pilotage:report_list"))
    assert response.status_code == 200
    assert response.content.decode().count('id="rapport-') == reports
    return len(queries)


def test_the_archive_takes_the_same_queries_for_2_or_20_reports(client):
    assert archive_queries(client, 2, "Deux") == archive_queries(client, 20, "Vingt")


def test_the_navbar_offers_the_reports_to_their_readers(client):
    programme = make_programme(smes=0)
    link = f'href="{reverse("pilotage:report_list")}"'
    for role, shown in ((Role.STEERING, True), (Role.COMMITTEE_MEMBER, False)):
        client.force_login(make_user(role, programme["basin"]))
        assert (link in client.get(reverse("home")).content.decode()) is shown
    client.force_login(funder_user(programme["funder"]))
    assert link in client.get(reverse("home")).content.decode()
