"""Send the funders' reports due today (what celery beat's daily task does), by hand."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from pilotage import services
from pilotage.models import Report, ReportStatus
from pilotage.tasks import build_and_send_report


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} rapport{'s' if n > 1 else ''} {plural if n > 1 else singular}"


class Command(BaseCommand):
    help = (
        "Crée les rapports des financeurs dus à ce jour (dernier mois, trimestre ou année "
        "achevé) et les envoie ; un rapport déjà envoyé ne l'est pas une seconde fois."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Faire comme si l'on était ce jour-là (AAAA-MM-JJ) ; par défaut aujourd'hui.",
        )

    def handle(self, *args, date=None, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError as error:
                raise CommandError(f"Date invalide : {date} (format AAAA-MM-JJ).") from error
        due = services.create_due_reports(today=today, enqueue=False)
        if not due:
            self.stdout.write("Aucun rapport à envoyer.")
            return
        # Without a broker each task runs here and now (the demo); with one, workers take them.
        for report in due:
            try:
                build_and_send_report.delay(report.pk)
            except Exception as error:  # in-process: the task wrote the error on the report
                self.stderr.write(f"{report} : {error}")
        statuses = dict.fromkeys(ReportStatus.values, 0)
        for status in Report.objects.filter(pk__in=[r.pk for r in due]).values_list(
            "status", flat=True
        ):
            statuses[status] += 1
        self.stdout.write(
            ", ".join(
                [
                    _count(statuses[ReportStatus.SENT], "envoyé", "envoyés"),
                    _count(statuses[ReportStatus.FAILED], "en échec", "en échec"),
                    _count(
                        statuses[ReportStatus.PENDING] + statuses[ReportStatus.BUILT],
                        "en attente d'envoi",
                        "en attente d'envoi",
                    ),
                ]
            )
            + "."
        )
        for report in Report.objects.filter(pk__in=[r.pk for r in due], status=ReportStatus.FAILED):
            self.stderr.write(f"{report} : {report.last_error}")
