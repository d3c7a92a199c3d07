"""The writers of corporations, support missions and revitalisation conventions.

Each service takes keyword arguments only, checks who acts (`PermissionDenied`, French),
validates (`full_clean()`, then the rules that span rows, under `select_for_update`), then
saves, inside one transaction and a pghistory context naming the user. A refused action
raises a French `ValidationError` or `PermissionDenied`; nothing is half-saved.
"""

from grandes_entreprises.services._common import CONTACT_FIELDS, CORPORATION_FIELDS, EXPERT_FIELDS
from grandes_entreprises.services.corporations import (
    add_committee_representative,
    add_contact,
    add_coordinator,
    add_expert,
    add_membership,
    create_corporation,
    end_membership,
    record_membership,
    remove_committee_representative,
    remove_contact,
    remove_coordinator,
    set_daily_rate,
    update_contact,
    update_corporation,
    update_expert,
)
from grandes_entreprises.services.missions import (
    MISSION_DOSSIER_STATES,
    assign_expert,
    change_mission_status,
    create_mission,
    log_days,
    record_outcome,
    record_result,
)
from grandes_entreprises.services.revitalisation import (
    create_convention,
    record_convention_payment,
)

__all__ = [
    "CONTACT_FIELDS",
    "CORPORATION_FIELDS",
    "EXPERT_FIELDS",
    "MISSION_DOSSIER_STATES",
    "add_committee_representative",
    "add_contact",
    "add_coordinator",
    "add_expert",
    "add_membership",
    "assign_expert",
    "change_mission_status",
    "create_convention",
    "create_corporation",
    "create_mission",
    "end_membership",
    "log_days",
    "record_convention_payment",
    "record_membership",
    "record_outcome",
    "record_result",
    "remove_committee_representative",
    "remove_contact",
    "remove_coordinator",
    "set_daily_rate",
    "update_contact",
    "update_corporation",
    "update_expert",
]
