from django.apps import AppConfig


class AlizeConfig(AppConfig):
    name = "alize"
    verbose_name = "Alizé : référentiel du programme"
