from alize.urlkit import page, under
from avances.views import advance, deminimis, fund, lists, statement, terms

app_name = "avances"

# The pages of one advance: its contract, disbursements, payments, follow-up and PDFs.
advance_pages = under(
    "<int:pk>/",
    page("", advance.AdvanceDetailView, "advance_detail"),
    page("contrat/", advance.SignContractView, "contract_sign"),
    page("versements/nouveau/", advance.DisbursementCreateView, "disbursement_create"),
    page("versements/clore/", advance.CloseDisbursementsView, "disbursements_close"),
    page("paiements/nouveau/", advance.PaymentCreateView, "payment_create"),
    page("reechelonner/", advance.RescheduleView, "reschedule"),
    page("relances/nouvelle/", advance.DunningCreateView, "dunning_create"),
    page("procedures/nouvelle/", advance.ProceedingCreateView, "proceeding_create"),
    page("perte/demande/", advance.WriteOffRequestView, "write_off_request"),
    page("echeancier.pdf", advance.SchedulePdfView, "schedule_pdf"),
    page("attestation-de-minimis.pdf", advance.DeMinimisPdfView, "deminimis_pdf"),
)

urlpatterns = [
    page("", lists.AdvanceListView, "advance_list"),
    page("retards/", lists.LateQueueView, "late_queue"),
    page("fonds/<int:pk>/", fund.FundView, "fund_detail"),
    page("fonds/<int:pk>/entrees/nouvelle/", fund.FundEntryCreateView, "fund_entry"),
    page("bassins/<int:pk>/conditions/", terms.BasinTermsView, "basin_terms"),
    page("releve/", statement.StatementImportView, "statement_import"),
    page("releve/confirmer/", statement.StatementConfirmView, "statement_confirm"),
    page("entreprises/<int:pme_pk>/de-minimis/", deminimis.DeMinimisView, "deminimis"),
    page(
        "de-minimis/<int:pk>/declaration-signee/",
        deminimis.SignedDeclarationView,
        "deminimis_signed",
    ),
    advance_pages,
    # What follows one advance's own rows: a disbursement, a payment, a letter, a proceeding.
    page("versements/<int:pk>/annuler/", advance.DisbursementReverseView, "disbursement_reverse"),
    page("paiements/<int:pk>/contrepasser/", advance.PaymentReverseView, "payment_reverse"),
    page("relances/<int:pk>/lettre.pdf", advance.DunningLetterPdfView, "dunning_letter_pdf"),
    page("procedures/<int:pk>/declaration/", advance.ClaimDeclarationView, "claim_declare"),
    page("procedures/<int:pk>/cloture/", advance.ProceedingCloseView, "proceeding_close"),
    page("pertes/<int:pk>/decision/", advance.WriteOffDecisionView, "write_off_decide"),
]
