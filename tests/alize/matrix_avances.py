"""The role × URL matrix: the pages of the repayable advances, their schedules and the fund.

Who: the operators (staff, managers) of the advance's basin, and the administrator, who
reads but records nothing (a 404 on every action). Everyone else gets a 404: the steering
committee's figures on advances come through the dashboards, not these pages, which name
each SME's debts. A list is open to the operators of any basin (they see their own rows).
"""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from alize.models import Role
from avances.models import Instalment
from avances.services import (
    open_proceeding,
    record_de_minimis_declaration,
    record_dunning_step,
    record_payment,
    request_write_off,
)
from tests.alize.matrix import NOT_FOUND, OK, PDF, REDIRECT, Page, expect
from tests.avances.factories import AdvanceFactory
from tests.conftest import make_user
from tests.pme.factories import DossierFactory, PmeFactory

# Lists: operators of any basin (their own rows) and the administrator (every row).
LIST = expect()
# One advance (or its basin's fund): the operators of its basin and the administrator.
OWN = expect(other_staff=NOT_FOUND, other_manager=NOT_FOUND)
# An action that succeeds for the operators of the basin; the administrator only reads.
ACT = {**OWN, "admin": NOT_FOUND, "staff": REDIRECT, "manager": REDIRECT}
# A manager's decision: staff see the page again with the service's refusal (200).
MANAGER_ACT = {**ACT, "staff": OK}
# An action the world makes the service refuse (a write-off already requested): 200.
REFUSED_ACT = {**ACT, "staff": OK, "manager": OK}
# The bank-statement import: the operators of any basin, never the administrator.
IMPORT = expect(admin=NOT_FOUND)
IMPORT_ACT = {
    **IMPORT,
    "staff": REDIRECT,
    "manager": REDIRECT,
    "other_staff": REDIRECT,
    "other_manager": REDIRECT,
}

PAGES: dict[str, Page] = {
    "avances:advance_list": Page(LIST, marker="advance_pme"),
    "avances:late_queue": Page(LIST, marker="advance_pme"),
    "avances:fund_detail": Page(OWN, {"pk": "basin"}),
    "avances:basin_terms": Page(OWN, {"pk": "basin"}),
    "avances:fund_entry": Page({**OWN, "admin": NOT_FOUND}, {"pk": "basin"}),
    "avances:advance_detail": Page(OWN, {"pk": "advance"}),
    "avances:schedule_pdf": Page(OWN, {"pk": "advance"}),
    "avances:deminimis_pdf": Page(OWN, {"pk": "advance"}),
    "avances:dunning_letter_pdf": Page(OWN, {"pk": "dunning_step"}),
    "avances:contract_sign": Page(
        ACT, {"pk": "granted_advance"}, post={"contrat-contract_signed_on": "2007-04-03"}
    ),
    "avances:disbursement_create": Page(
        ACT,
        {"pk": "granted_advance"},
        post={"versement-disbursed_on": "2007-04-20", "versement-amount": "4 000"},
    ),
    "avances:disbursements_close": Page(
        ACT, {"pk": "granted_advance"}, post={"cloture-disbursements_closed_on": "2007-05-02"}
    ),
    # The tranche has payments allocated on its schedule: the service refuses (200).
    "avances:disbursement_reverse": Page(
        REFUSED_ACT, {"pk": "disbursement"}, post={"annulation-versement-reason": "Erreur."}
    ),
    "avances:payment_create": Page(
        ACT,
        {"pk": "advance"},
        post={
            "paiement-paid_on": "2008-03-03",
            "paiement-amount": "100,00",
            "paiement-means": "virement",
        },
    ),
    "avances:payment_reverse": Page(
        ACT, {"pk": "payment"}, post={"contrepassation-reason": "Saisie en double."}
    ),
    "avances:reschedule": Page(
        MANAGER_ACT,
        {"pk": "advance"},
        post={
            "reechelonnement-from_date": "2010-01-04",
            "reechelonnement-duration_months": "24",
            "reechelonnement-grace_months": "0",
            "reechelonnement-frequency": "mensuelle",
            "reechelonnement-reason": "Difficultés de trésorerie passagères.",
        },
    ),
    "avances:dunning_create": Page(
        ACT, {"pk": "advance"}, post={"relance-kind": "relance", "relance-sent_on": "2008-06-02"}
    ),
    "avances:proceeding_create": Page(
        ACT,
        {"pk": "advance"},
        post={
            "procedure-kind": "liquidation",
            "procedure-judgment_date": "2009-03-02",
            "procedure-publication_date": "2009-03-16",
        },
    ),
    "avances:claim_declare": Page(
        ACT, {"pk": "proceeding"}, post={"declaration-claim_declared_on": "2008-10-01"}
    ),
    "avances:proceeding_close": Page(
        ACT, {"pk": "proceeding"}, post={"fin-procedure-closed_on": "2009-06-01"}
    ),
    "avances:write_off_request": Page(
        REFUSED_ACT, {"pk": "advance"}, post={"perte-reason": "Entreprise liquidée."}
    ),
    "avances:write_off_decide": Page(
        MANAGER_ACT,
        {"pk": "write_off"},
        post={"decision-decision": "approuver", "decision-decision_comment": ""},
    ),
    # An SME's de minimis declarations and the scan of one signed.
    "avances:deminimis": Page(OWN, {"pme_pk": "pme"}),
    "avances:deminimis_signed": Page(OWN, {"pk": "deminimis_declaration"}),
    "avances:statement_import": Page(IMPORT),
    "avances:statement_confirm": Page(IMPORT_ACT, post={"digest": "perime"}),
}


def build(label: str, objects: dict) -> dict:
    """In the basin: an advance granted and signed but not disbursed, and one disbursed on
    16 April 2007 whose first instalment was paid, then followed (a reminder, a
    receivership whose claim is still to declare, a write-off requested by staff)."""
    basin = objects["basin"]
    pme = PmeFactory(basin=basin, commune=objects["commune"], name=f"Débiteur {label}")
    advance = AdvanceFactory(
        basin=basin, dossier=DossierFactory(pme=pme, approved=True), disbursed=True
    )
    granted = AdvanceFactory(
        basin=basin,
        dossier=DossierFactory(
            pme=PmeFactory(basin=basin, commune=objects["commune"], name=f"Bénéficiaire {label}"),
            approved=True,
        ),
        signed=True,
    )
    staff = make_user(Role.STAFF, basin)
    first = Instalment.objects.filter(schedule__advance=advance).order_by("number").first()
    payment = record_payment(advance=advance, paid_on=first.due_date, amount=first.amount, by=staff)
    step = record_dunning_step(
        advance=advance, kind="relance", sent_on=datetime.date(2008, 2, 4), by=staff
    )
    proceeding = open_proceeding(
        advance=advance,
        kind="redressement",
        judgment_date=datetime.date(2008, 9, 1),
        publication_date=datetime.date(2008, 9, 15),
        by=staff,
    )
    write_off = request_write_off(advance=advance, reason="Redressement judiciaire.", by=staff)
    declaration = record_de_minimis_declaration(
        pme=objects["pme"],
        declared_on=datetime.date(2007, 2, 20),
        signatory="Gérant",
        aids=[],
        signed_declaration=SimpleUploadedFile("declaration.pdf", PDF),
        by=staff,
    )
    assert advance.amount == Decimal("10000.00")
    return {
        "advance_pme": pme,
        "advance": advance,
        "granted_advance": granted,
        "payment": payment,
        "disbursement": advance.disbursements.get(),
        "dunning_step": step,
        "proceeding": proceeding,
        "write_off": write_off,
        "deminimis_declaration": declaration,
    }


def attach(world: dict) -> None:
    """Nothing to link: the operators' basin is enough."""
