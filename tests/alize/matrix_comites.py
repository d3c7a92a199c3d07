"""The role × URL matrix: the pages of the committees (sessions, agendas, votes, minutes).

Who sees what: the operators of the basin (staff and managers) and the administrator read
every committee and session of the basin; a member reads the committees they sit on and
their sessions from the convocation on (the "committee" actor sits on the approval
committee, the "steering" actor on the steering committee); anyone else gets a 404.
Preparing and keeping a session is the operator's (or the secretary's), conducting the
votes and signing the minutes the chair's, setting up the committee the manager's.
"""

from alize.models import Role
from tests.alize.matrix import NOT_FOUND, OK, REDIRECT, Page, expect
from tests.comites.factories import (
    AgendaItemFactory,
    CommitteeFactory,
    DecisionFactory,
    MembershipFactory,
    SessionFactory,
    close,
    move_session,
)
from tests.conftest import make_user
from tests.pme.factories import DossierFactory, PmeFactory

OTHERS_OUT = {
    "other_staff": NOT_FOUND,
    "other_manager": NOT_FOUND,
    "admin": OK,
}
# The committees and sessions lists: operators (each their basin's), the administrator and
# whoever sits on a committee.
LIST = expect(committee=OK, steering=OK)
# A page of the basin's approval committee or of its convened session: the operators of
# the basin, the administrator and the committee's members.
READ = expect(committee=OK, **OTHERS_OUT)
# Preparing or keeping the session: the operators of the basin (and the secretary).
PREPARE = expect(admin=NOT_FOUND, other_staff=NOT_FOUND, other_manager=NOT_FOUND)
PREPARE_ACT = {**PREPARE, "staff": REDIRECT, "manager": REDIRECT}
# Setting up the committee: the operator's manager.
MANAGE = expect(staff=NOT_FOUND, admin=NOT_FOUND, other_staff=NOT_FOUND, other_manager=NOT_FOUND)
# Recording a decision: the operator's manager (and the chair or the secretary).
DECIDE = MANAGE
# The chair's (or the secretary's) buttons: none of the actors holds those seats.
CHAIR_ACT = expect(
    staff=NOT_FOUND,
    manager=NOT_FOUND,
    admin=NOT_FOUND,
    other_staff=NOT_FOUND,
    other_manager=NOT_FOUND,
)
# An action of a member on an item they see: the service answers (a vote refused is a
# message on the page, not a 404).
MEMBER_ACT = {**READ, "staff": REDIRECT, "manager": REDIRECT, "committee": REDIRECT}
MEMBER_ACT["admin"] = REDIRECT

SESSION = {"pk": "session"}
ITEM = {"pk": "agenda_item"}

PAGES: dict[str, Page] = {
    "comites:session_list": Page(LIST),
    "comites:committee_list": Page(LIST),
    # A new committee of the manager's own basins: another basin's manager is offered theirs.
    "comites:committee_create": Page(
        expect(staff=NOT_FOUND, admin=NOT_FOUND, other_staff=NOT_FOUND), marker="basin"
    ),
    "comites:committee_detail": Page(READ, {"pk": "committee"}),
    "comites:committee_rules": Page(MANAGE, {"pk": "committee"}),
    "comites:member_appoint": Page(MANAGE, {"pk": "committee"}),
    "comites:chair_change": Page(MANAGE, {"pk": "committee"}),
    "comites:mandate_end": Page(MANAGE, {"pk": "chair_membership"}),
    "comites:session_create": Page(PREPARE, {"pk": "committee"}),
    "comites:session_detail": Page(READ, SESSION),
    "comites:agenda_add": Page(PREPARE, SESSION),
    "comites:attendance": Page(PREPARE, SESSION),
    # The state panel's buttons (convene, open, close, sign): whoever reads the session
    # posts, the service answers.
    "comites:session_transition": Page(MEMBER_ACT, SESSION, post={}),
    "comites:item_remove": Page(PREPARE_ACT, ITEM, post={}),
    "comites:item_move": Page(PREPARE_ACT, ITEM, post={"direction": "up"}),
    "comites:item_corporations": Page(PREPARE, ITEM),
    "comites:item_open": Page(CHAIR_ACT, ITEM, post={}),
    "comites:item_close": Page(CHAIR_ACT, ITEM, post={}),
    "comites:vote": Page(MEMBER_ACT, ITEM, post={"member": "0", "choice": "pour"}),
    "comites:declare_interest": Page(MEMBER_ACT, ITEM, post={"details": ""}),
    "comites:item_tally": Page(READ, ITEM),
    "comites:decision_create": Page(DECIDE, {"pk": "undecided_item"}),
    "comites:minutes": Page(READ, SESSION),
    "comites:amendment_create": Page(PREPARE, SESSION),
    "comites:minutes_pdf": Page(READ, SESSION),
    "comites:pack_pdf": Page(READ, SESSION),
    "comites:session_ics": Page(READ, SESSION),
    "comites:decision_letter": Page(READ, {"pk": "decision"}),
    "comites:dossier_detail": Page(READ, {"pk": "agenda_dossier"}),
}


def build(label: str, objects: dict) -> dict:
    """The basin's approval committee, chaired by its corporation's representative, and its
    steering committee; a convened session with a submitted dossier on its agenda; a
    session held, with one decided dossier and one awaiting its decision."""
    basin, corporation = objects["basin"], objects["corporation"]
    committee = CommitteeFactory(basin=basin, name=f"Comité d'agrément {label}")
    steering = CommitteeFactory(basin=basin, steering=True, name=f"Comité de pilotage {label}")
    representative = make_user(Role.COMMITTEE_MEMBER, basin)
    corporation.committee_representatives.add(representative)
    chair = MembershipFactory(
        committee=committee,
        person=representative,
        chair=True,
        corporation=corporation,
        organisation=corporation.group_name,
    )
    MembershipFactory(committee=steering, chair=True, organisation="Sous-préfecture")
    candidate = PmeFactory(basin=basin, commune=objects["commune"], name=f"Candidate {label}")
    agenda_dossier = DossierFactory(pme=candidate, submitted=True)
    session = SessionFactory(committee=committee, convened=True)
    item = AgendaItemFactory(session=session, dossier=agenda_dossier, order=1)
    held = SessionFactory(committee=committee, sitting=True)
    decided = close(AgendaItemFactory(session=held, order=1))
    undecided = close(AgendaItemFactory(session=held, order=2))
    decision = DecisionFactory(item=decided)
    move_session(held, "close")
    return {
        "committee": committee,
        "steering_committee": steering,
        "chair_membership": chair,
        "session": session,
        "agenda_item": item,
        "agenda_dossier": agenda_dossier,
        "held_session": held,
        "undecided_item": undecided,
        "decision": decision,
    }


def attach(world: dict) -> None:
    """The "committee" actor sits on the approval committee, the "steering" actor on the
    steering committee, of the tested basin."""
    here, users = world["here"], world["users"]
    MembershipFactory(committee=here["committee"], person=users["committee"])
    MembershipFactory(committee=here["steering_committee"], person=users["steering"])
