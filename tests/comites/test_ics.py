"""The `.ics` invitation: a VCALENDAR with one VEVENT, UTC times, a stable UID, CRLF lines,
escaped text, folded lines."""

import datetime
import zoneinfo

import pytest

from comites.ics import (
    Invitation,
    Person,
    build_ics,
    escape_text,
    fold,
    session_invitation,
    session_uid,
)
from tests.comites.factories import SessionFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
STAMP = datetime.datetime(2026, 1, 15, 10, 0, tzinfo=datetime.UTC)


def unfold(text: str) -> list[str]:
    """The content lines, as a calendar reads them (RFC 5545, 3.1)."""
    return text.replace("\r\n ", "").split("\r\n")[:-1]


def properties(text: str) -> dict[str, str]:
    return dict(line.split(":", 1) for line in unfold(text))


def invitation(**overrides) -> Invitation:
    values = {
        "uid": "seance-42@alize",
        "starts_at": datetime.datetime(2026, 1, 26, 14, 30, tzinfo=PARIS),
        "ends_at": datetime.datetime(2026, 1, 26, 16, 30, tzinfo=PARIS),
        "summary": "Comité d'agrément du Valenciennois – séance du 26/01/2026",
        "stamp": STAMP,
        "location": "CCI du Valenciennois, salle 2; 1er étage",
        "organizer": Person("CCI du Valenciennois", "comites@cciv.test"),
        "attendees": (Person("Delattre, Claire", "claire.delattre@vallourec.test"),),
    }
    values.update(overrides)
    return Invitation(**values)


def test_one_event_in_one_calendar():
    lines = unfold(build_ics(invitation()))
    assert lines[:5] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Alize//Comites//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
    ]
    assert lines[-2:] == ["END:VEVENT", "END:VCALENDAR"]
    assert lines.count("BEGIN:VEVENT") == 1


def test_times_are_written_in_utc():
    winter = properties(build_ics(invitation()))
    assert winter["DTSTART"] == "20260126T133000Z"  # 14:30 in Paris, UTC+1
    assert winter["DTEND"] == "20260126T153000Z"
    assert winter["DTSTAMP"] == "20260115T100000Z"
    summer = properties(
        build_ics(
            invitation(
                starts_at=datetime.datetime(2026, 7, 1, 9, 0, tzinfo=PARIS),
                ends_at=datetime.datetime(2026, 7, 1, 11, 0, tzinfo=PARIS),
            )
        )
    )
    assert summer["DTSTART"] == "20260701T070000Z"  # UTC+2


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="aware"):
        build_ics(invitation(starts_at=datetime.datetime(2026, 1, 26, 14, 30)))


def test_lines_end_with_crlf_only():
    text = build_ics(invitation(description="Ordre du jour :\n1. Heuille\n2. Leroy"))
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "\r" not in text.replace("\r\n", "")


def test_commas_semicolons_backslashes_and_line_breaks_are_escaped():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    props = properties(build_ics(invitation(description="1. Heuille, Saint-Amand\n2. Leroy")))
    assert props["LOCATION"] == "CCI du Valenciennois\\, salle 2\\; 1er étage"
    assert props["DESCRIPTION"] == "1. Heuille\\, Saint-Amand\\n2. Leroy"
    assert props["SUMMARY"] == "Comité d'agrément du Valenciennois – séance du 26/01/2026"


def test_names_with_commas_are_quoted_in_parameters():
    lines = unfold(build_ics(invitation()))
    assert "ORGANIZER;CN=CCI du Valenciennois:mailto:comites@cciv.test" in lines
    assert (
        'ATTENDEE;CN="Delattre, Claire";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;'
        "RSVP=TRUE:mailto:claire.delattre@vallourec.test"
    ) in lines


def test_long_lines_are_folded_at_75_octets_without_breaking_a_character():
    description = "Dossier de l'entreprise d'usinage de précision " * 6
    text = build_ics(invitation(description=description))
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    assert properties(text)["DESCRIPTION"] == escape_text(description)
    folded = fold("X" * 74 + "é")
    assert folded == "X" * 74 + "\r\n é"


def test_a_cancellation_and_a_publication():
    assert "METHOD:CANCEL" in unfold(build_ics(invitation(cancelled=True)))
    assert "STATUS:CANCELLED" in unfold(build_ics(invitation(cancelled=True)))
    assert "METHOD:PUBLISH" in unfold(build_ics(invitation(organizer=None)))


@pytest.mark.django_db
def test_a_sessions_invitation_keeps_its_uid():
    session = SessionFactory(
        starts_at=datetime.datetime(2026, 12, 8, 9, 30, tzinfo=PARIS),
        video_link="https://visio.example.test/comite",
        place="",
    )
    first = build_ics(session_invitation(session, stamp=STAMP, agenda=["Heuille", "Leroy"]))
    resent = build_ics(
        session_invitation(
            session, stamp=STAMP + datetime.timedelta(days=1), sequence=1, agenda=["Heuille"]
        )
    )
    assert properties(first)["UID"] == properties(resent)["UID"] == session_uid(session)
    assert session_uid(session) == f"seance-{session.pk}@alize"
    assert properties(resent)["SEQUENCE"] == "1"
    props = properties(first)
    assert props["DTSTART"] == "20261208T083000Z"
    assert props["DTEND"] == "20261208T103000Z"
    assert props["LOCATION"] == "https://visio.example.test/comite"
    assert props["URL"] == "https://visio.example.test/comite"
    assert props["DESCRIPTION"].startswith("Ordre du jour :\\n1. Heuille\\n2. Leroy")
    assert props["SUMMARY"].endswith("séance du 08/12/2026")
