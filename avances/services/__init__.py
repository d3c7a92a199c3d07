"""The writers of advances, one module per subject.

Each service takes keyword arguments only, checks who acts (`PermissionDenied`, French),
locks what it reads (the basin's fund first, then the dossier or the advance: always in
that order), validates, then saves, in one transaction under a pghistory context naming
the user. A refusal raises a French `ValidationError`; nothing is half-saved. Every
movement of money also writes its line in the fund's ledger (`fund.record_movement`).
Amounts are `Decimal` (or int), never text: the forms and the CSV reader parse.

- `grant`: the birth of an advance, by the committee's decision only. Protected: import
  it as `avances.services.grant.grant_advance` (only `comites.services` and the demo do);
  it is not re-exported here.
- `disbursements`: the contract, the tranches, their closing and reversal;
- `payments`: the payment rules, recording and reversing a payment;
- `schedules`: a new version of the schedule, rescheduling;
- `followup`: dunning, collective proceedings, write-off;
- `deminimis`: pricing an advance, the de minimis check, the SME's declarations;
- `fund`: the fund's lock, ledger lines and contributions;
- `statements`: repayments from a bank statement's rows.

The reads (balances, de minimis position, late queue...) are `avances.selectors`.
"""

from avances.services.common import (
    FUTURE_DATE_MESSAGE,
    advance_totals,
    as_amount,
    lock_advance,
    not_in_future,
    refuse_written_off,
)
from avances.services.deminimis import (
    NO_DECLARATION_MESSAGE,
    check_de_minimis,
    price_advance,
    record_de_minimis_declaration,
)
from avances.services.disbursements import (
    close_disbursements,
    disburse_advance,
    reverse_disbursement,
    sign_contract,
)
from avances.services.followup import (
    approve_write_off,
    close_proceeding,
    open_proceeding,
    record_claim_declaration,
    record_dunning_step,
    reject_write_off,
    request_write_off,
)
from avances.services.fund import (
    fund_settings,
    lock_fund,
    record_movement,
    refuse_beyond_available,
    register_contribution,
)
from avances.services.payments import (
    PaymentState,
    payment_errors,
    payment_state,
    record_payment,
    reverse_payment,
)
from avances.services.schedules import (
    default_terms,
    outstanding_instalments,
    reschedule_advance,
)
from avances.services.statements import check_statement, record_statement
from avances.services.terms import add_reference_rate, set_default_terms

__all__ = [
    "FUTURE_DATE_MESSAGE",
    "NO_DECLARATION_MESSAGE",
    "PaymentState",
    "add_reference_rate",
    "advance_totals",
    "approve_write_off",
    "as_amount",
    "check_de_minimis",
    "check_statement",
    "close_disbursements",
    "close_proceeding",
    "default_terms",
    "disburse_advance",
    "fund_settings",
    "lock_advance",
    "lock_fund",
    "not_in_future",
    "open_proceeding",
    "outstanding_instalments",
    "payment_errors",
    "payment_state",
    "price_advance",
    "record_claim_declaration",
    "record_de_minimis_declaration",
    "record_dunning_step",
    "record_movement",
    "record_payment",
    "record_statement",
    "refuse_beyond_available",
    "refuse_written_off",
    "register_contribution",
    "reject_write_off",
    "request_write_off",
    "reschedule_advance",
    "reverse_disbursement",
    "reverse_payment",
    "set_default_terms",
    "sign_contract",
]
