from django.apps import AppConfig


class GrandesEntreprisesConfig(AppConfig):
    name = "grandes_entreprises"
    verbose_name = "Grandes entreprises et missions d'appui"
