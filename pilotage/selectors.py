"""Reads of the pilotage app that pages share."""

from alize.models import Delivery, DeliveryKind


def deliveries_to_verify(reports) -> dict[str, list[Delivery]]:
    """The messages awaiting staff (« envoi à vérifier ») of these reports, by report key,
    in one query."""
    keys = [report.delivery_key for report in reports]
    by_key: dict[str, list[Delivery]] = {}
    if not keys:
        return by_key
    deliveries = (
        Delivery.objects.filter(kind=DeliveryKind.REPORT, key__in=keys).to_verify().order_by("pk")
    )
    for delivery in deliveries:
        by_key.setdefault(delivery.key, []).append(delivery)
    return by_key
