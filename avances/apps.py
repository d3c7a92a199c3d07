from django.apps import AppConfig


class AvancesConfig(AppConfig):
    name = "avances"
    verbose_name = "Avances remboursables"

    def ready(self):
        from avances.selectors import advances_funded_by
        from grandes_entreprises.revitalisation import register_counter

        # An advance names the revitalisation convention that funded it; the convention's
        # progress counts the amounts so granted.
        register_counter("advances_funded", "Avances remboursables financées", advances_funded_by)
