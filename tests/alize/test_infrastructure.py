import email
from decimal import Decimal

from django.core.mail import EmailMessage

from alize.database import database_settings
from alize.mail import EmlFileBackend
from alize.templatetags.alize_tags import euros, integer


def test_database_url_is_used_when_set(tmp_path):
    config = database_settings("postgres://alize:secret@db.example:5433/alize_prod", tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["HOST"], config["PORT"]) == ("alize_prod", "db.example", 5433)
    # Nothing was started in the embedded folder.
    assert list(tmp_path.iterdir()) == []


def test_without_smtp_each_message_is_an_eml_file_a_person_can_open(tmp_path):
    backend = EmlFileBackend(file_path=tmp_path)
    sent = backend.send_messages(
        [
            EmailMessage("Rapport trimestriel", "Corps n° 1", to=["a@alize.test"]),
            EmailMessage("Convocation", "Corps n° 2", to=["b@alize.test"]),
        ]
    )
    assert sent == 2
    files = sorted(tmp_path.glob("*.eml"))
    assert len(files) == 2
    recipients = {email.message_from_bytes(f.read_bytes())["To"] for f in files}
    assert recipients == {"a@alize.test", "b@alize.test"}


def test_amounts_and_counts_are_written_the_french_way():
    assert euros(Decimal("15000")) == "15\u202f000\u00a0€"
    assert euros(Decimal("1090000.5"), 2) == "1\u202f090\u202f000,50\u00a0€"
    assert euros(None) == "—"
    assert integer(350000) == "350\u202f000"
