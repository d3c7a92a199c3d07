from django.urls import path

from avances.views import advance, deminimis, fund, lists, statement, terms

app_name = "avances"

urlpatterns = [
    path("", lists.AdvanceListView.as_view(), name="advance_list"),
    path("retards/", lists.LateQueueView.as_view(), name="late_queue"),
    path("fonds/<int:pk>/", fund.FundView.as_view(), name="fund_detail"),
    path("fonds/<int:pk>/entrees/nouvelle/", fund.FundEntryCreateView.as_view(), name="fund_entry"),
    path("bassins/<int:pk>/conditions/", terms.BasinTermsView.as_view(), name="basin_terms"),
    path("releve/", statement.StatementImportView.as_view(), name="statement_import"),
    path("releve/confirmer/", statement.StatementConfirmView.as_view(), name="statement_confirm"),
    path(
        "entreprises/<int:pme_pk>/de-minimis/", deminimis.DeMinimisView.as_view(), name="deminimis"
    ),
    path(
        "de-minimis/<int:pk>/declaration-signee/",
        deminimis.SignedDeclarationView.as_view(),
        name="deminimis_signed",
    ),
    path("<int:pk>/", advance.AdvanceDetailView.as_view(), name="advance_detail"),
    path("<int:pk>/contrat/", advance.SignContractView.as_view(), name="contract_sign"),
    path(
        "<int:pk>/versements/nouveau/",
        advance.DisbursementCreateView.as_view(),
        name="disbursement_create",
    ),
    path(
        "<int:pk>/versements/clore/",
        advance.CloseDisbursementsView.as_view(),
        name="disbursements_close",
    ),
    path(
        "versements/<int:pk>/annuler/",
        advance.DisbursementReverseView.as_view(),
        name="disbursement_reverse",
    ),
    path("<int:pk>/paiements/nouveau/", advance.PaymentCreateView.as_view(), name="payment_create"),
    path(
        "paiements/<int:pk>/contrepasser/",
        advance.PaymentReverseView.as_view(),
        name="payment_reverse",
    ),
    path("<int:pk>/reechelonner/", advance.RescheduleView.as_view(), name="reschedule"),
    path("<int:pk>/relances/nouvelle/", advance.DunningCreateView.as_view(), name="dunning_create"),
    path(
        "relances/<int:pk>/lettre.pdf",
        advance.DunningLetterPdfView.as_view(),
        name="dunning_letter_pdf",
    ),
    path(
        "<int:pk>/procedures/nouvelle/",
        advance.ProceedingCreateView.as_view(),
        name="proceeding_create",
    ),
    path(
        "procedures/<int:pk>/declaration/",
        advance.ClaimDeclarationView.as_view(),
        name="claim_declare",
    ),
    path(
        "procedures/<int:pk>/cloture/",
        advance.ProceedingCloseView.as_view(),
        name="proceeding_close",
    ),
    path(
        "<int:pk>/perte/demande/", advance.WriteOffRequestView.as_view(), name="write_off_request"
    ),
    path(
        "pertes/<int:pk>/decision/", advance.WriteOffDecisionView.as_view(), name="write_off_decide"
    ),
    path("<int:pk>/echeancier.pdf", advance.SchedulePdfView.as_view(), name="schedule_pdf"),
    path(
        "<int:pk>/attestation-de-minimis.pdf",
        advance.DeMinimisPdfView.as_view(),
        name="deminimis_pdf",
    ),
]
