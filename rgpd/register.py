"""The register of processing activities (article 30 of the GDPR), as data: the page of the
administrator (`rgpd.views.RegisterView`) shows it. The durations come from `rgpd.policy`."""

from dataclasses import dataclass

from rgpd import policy


@dataclass(frozen=True)
class Activity:
    name: str
    purpose: str
    data: str
    people: str
    legal_basis: str
    retention: str
    recipients: str


def _days(kind: str) -> str:
    days = policy.BY_KIND[kind].days
    if days >= policy.YEAR and days % policy.YEAR == 0:
        years = days // policy.YEAR
        return f"{years} an{'s' if years > 1 else ''}"
    return f"{days} jours"


PUBLIC_TASK = (
    "Mission d'intérêt public (article 6.1.e du RGPD) confiée à l'opérateur du dispositif "
    "par ses financeurs publics"
)


def activities() -> list[Activity]:
    return [
        Activity(
            "Instruction et suivi des dossiers des PME",
            "Orienter, instruire, présenter au comité d'agrément et accompagner les PME",
            "Contacts des PME : nom, fonction, adresse électronique, téléphone",
            "Dirigeants et salariés des PME accompagnées",
            PUBLIC_TASK,
            f"{_days('contacts_closed')} après la fin du dernier dossier clôturé ; "
            f"{_days('contacts_refused')} après un refus ou un retrait ; tant qu'une avance "
            f"est due et {policy.public_funds_control_days() // policy.YEAR} ans après sa "
            "décision (contrôle des fonds publics)",
            "Chargés de mission et responsables de l'opérateur du bassin ; jamais les financeurs",
        ),
        Activity(
            "Avances remboursables",
            "Accorder, verser et recouvrer les avances ; déclarer les aides de minimis",
            "Données des contacts des PME financées (voir ci-dessus)",
            "Dirigeants des PME financées",
            "Obligation légale (article 6.1.c : règlement (UE) 2023/2831, comptabilité "
            "publique) et mission d'intérêt public",
            f"{policy.public_funds_control_days() // policy.YEAR} ans après la décision de "
            "l'avance, et tant qu'elle est due",
            "Opérateur du bassin, comité d'agrément, corps de contrôle (Cour des comptes, "
            "chambres régionales des comptes, Commission européenne sur demande)",
        ),
        Activity(
            "Pièces jointes des dossiers",
            "Justifier l'instruction et l'emploi des fonds publics",
            "Statuts, bilans, Kbis, devis : peuvent nommer des personnes",
            "Dirigeants et associés des PME",
            PUBLIC_TASK,
            f"{_days('documents_closed')} après la fin du dossier",
            "Opérateur du bassin, administrateur",
        ),
        Activity(
            "Comptes des utilisateurs et journaux de connexion",
            "Authentifier, protéger les comptes (verrouillage après échecs), tracer les accès",
            "Nom, adresse électronique, rôle ; adresse IP, navigateur et date des connexions",
            "Utilisateurs d'Alizé",
            "Obligation de sécurité (article 32 du RGPD) et intérêt légitime",
            f"Journaux de connexion : {_days('signin_records')} ; sessions : supprimées à "
            "leur expiration ; comptes : le temps de la mission de l'utilisateur",
            "Administrateur",
        ),
        Activity(
            "Journal d'audit",
            "Prouver qui a changé quoi et quand (piste d'audit des fonds publics)",
            "Les versions successives des enregistrements ; les champs personnels sont "
            "caviardés quand la donnée elle-même est anonymisée ou effacée",
            "Toutes les personnes ci-dessus",
            "Obligation légale (contrôle des fonds publics) et intérêt légitime",
            "Celle de la donnée suivie ; chaque caviardage est lui-même journalisé",
            "Administrateur, corps de contrôle",
        ),
    ]
