"""Screens of the repayable advances: the list, the advance page and its actions, the
fund's ledger, the late-payments queue and the bank-statement import."""
