"""How long each kind of personal data is kept, and the legal holds that keep it longer.

The defaults follow French law and the CNIL's guidance (docs/rgpd.md says why); a
deployment changes a duration with `RGPD_RETENTION_DAYS` (kind → days) in the settings.
The daily task only lists what it would do unless `RGPD_RETENTION_APPLY` is true.
"""

from dataclasses import dataclass

from django.conf import settings

YEAR = 365


@dataclass(frozen=True)
class Retention:
    """One kind of personal data: how long after its start date it is kept, then what
    happens to it."""

    kind: str
    label: str
    default_days: int
    starts: str
    action: str
    basis: str

    @property
    def days(self) -> int:
        overrides = getattr(settings, "RGPD_RETENTION_DAYS", {}) or {}
        return int(overrides.get(self.kind, self.default_days))


ANONYMISE, DELETE = "anonymiser", "supprimer"

RETENTIONS = (
    Retention(
        "contacts_closed",
        "Contacts des entreprises dont les dossiers sont clôturés",
        5 * YEAR,
        "la fin du dernier dossier de l'entreprise",
        ANONYMISE,
        "prescription de droit commun (article 2224 du code civil) : 5 ans",
    ),
    Retention(
        "contacts_refused",
        "Contacts des entreprises dont les dossiers ont été refusés ou retirés",
        3 * YEAR,
        "le refus ou le retrait du dernier dossier de l'entreprise",
        ANONYMISE,
        "référentiels de la CNIL (relation avec les partenaires et prospects) : 3 ans "
        "après le dernier contact",
    ),
    Retention(
        "documents_closed",
        "Pièces jointes des dossiers terminés",
        10 * YEAR,
        "la fin du dossier",
        DELETE,
        "contrôle des aides publiques : 10 ans (règlement (UE) 2023/2831, article 6, "
        "pour les aides de minimis ; article L. 123-22 du code de commerce pour les "
        "pièces comptables)",
    ),
    Retention(
        "signin_records",
        "Journaux de connexion (tentatives, connexions et échecs)",
        183,
        "la tentative de connexion",
        DELETE,
        "recommandation de la CNIL sur la journalisation (2021) : 6 mois à 1 an",
    ),
    Retention(
        "expired_sessions",
        "Sessions expirées",
        0,
        "l'expiration de la session",
        DELETE,
        "aucune raison de conserver une session close",
    ),
)
BY_KIND = {retention.kind: retention for retention in RETENTIONS}

# A dossier financed by an advance is a record of public money: its SME's contacts are kept
# while the advance is owed and for this long after the advance's decision (control of
# the public funds and of the de minimis aid, 10 years).
PUBLIC_FUNDS_CONTROL_DAYS = 10 * YEAR


def public_funds_control_days() -> int:
    return int(getattr(settings, "RGPD_PUBLIC_FUNDS_CONTROL_DAYS", PUBLIC_FUNDS_CONTROL_DAYS))


def applies() -> bool:
    """Whether the daily task acts (else it only lists what it would do)."""
    return bool(getattr(settings, "RGPD_RETENTION_APPLY", False))


# The neutral values an anonymised contact keeps.
ANONYMOUS_NAME = "Contact anonymisé"
NEUTRAL_CONTACT = {
    "name": ANONYMOUS_NAME,
    "role": "",
    "email": "",
    "phone": "",
    "phone_to_check": "",
}
CONTACT_PERSONAL_FIELDS = tuple(NEUTRAL_CONTACT)
NEUTRAL_DOCUMENT = {"title": "Document supprimé", "original_name": "supprime", "file": ""}
