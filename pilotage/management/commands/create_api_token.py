"""Create a token for the indicators API and print it, once."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from pilotage.models import ApiToken


class Command(BaseCommand):
    help = (
        "Crée un jeton d'accès à l'API des indicateurs et l'affiche une seule fois "
        "(seule son empreinte SHA-256 est conservée)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="Nom du client (par exemple : Alizé national).")

    def handle(self, *args, name, **options):
        try:
            token, secret = ApiToken.issue(name=name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Jeton « {token.name} » créé. Copiez-le, il ne sera plus affiché :")
        self.stdout.write(secret)
