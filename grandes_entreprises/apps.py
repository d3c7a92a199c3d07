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
