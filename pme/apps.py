from django.apps import AppConfig


class PmeConfig(AppConfig):
    name = "pme"
    verbose_name = "PME et dossiers"
