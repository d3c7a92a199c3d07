import importlib

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_smic_table(sender, using="default", **kwargs):
    """The SMIC table is reference data seeded by a migration; a flush (which emits
    post_migrate) empties it, so seed it again when it is found empty."""
    from django.apps import apps

    smic_rate = apps.get_model("grandes_entreprises", "SmicRate")
    if not smic_rate.objects.using(using).exists():
        seed = importlib.import_module("grandes_entreprises.migrations.0002_seed_smic").seed
        seed(apps, None)


class GrandesEntreprisesConfig(AppConfig):
    name = "grandes_entreprises"
    verbose_name = "Grandes entreprises et missions d'appui"

    def ready(self):
        post_migrate.connect(ensure_smic_table, sender=self)
        register_coordinator_link()


def register_coordinator_link():
    """The manager's invitation of a coordinator names the corporation they coordinate."""
    from alize.models import Role
    from alize.services.users import RoleLink, register_role_link
    from grandes_entreprises.models import Corporation
    from grandes_entreprises.services import add_coordinator, remove_coordinator

    register_role_link(
        RoleLink(
            role=Role.COORDINATOR,
            field="corporation",
            label="Grande entreprise coordonnée",
            model=Corporation,
            attach=lambda *, user, target, by: add_coordinator(
                corporation=target, user=user, by=by
            ),
            current=lambda user: user.coordinated_corporations.first(),
            detach=lambda *, user, by: [
                remove_coordinator(corporation=corporation, user=user, by=by)
                for corporation in user.coordinated_corporations.all()
            ],
        )
    )
