"""A staff member's calendar as an iCalendar feed (RFC 5545), written by hand."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone

from alveole.support.models import Appointment, Slot

PRODID = "-//Alvéole//Accompagnement//FR"


def _escape(text: str) -> str:
    """TEXT escaping of RFC 5545 §3.3.11."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts = []
    current = b""
    limit = 75
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > limit:
            parts.append(current.decode("utf-8"))
            current = b""
            limit = 74  # continuation lines start with a space
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(
    uid: str,
    start: datetime.datetime,
    end: datetime.datetime,
    summary: str,
    location: str,
    description: str,
    stamp: datetime.datetime,
) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(start)}",
        f"DTEND:{_utc(end)}",
        f"SUMMARY:{_escape(summary)}",
    ]
    if location:
        lines.append(f"LOCATION:{_escape(location)}")
    if description:
        lines.append(f"DESCRIPTION:{_escape(description)}")
    lines.append("END:VEVENT")
    return lines


def calendar_text(
    *, name: str, host: str, appointments: Iterable[Appointment], slots: Iterable[Slot]
) -> str:
    """The feed: appointments (subject, place, participants — never notes) and training half-days."""
    stamp = timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
    ]
    for appointment in appointments:
        people = ", ".join(str(p) for p in appointment.participants.all())
        description = "\n".join(x for x in (people, appointment.video_link) if x)
        lines += _event(
            f"appointment-{appointment.pk}@{host}",
            appointment.starts_at,
            appointment.ends_at,
            f"RDV : {appointment.subject}",
            appointment.place or appointment.video_link,
            description,
            stamp,
        )
    for slot in slots:
        session = slot.session
        lines += _event(
            f"slot-{slot.pk}@{host}",
            slot.starts_at,
            slot.ends_at,
            f"Atelier : {session.workshop.title}",
            session.location,
            session.video_link if session.online else "",
            stamp,
        )
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
