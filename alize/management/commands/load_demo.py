"""`manage.py load_demo`: load the demonstration data set (see alize/demo.py)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from alize import demo


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
            demo.load(stdout=self.stdout)
        except demo.DemoDataError as exc:
            raise CommandError(str(exc)) from exc
