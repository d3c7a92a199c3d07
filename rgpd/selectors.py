"""What Alizé holds about one contact person: the right of access (article 15 of the GDPR),
as a JSON document and as a PDF."""

from django.utils import timezone

from pme.models import Pme, PmeContact
from pme.permissions import can_edit_pme
from rgpd import policy


def contact_for(user, pk: int) -> PmeContact | None:
    """The contact, if `user` may handle its rights (the operators of its SME's basin)."""
    contact = (
        PmeContact.objects.filter(pme__in=Pme.objects.visible_to(user))
        .select_related("pme__commune__epci__basin")
        .filter(pk=pk)
        .first()
    )
    if contact is None or not can_edit_pme(user, contact.pme):
        return None
    return contact


PERSONAL = policy.CONTACT_PERSONAL_FIELDS


def _text(value) -> str:
    return "" if value is None else str(value)


def contact_record(contact: PmeContact) -> dict:
    """Everything held about the person: the contact's fields, the SME and its dossiers it
    is linked to, and every version of the contact in the audit trail."""
    pme = contact.pme
    history = contact.pgh_event_model.objects.filter(pgh_obj_id=contact.pk).order_by("pgh_id")
    return {
        "produit_le": timezone.localtime().isoformat(timespec="seconds"),
        "responsable_du_traitement": "Opérateur du dispositif Alizé du bassin "
        f"{pme.commune.epci.basin.name}",
        "personne": {
            field: _text(getattr(contact, field)) for field in policy.CONTACT_PERSONAL_FIELDS
        },
        "entreprise": {"raison_sociale": pme.name, "siret": pme.siret},
        "dossiers": [
            {
                "numero": dossier.pk,
                "etat": dossier.get_state_display(),
                "date_orientation": dossier.orientation_date.isoformat(),
            }
            for dossier in pme.dossiers.order_by("orientation_date", "pk")
        ],
        "historique": [
            {
                "le": timezone.localtime(event.pgh_created_at).isoformat(timespec="seconds"),
                "evenement": event.pgh_label,
                **{
                    field: _text(getattr(event, field, ""))
                    for field in policy.CONTACT_PERSONAL_FIELDS
                },
            }
            for event in history
        ],
        "finalite": "Instruction et suivi des dossiers des PME accompagnées par le dispositif",
        "base_legale": "Mission d'intérêt public (article 6.1.e du RGPD)",
        "destinataires": "Chargés de mission et responsables de l'opérateur du bassin",
        "conservation": f"{policy.BY_KIND['contacts_closed'].days} jours après la fin du "
        "dernier dossier clôturé de l'entreprise, "
        f"{policy.BY_KIND['contacts_refused'].days} jours après un refus ou un retrait",
    }
