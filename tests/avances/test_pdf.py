"""The advance's documents as PDF: the schedule, the dunning letters and the de minimis
attestation, read back with pypdf; their queries do not grow with the instalments."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from avances.models import DunningKind
from avances.pdf import (
    build_deminimis_attestation_pdf,
    build_dunning_letter_pdf,
    build_schedule_pdf,
    schedule_document,
)
from avances.selectors import attestation_data
from avances.services import (
    record_dunning_step,
    record_payment,
    reschedule_advance,
    reverse_payment,
)
from tests.avances.factories import (
    AdvanceFactory,
    DeMinimisAidFactory,
    DeMinimisDeclarationFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def pdf_text(pdf: bytes) -> str:
    """The PDF's text on one line, French spaces (narrow, no-break) made plain."""
    assert pdf.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\u00a0", " "))


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def queries_of(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


@pytest.fixture
def advance(basin):
    """10,000 € disbursed on 16 April 2007: 29 × 333.33 € then 333.43 €, from 16/11/2007."""
    return AdvanceFactory(basin=basin, disbursed=True)


# --- The schedule ---------------------------------------------------------------------------


def test_the_schedule_lists_every_instalment_and_adds_up_to_the_principal(advance, staff):
    record_payment(advance=advance, paid_on=D(2007, 11, 16), amount=Decimal("500"), by=staff)

    document = schedule_document(advance)
    assert len(document.instalments) == 30
    assert document.total == document.schedule.principal == Decimal("10000.00")
    assert (document.paid, document.remaining) == (Decimal("500.00"), Decimal("9500.00"))

    text = pdf_text(build_schedule_pdf(advance))

    pme = advance.dossier.pme
    assert f"Échéancier de remboursement de l'avance {advance.reference}" in text
    assert "CCI du Valenciennois" in text
    assert pme.name in text
    assert "Montant accordé 10 000,00 € Décision d'octroi 15/03/2007" in text
    assert "Durée 36 mois, différé compris Différé 6 mois" in text
    assert "Périodicité Mensuelle Point de départ 16/04/2007" in text
    assert "16/04/2007 10 000,00 €" in text  # the disbursement
    assert "Capital remboursé 500,00 €" in text
    assert "Capital restant dû 9 500,00 €" in text
    assert "1 16/11/2007 333,33 € 333,33 € 0,00 €" in text
    assert "2 16/12/2007 333,33 € 166,67 € 166,66 €" in text
    assert "3 16/01/2008 333,33 € 0,00 € 333,33 €" in text
    assert "30 16/04/2010 333,43 € 0,00 € 333,43 €" in text
    assert "Total (30 échéances) 10 000,00 € 500,00 € 9 500,00 €" in text
    assert "Échéanciers antérieurs" not in text


def test_a_rescheduled_advance_mentions_its_earlier_schedules(advance, staff, manager):
    record_payment(advance=advance, paid_on=D(2007, 11, 16), amount=Decimal("333.33"), by=staff)
    reschedule_advance(
        advance=advance,
        from_date=D(2008, 6, 1),
        duration_months=24,
        grace_months=0,
        reason="Perte d'un client important.",
        by=manager,
    )

    document = schedule_document(advance)
    assert document.schedule.version == 2
    assert document.total == document.schedule.principal == Decimal("9666.67")
    assert [s.paid for s in document.earlier_schedules] == [Decimal("333.33")]

    text = pdf_text(build_schedule_pdf(advance))

    assert "Version 2 (rééchelonnement) en vigueur" in text
    assert "Échéanciers antérieurs" in text
    assert "Cette avance a été rééchelonnée." in text
    assert "1 Échéancier initial 16/04/2007 10 000,00 € 333,33 €" in text
    assert (
        "2 Rééchelonnement (en vigueur) 01/06/2008 9 666,67 € 0,00 € Perte d'un client important."
        in text
    )
    # 24 instalments of 402.77 €, the last one 402.96 €: exactly the principal.
    assert "1 01/07/2008 402,77 € 0,00 € 402,77 €" in text
    assert "24 01/06/2010 402,96 € 0,00 € 402,96 €" in text
    assert "Total (24 échéances) 9 666,67 € 0,00 € 9 666,67 €" in text


def test_a_reversed_payment_does_not_count_on_the_schedule(advance, staff):
    payment = record_payment(
        advance=advance, paid_on=D(2007, 11, 16), amount=Decimal("500"), by=staff
    )
    reverse_payment(payment=payment, reason="Chèque rejeté.", by=staff)

    document = schedule_document(advance)

    assert document.paid == Decimal("0.00")
    text = pdf_text(build_schedule_pdf(advance))
    assert "Capital restant dû 10 000,00 €" in text
    assert "Total (30 échéances) 10 000,00 € 0,00 € 10 000,00 €" in text


def test_no_schedule_before_the_disbursement(basin):
    advance = AdvanceFactory(basin=basin, signed=True)

    with pytest.raises(ValidationError) as refusal:
        build_schedule_pdf(advance)

    assert refusal.value.messages == [
        f"L'avance {advance.reference} n'a pas encore été versée : elle n'a pas d'échéancier."
    ]


def test_the_schedules_queries_do_not_grow_with_the_instalments(basin):
    short = AdvanceFactory(basin=basin, duration_months=3, grace_months=1, disbursed=True)
    long = AdvanceFactory(basin=basin, duration_months=120, grace_months=0, disbursed=True)
    assert len(schedule_document(short).instalments) == 2
    assert len(schedule_document(long).instalments) == 120

    counts = [queries_of(lambda a=a: build_schedule_pdf(a)) for a in (short, long)]

    assert counts == [4, 4]


# --- Dunning letters --------------------------------------------------------------------------


def test_a_reminder_letter(advance, staff):
    record_payment(advance=advance, paid_on=D(2007, 11, 16), amount=Decimal("500"), by=staff)
    step = record_dunning_step(
        advance=advance, kind=DunningKind.REMINDER, sent_on=D(2008, 1, 20), by=staff
    )
    assert step.overdue_amount == Decimal("499.99")

    pdf = build_dunning_letter_pdf(step)
    text = pdf_text(pdf)

    pme = advance.dossier.pme
    assert page_count(pdf) == 1
    assert text.startswith("CCI du Valenciennois")
    assert f"Affaire suivie par {staff.get_full_name()}" in text
    assert pme.name in text
    assert f"{pme.address}, {pme.commune.postcode} {pme.commune.name}" in text
    assert "Le 20 janvier 2008" in text
    assert f"Relance – avance remboursable {advance.reference} de 10 000,00 €" in text
    assert "pour un montant total de 499,99 €" in text
    assert "échue depuis le 16/12/2007 (35 jours de retard)" in text
    # The instalments concerned, with what was paid on them when the letter was sent.
    assert "2 16/12/2007 333,33 € 166,67 € 166,66 €" in text
    assert "3 16/01/2008 333,33 € 0,00 € 333,33 €" in text
    assert "Montant échu impayé au 20/01/2008 499,99 €" in text
    assert "au plus tard le 4 février 2008, soit dans un délai de 15 jours" in text
    assert "ne pas tenir compte de la présente relance" in text
    assert "mise en demeure" not in text.lower()
    assert "recommandée" not in text


def test_a_formal_notice_says_what_it_is_and_what_follows(advance, staff):
    record_dunning_step(
        advance=advance, kind=DunningKind.REMINDER, sent_on=D(2007, 12, 20), by=staff
    )
    notice = record_dunning_step(
        advance=advance, kind=DunningKind.FORMAL_NOTICE, sent_on=D(2008, 1, 20), by=staff
    )
    # Paid after the letter: the letter is printed again as it was sent.
    record_payment(advance=advance, paid_on=D(2008, 1, 25), amount=Decimal("999.99"), by=staff)

    text = pdf_text(build_dunning_letter_pdf(notice))

    assert "Lettre recommandée avec demande d'avis de réception" in text
    assert f"MISE EN DEMEURE DE PAYER – avance remboursable {advance.reference}" in text
    assert "Malgré notre précédent courrier (relance du 20/12/2007)" in text
    assert "1 16/11/2007 333,33 € 0,00 € 333,33 €" in text
    assert "3 16/01/2008 333,33 € 0,00 € 333,33 €" in text
    assert "Montant échu impayé au 20/01/2008 999,99 €" in text
    assert "nous vous mettons en demeure de nous régler la somme de 999,99 €" in text
    assert "au plus tard le 28 janvier 2008, soit dans un délai de 8 jours" in text
    assert "vaut mise en demeure au sens de l'article 1344 du Code civil" in text
    assert "déchéance du terme" in text
    assert "contrat d'avance signé le 02/04/2007" in text
    assert "la totalité du capital restant dû, soit 10 000,00 € au 20/01/2008" in text
    assert "ne pas tenir compte" not in text


def test_the_letters_queries_do_not_grow_with_the_instalments_overdue(basin, staff):
    few = AdvanceFactory(basin=basin, late=True)
    many = AdvanceFactory(basin=basin, late=True)
    short = record_dunning_step(
        advance=few, kind=DunningKind.REMINDER, sent_on=D(2007, 12, 20), by=staff
    )
    long = record_dunning_step(
        advance=many, kind=DunningKind.REMINDER, sent_on=D(2009, 12, 20), by=staff
    )
    assert "2 16/12/2007" in pdf_text(build_dunning_letter_pdf(short))
    assert "26 16/12/2009 333,33 € 0,00 € 333,33 €" in pdf_text(build_dunning_letter_pdf(long))

    counts = [queries_of(lambda s=s: build_dunning_letter_pdf(s)) for s in (short, long)]

    assert counts[0] == counts[1]


# --- The de minimis attestation -------------------------------------------------------------


def test_the_de_minimis_attestation(basin):
    advance = AdvanceFactory(basin=basin)
    pme = advance.dossier.pme
    declaration = DeMinimisDeclarationFactory(pme=pme)
    DeMinimisAidFactory(
        declaration=declaration,
        grantor="Région Nord-Pas-de-Calais",
        granted_on=D(2006, 5, 10),
        amount=Decimal("20000.00"),
        description="Aide à l'investissement",
    )
    # Older than three years on the decision date (15/03/2007): not counted.
    DeMinimisAidFactory(declaration=declaration, granted_on=D(2004, 3, 15), amount=Decimal("9"))
    other = AdvanceFactory(
        basin=basin, dossier__pme=pme, dossier__closed=True, decision_date=D(2005, 9, 1)
    )

    position = attestation_data(advance)
    assert advance.gross_grant_equivalent == Decimal("849.26")
    assert other.gross_grant_equivalent == Decimal("849.26")
    assert position.total == Decimal("21698.52")
    assert position.headroom == Decimal("278301.48")

    pdf = build_deminimis_attestation_pdf(advance)
    text = pdf_text(pdf)

    assert page_count(pdf) == 1
    assert "Attestation d'aide de minimis" in text
    assert "Règlement (UE) 2023/2831 de la Commission du 13 décembre 2023" in text
    assert pme.name in text
    assert "Montant de l'avance 10 000,00 € Date d'octroi 15/03/2007" in text
    assert "36 mois, dont 6 mois de différé ; échéances mensuelles" in text
    assert "Taux de référence retenu 5,000 % par an" in text
    assert "Équivalent-subvention brut de l'aide 849,26 €" in text
    assert "Aides de minimis sur les 3 dernières années (du 16/03/2004 au 15/03/2007)" in text
    assert "Région Nord-Pas-de-Calais" in text
    assert "10/05/2006 20 000,00 €" in text
    assert "15/03/2004" not in text
    assert f"Avance remboursable Alizé {other.reference}" in text
    assert "01/09/2005 849,26 €" in text
    assert "Total des aides de minimis sur trois ans 21 698,52 €" in text
    assert "Plafond (article 3 du règlement (UE) 2023/2831) 300 000,00 €" in text
    assert "Marge disponible sous le plafond 278 301,48 €" in text


def test_the_attestations_queries_are_fixed(basin):
    advance = AdvanceFactory(basin=basin)
    declaration = DeMinimisDeclarationFactory(pme=advance.dossier.pme)
    lonely = queries_of(lambda: build_deminimis_attestation_pdf(advance))
    for day in (D(2005, 1, 10), D(2005, 6, 10), D(2006, 1, 10)):
        DeMinimisAidFactory(declaration=declaration, granted_on=day)

    assert queries_of(lambda: build_deminimis_attestation_pdf(advance)) == lonely
