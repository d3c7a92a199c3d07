from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_role_groups(sender, using="default", **kwargs):
    """Every role is a group. The data migration creates them; this also restores them after
    a flush (which emits post_migrate), so no database is ever left without its roles."""
    from django.contrib.auth.models import Group

    from alize.models import Role

    for name in Role.values:
        Group.objects.using(using).get_or_create(name=name)


class AlizeConfig(AppConfig):
    name = "alize"
    verbose_name = "Alizé : référentiel du programme"

    def ready(self):
        post_migrate.connect(ensure_role_groups, sender=self)
        from alize import sessions  # imported once the models are ready

        sessions.connect()
