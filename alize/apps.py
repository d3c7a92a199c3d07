from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_role_groups(sender, using="default", **kwargs):
    """Every role is a group. The data migration creates them; this also restores them after
    a flush (which emits post_migrate), so no database is ever left without its roles."""
    from django.contrib.auth.models import Group

    from alize.models import Role

    for name in Role.values:
        Group.objects.using(using).get_or_create(name=name)


def seal_audit_trail(sender, using="default", **kwargs):
    """Seal every audit table and, when migrating as the owner role while the app connects
    as another, leave that role only what alize.audit allows it."""
    from django.conf import settings
    from django.db import connections

    from alize import audit

    app_user = settings.DATABASES["default"].get("USER")
    migrating_user = settings.DATABASES[using].get("USER")
    app_role = app_user if using != "default" and app_user != migrating_user else None
    audit.install(connections[using], app_role=app_role)


class AlizeConfig(AppConfig):
    name = "alize"
    verbose_name = "Alizé : référentiel du programme"

    def ready(self):
        post_migrate.connect(ensure_role_groups, sender=self)
        post_migrate.connect(seal_audit_trail, sender=self)
        from alize import antivirus, sessions  # noqa: F401  (imported once the models are ready)

        sessions.connect()
