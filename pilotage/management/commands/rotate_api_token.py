"""Rotate a token of the indicators API: a new secret, printed once; the old one is refused."""

from django.core.management.base import CommandError

from pilotage.management.commands import create_api_token
from pilotage.models import ApiToken


class Command(create_api_token.Command):
    """Takes the token's name as `create_api_token` does."""

    help = (
        "Renouvelle un jeton d'accès à l'API des indicateurs : un nouveau secret, affiché une "
        "seule fois, et une nouvelle date d'expiration ; l'ancien secret est refusé aussitôt."
    )

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
