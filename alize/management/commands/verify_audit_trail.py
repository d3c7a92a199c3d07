"""`manage.py verify_audit_trail`: recompute the audit trail's chains, name the first broken
link of each table; exit status 1 when one is broken."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from alize import audit


class Command(BaseCommand):
    help = "Vérifie les chaînes d'empreintes du journal d'audit ; signale le premier maillon rompu."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)
        parser.add_argument(
            "--heads", action="store_true", help="Affiche la dernière empreinte de chaque table."
        )

    def handle(self, *args, database, heads, **options):
        result = audit.verify(connections[database])
        if heads:
            for table, digest in sorted(result.heads.items()):
                self.stdout.write(f"{table} {digest}")
        if not result.intact:
            for broken in result.breaks:
                self.stderr.write(f"Maillon rompu : {broken}")
            raise CommandError(
                f"Journal d'audit altéré : {len(result.breaks)} chaîne(s) rompue(s) "
                f"sur {result.tables} tables."
            )
        self.stdout.write(
            f"Journal d'audit intact : {result.seals} lignes scellées dans {result.tables} tables."
        )
