"""The antivirus: every uploaded file is scanned by ClamAV's daemon (clamd) before anyone
can download it.

A file comes in: `scan_upload` sends its content to clamd (INSTREAM, through
clamav-client). Infected, it is refused with a French message, never stored, and the
administrators are told (`alize.tasks.report_infected_file`). Clean, it is stored as
`clean`. clamd unreachable (or too slow): it is stored as `pending`, cannot be downloaded
(`not_downloadable`), and the periodic task `alize.tasks.rescan_pending_files` scans it
again until clamd answers.

The models holding uploaded files register each file field with its status field
(`register`): the rescan task finds them there, from the lowest layer, without importing
the applications above.

Settings: ANTIVIRUS ("clamd", the default, or "off": development only, refused by
`check --deploy`, every file then counts as clean without being scanned), CLAMD_SOCKET (a
unix socket) or CLAMD_HOST and CLAMD_PORT, CLAMD_TIMEOUT (seconds).
"""

import hashlib
import logging
from dataclasses import dataclass

from clamav_client.clamd import ClamdError, ClamdNetworkSocket, ClamdUnixSocket
from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import models
from django.shortcuts import render

logger = logging.getLogger(__name__)

INFECTED_MESSAGE = (
    "Ce fichier contient un virus ou un logiciel malveillant (%(signature)s) : il n'a pas "
    "été enregistré. Les administrateurs en sont avertis."
)
PENDING_MESSAGE = (
    "Ce fichier est en cours d'analyse par l'antivirus : il pourra être téléchargé dès "
    "qu'elle sera terminée. Réessayez dans quelques minutes."
)
INFECTED_DOWNLOAD_MESSAGE = (
    "L'antivirus a détecté un virus dans ce fichier : il ne peut pas être téléchargé. "
    "Les administrateurs en ont été avertis."
)


class ScanStatus(models.TextChoices):
    PENDING = "pending", "analyse antivirus en attente"
    CLEAN = "clean", "sain"
    INFECTED = "infected", "infecté"


def scan_status_field(verbose_name: str = "analyse antivirus") -> models.CharField:
    """The scan status stored beside an uploaded file (pending until clamd has answered)."""
    return models.CharField(
        verbose_name,
        max_length=10,
        choices=ScanStatus.choices,
        default=ScanStatus.PENDING,
        editable=False,
    )


@dataclass(frozen=True)
class ScannedField:
    """A model's file field and the field that holds its scan status."""

    model: type
    file_field: str
    status_field: str
    label: str


SCANNED_FIELDS: list[ScannedField] = []


def register(model, *, file_field: str, status_field: str, label: str) -> None:
    """Declare an uploaded file field: the rescan task looks after its pending files."""
    SCANNED_FIELDS.append(ScannedField(model, file_field, status_field, label))


@dataclass(frozen=True)
class Verdict:
    status: str
    signature: str = ""


class ClamdUnavailable(Exception):
    """clamd did not answer (down, unreachable, too slow, or it could not scan)."""


def enabled() -> bool:
    return settings.ANTIVIRUS != "off"


def client():
    timeout = settings.CLAMD_TIMEOUT
    if settings.CLAMD_HOST:
        return ClamdNetworkSocket(
            host=settings.CLAMD_HOST, port=settings.CLAMD_PORT, timeout=timeout
        )
    return ClamdUnixSocket(path=settings.CLAMD_SOCKET, timeout=timeout)


def scan(file) -> Verdict:
    """clamd's verdict on a file's content (its position is left where it was); raises
    `ClamdUnavailable` when clamd gives none."""
    if not enabled():
        return Verdict(ScanStatus.CLEAN)
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        report = client().instream(file)
    except (ClamdError, OSError) as error:
        raise ClamdUnavailable(str(error)) from error
    finally:
        file.seek(position)
    state, signature = report.get("stream") or ("ERROR", "no answer")
    if state == "OK":
        return Verdict(ScanStatus.CLEAN)
    if state == "FOUND":
        return Verdict(ScanStatus.INFECTED, signature or "signature inconnue")
    raise ClamdUnavailable(f"{state}: {signature}")


def digest(file) -> str:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    sha = hashlib.sha256()
    for chunk in iter(lambda: file.read(1 << 16), b""):
        sha.update(chunk)
    file.seek(position)
    return sha.hexdigest()


def scan_upload(upload, *, what: str, by=None) -> str:
    """The scan status to store with a file being uploaded: `clean`, or `pending` when
    clamd cannot tell yet. An infected file raises a French `ValidationError` (nothing is
    stored) and the administrators are told, once per file content.

    Call it before opening the transaction that stores the file."""
    try:
        verdict = scan(upload)
    except ClamdUnavailable as error:
        logger.warning("clamd unavailable, %s stays pending: %s", what, error)
        return ScanStatus.PENDING
    if verdict.status == ScanStatus.INFECTED:
        from alize import tasks

        logger.warning("Infected upload refused (%s): %s", what, verdict.signature)
        try:
            tasks.report_infected_file.delay(
                key=f"upload-{digest(upload)}",
                what=what,
                name=(getattr(upload, "name", "") or "")[:255],
                signature=verdict.signature,
                by=str(by) if by is not None else "",
            )
        except Exception:  # the refusal stands even if the report cannot be queued
            logger.exception("Could not queue the report of an infected upload")
        raise ValidationError(
            INFECTED_MESSAGE, code="infected", params={"signature": verdict.signature}
        )
    return verdict.status


def not_downloadable(request, status: str):
    """The French page answering a download of a file not known to be clean (409), or None
    when the file may go out."""
    if status == ScanStatus.CLEAN:
        return None
    message = INFECTED_DOWNLOAD_MESSAGE if status == ScanStatus.INFECTED else PENDING_MESSAGE
    return render(request, "antivirus/not_downloadable.html", {"message": message}, status=409)


@checks.register(checks.Tags.security, deploy=True)
def check_antivirus_on(app_configs=None, **kwargs):
    if enabled():
        return []
    return [
        checks.Error(
            "ANTIVIRUS=off : les fichiers déposés ne sont pas analysés.",
            hint="Réservé au développement : configurez CLAMD_SOCKET ou CLAMD_HOST.",
            id="alize.E020",
        )
    ]
