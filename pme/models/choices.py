"""The fixed lists of the registry: what a field may hold, and how it reads in French."""

from django.db import models


class LegalForm(models.TextChoices):
    SARL = "SARL", "SARL"
    SAS = "SAS", "SAS"
    SASU = "SASU", "SASU"
    SA = "SA", "SA"
    EURL = "EURL", "EURL"
    EI = "EI", "Entreprise individuelle"
    SCOP = "SCOP", "SCOP"
    OTHER = "autre", "Autre"


class SizeBand(models.TextChoices):
    UNDER_10 = "moins_10", "Moins de 10 salariés"
    FROM_10_TO_49 = "10_49", "10 à 49 salariés"
    FROM_50_TO_249 = "50_249", "50 à 249 salariés"


class DossierKind(models.TextChoices):
    DEVELOPMENT = "developpement", "Développement"
    TAKEOVER = "reprise_transmission", "Reprise-transmission"
    OTHER = "autre", "Autre"


class Need(models.TextChoices):
    MANAGEMENT = "management", "Management"
    PRODUCTION = "production", "Production"
    SALES = "commercial", "Commercial"
    HR = "rh", "Ressources humaines"
    QUALITY = "qualite", "Qualité"
    FINANCE = "finance", "Finance"
    OTHER = "autre", "Autre"


class OrientationSource(models.TextChoices):
    EPCI = "intercommunalite", "Intercommunalité"
    PARTNER_NETWORK = (
        "reseau_partenaire",
        "Réseau partenaire (plateforme d'initiative locale, boutique de gestion…)",
    )
    CORPORATION = "grande_entreprise", "Grande entreprise"
    CCI = "cci", "Chambre de commerce et d'industrie"
    SPONTANEOUS = "spontanee", "Démarche spontanée"


# Sources whose partner must be named, so the operator can show each what it brought.
NAMED_PARTNER_SOURCES = (OrientationSource.PARTNER_NETWORK, OrientationSource.CORPORATION)


class ContractKind(models.TextChoices):
    CDI = "cdi", "CDI"
    CDD_6_MONTHS = "cdd_6_mois", "CDD de 6 mois ou plus"
    OTHER = "autre", "Autre"


class DocumentKind(models.TextChoices):
    STATUTES = "statuts", "Statuts"
    ACCOUNTS = "bilan", "Bilan et comptes annuels"
    KBIS = "kbis", "Extrait Kbis"
    QUOTE = "devis", "Devis"
    FINANCING_PLAN = "plan_financement", "Plan de financement"
    OTHER = "autre", "Autre"
