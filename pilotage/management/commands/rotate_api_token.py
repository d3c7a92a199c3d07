"""Rotate a token of the indicators API: a new secret, printed once; the old one is refused."""

from django.core.management.base import BaseCommand, CommandError

from pilotage.models import ApiToken


class Command(BaseCommand):
    help = (
        "Renouvelle un jeton d'accès à l'API des indicateurs : un nouveau secret, affiché une "
        "seule fois, et une nouvelle date d'expiration ; l'ancien secret est refusé aussitôt."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="Nom du jeton (par exemple : Alizé national).")

    def handle(self, *args, name, **options):
        token = ApiToken.objects.filter(name=name, active=True).first()
        if token is None:
            raise CommandError(f"Aucun jeton actif ne s'appelle « {name} ».")
        secret = token.rotate()
        self.stdout.write(
            f"Jeton « {token.name} » renouvelé jusqu'au {token.expires_at:%d/%m/%Y}. "
            "Copiez-le, il ne sera plus affiché :"
        )
        self.stdout.write(secret)
