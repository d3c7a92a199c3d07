from django.apps import AppConfig


class AvancesConfig(AppConfig):
    name = "avances"
    verbose_name = "Avances remboursables"
