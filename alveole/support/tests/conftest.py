"""Fixtures of the support tests: a workshop, a session running today, signatures."""

from __future__ import annotations

import base64
import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw

from alveole.support import services
from alveole.support.models import Workshop, WorkshopSession
from alveole.support.services import SlotSpec


@pytest.fixture(autouse=True)
def _immediate_tasks(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def drawn_signature(width: int = 300, height: int = 120) -> str:
    """A PNG data URL with a stroke on a transparent background, as signature.js posts it."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).line(
        [(10, 80), (90, 20), (200, 90), (280, 30)], fill=(0, 0, 0, 255), width=3
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def blank_signature() -> str:
    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def make_workshop(**fields) -> Workshop:
    defaults = {
        "title": "Fixer ses prix", "objectives": "Calculer un prix de revient.",
        "programme": "1. Coûts\n2. Marge", "duration_hours": 7, "capacity": 2,
    }  # fmt: skip
    defaults.update(fields)
    return services.workshop_create(actor=None, **defaults)


def slot_around(moment: datetime.datetime, half_day: str = "morning") -> SlotSpec:
    """A half-day slot that contains `moment` (local time)."""
    local = timezone.localtime(moment)
    if half_day == "morning":
        return SlotSpec(local.date(), "morning", datetime.time(8, 0), datetime.time(12, 0))
    return SlotSpec(local.date(), "afternoon", datetime.time(13, 0), datetime.time(18, 0))


def make_session(workshop: Workshop, trainer, slots: list[SlotSpec], **fields) -> WorkshopSession:
    defaults = {"place": "Salle du conseil"}
    defaults.update(fields)
    trainer_key = "trainer_user" if hasattr(trainer, "role") else "trainer_person"
    return services.session_create(
        actor=None, workshop=workshop, slots=slots, **{trainer_key: trainer}, **defaults
    )


def future_slots(days: int = 10) -> list[SlotSpec]:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return [
        SlotSpec(day, "morning", datetime.time(9, 0), datetime.time(12, 30)),
        SlotSpec(day, "afternoon", datetime.time(13, 30), datetime.time(17, 0)),
    ]


def past_slots(days: int = 10) -> list[SlotSpec]:
    return future_slots(-days)


@pytest.fixture
def workshop(personas) -> Workshop:
    return make_workshop(trainer_user=personas.staff.user)


@pytest.fixture
def session(workshop, personas) -> WorkshopSession:
    """A session in ten days with two half-days and two places, run by the staff persona."""
    return make_session(workshop, personas.staff.user, future_slots())
