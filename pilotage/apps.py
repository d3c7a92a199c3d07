from django.apps import AppConfig


class PilotageConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pilotage"
    verbose_name = "Pilotage : indicateurs, tableaux de bord et rapports"

    def ready(self):
        from comites.pdf import register_steering_report
        from pilotage.steering import steering_report_pages

        register_steering_report(steering_report_pages)
