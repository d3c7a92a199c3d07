from django.core.management.base import BaseCommand

from rgpd import services


class Command(BaseCommand):
    help = (
        "Applique la politique de conservation des données personnelles (docs/rgpd.md) : "
        "sans --apply, liste seulement ce qui serait fait."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="anonymiser et supprimer")

    def handle(self, *args, apply=False, **options):
        plans = services.apply_retention(apply=apply)
        self.stdout.write("Application :" if apply else "Simulation (rien n'est modifié) :")
        for planned in plans:
            self.stdout.write(f"- {planned}")
            for name in planned.names[:50]:
                self.stdout.write(f"    {name}")
            if len(planned.names) > 50:
                self.stdout.write(f"    … et {len(planned.names) - 50} autres")
