"""`manage.py load_demo`: load the demonstration data set (see demo/loader.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import loader


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration (bassin du Valenciennois, financeurs, comptes "
        "de démonstration). Peut être relancée : rien n'est modifié si tout est déjà à jour."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Charger même hors mode développement (DJANGO_DEBUG désactivé).",
        )

    def handle(self, *args, force=False, **options):
        # The demo creates a superuser whose password is published: keep it off production.
        if not settings.DEBUG and not force:
            raise CommandError(
                "Les données de démonstration créent des comptes au mot de passe public, dont "
                "un administrateur : elles ne se chargent qu'en mode développement "
                "(DJANGO_DEBUG=true). Ajoutez --force pour les charger malgré tout."
            )
        try:
            loader.load(stdout=self.stdout)
        except loader.DemoDataError as exc:
            raise CommandError(str(exc)) from exc
