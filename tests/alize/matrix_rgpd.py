"""The role × URL matrix: the GDPR's pages (a contact's rights, the register)."""

from tests.alize.matrix import NOT_FOUND, OK, REDIRECT, Page, expect

# A contact's personal data: the operators of its SME's basin only (the administrator reads
# SMEs but does not handle a person's requests; another basin's operators get a 404).
CONTACT_RIGHTS = expect(admin=NOT_FOUND, other_staff=NOT_FOUND, other_manager=NOT_FOUND)
# Erasing on request: a button of those operators, back to the SME's page once done.
CONTACT_ERASE = {**CONTACT_RIGHTS, "staff": REDIRECT, "manager": REDIRECT}
# The register of processing activities: the administrator only.
ADMIN_ONLY = expect(
    staff=NOT_FOUND,
    manager=NOT_FOUND,
    other_staff=NOT_FOUND,
    other_manager=NOT_FOUND,
)
assert ADMIN_ONLY["admin"] == OK

PAGES: dict[str, Page] = {
    "rgpd:contact_rights": Page(CONTACT_RIGHTS, {"pk": "contact"}),
    "rgpd:contact_export_json": Page(CONTACT_RIGHTS, {"pk": "contact"}),
    "rgpd:contact_export_pdf": Page(CONTACT_RIGHTS, {"pk": "contact"}),
    "rgpd:contact_erase": Page(CONTACT_ERASE, {"pk": "contact"}, post={}),
    "rgpd:register": Page(ADMIN_ONLY),
}


def build(label: str, objects: dict) -> dict:
    """The pages use the basin's common contact."""
    return {}


def attach(world: dict) -> None:
    """Nothing to link."""
