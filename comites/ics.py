"""The `.ics` invitation to a session (iCalendar, RFC 5545), built without a dependency.

`build_ics` is a pure function of an `Invitation`: the convocation email attaches its
output. Times are written in UTC (`DTSTART:20260126T133000Z`), which every calendar
converts to the reader's zone; the UID of a session never changes, so a re-sent
convocation (a higher `sequence`) updates the event instead of adding a second one.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

CRLF = "\r\n"
PRODID = "-//Alize//Comites//FR"
LINE_OCTETS = 75
UID_DOMAIN = "alize"


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Invitation:
    uid: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    summary: str
    stamp: datetime.datetime
    location: str = ""
    description: str = ""
    url: str = ""
    organizer: Person | None = None
    attendees: Sequence[Person] = field(default_factory=tuple)
    sequence: int = 0
    cancelled: bool = False


def escape_text(value: str) -> str:
    """A TEXT value: backslash, semicolon and comma escaped, line breaks as \\n."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def param_value(value: str) -> str:
    """A parameter value (CN=…): quoted when it holds : ; or , ; quotes and control
    characters, which a parameter cannot carry, are dropped."""
    value = "".join(ch for ch in value if ch != '"' and (ch == "\t" or ord(ch) >= 32))
    return f'"{value}"' if any(ch in value for ch in ":;,") else value


def utc(moment: datetime.datetime) -> str:
    if timezone.is_naive(moment):
        raise ValueError("An invitation needs aware datetimes.")
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Cut a content line into lines of at most 75 octets, continuation lines starting
    with a space, never inside a UTF-8 character."""
    parts, current, size = [], "", 0
    for ch in line:
        octets = len(ch.encode("utf-8"))
        if size + octets > LINE_OCTETS:
            parts.append(current)
            current, size = " ", 1
        current += ch
        size += octets
    parts.append(current)
    return CRLF.join(parts)


def _person(prop: str, person: Person, extra: str = "") -> str:
    return f"{prop};CN={param_value(person.name)}{extra}:mailto:{person.email}"


def build_ics(invitation: Invitation) -> str:
    """The calendar text: one VCALENDAR holding one VEVENT, CRLF line endings."""
    method = "CANCEL" if invitation.cancelled else "REQUEST" if invitation.organizer else "PUBLISH"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{invitation.uid}",
        f"DTSTAMP:{utc(invitation.stamp)}",
        f"DTSTART:{utc(invitation.starts_at)}",
        f"DTEND:{utc(invitation.ends_at)}",
        f"SEQUENCE:{invitation.sequence}",
        f"STATUS:{'CANCELLED' if invitation.cancelled else 'CONFIRMED'}",
        f"SUMMARY:{escape_text(invitation.summary)}",
    ]
    if invitation.location:
        lines.append(f"LOCATION:{escape_text(invitation.location)}")
    if invitation.description:
        lines.append(f"DESCRIPTION:{escape_text(invitation.description)}")
    if invitation.url:
        lines.append(f"URL:{invitation.url}")
    if invitation.organizer:
        lines.append(_person("ORGANIZER", invitation.organizer))
    for attendee in invitation.attendees:
        lines.append(
            _person(
                "ATTENDEE",
                attendee,
                ";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE",
            )
        )
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + CRLF for line in lines)


def session_uid(session) -> str:
    """Stable for the life of the session: a re-sent convocation updates the event."""
    return f"seance-{session.pk}@{UID_DOMAIN}"


def session_invitation(
    session,
    *,
    stamp: datetime.datetime,
    agenda: Iterable[str] = (),
    organizer: Person | None = None,
    attendees: Iterable[Person] = (),
    sequence: int = 0,
) -> Invitation:
    """The invitation to a session (its committee loaded), with the agenda's lines as the
    description. The video link, when there is one, is the event's URL too."""
    day = timezone.localtime(session.starts_at)
    agenda = list(agenda)
    description = "\n".join(
        ["Ordre du jour :", *[f"{n}. {line}" for n, line in enumerate(agenda, start=1)]]
        if agenda
        else []
    )
    if session.agenda_notes:
        description = f"{description}\n{session.agenda_notes}".strip()
    if session.video_link:
        description = f"{description}\nVisioconférence : {session.video_link}".strip()
    return Invitation(
        uid=session_uid(session),
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=f"{session.committee} – séance du {day:%d/%m/%Y}",
        stamp=stamp,
        location=session.place or session.video_link,
        description=description,
        url=session.video_link,
        organizer=organizer,
        attendees=tuple(attendees),
        sequence=sequence,
    )
