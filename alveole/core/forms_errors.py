"""Putting a service's ValidationError onto the form that called it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def apply_errors(
    form: forms.Form, error: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Show the error on the field it names when the form has it, else above the form.

    `aliases` maps a service's field name to the form's (`business` → `business_id`).
    """
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            name = aliases.get(name, name)
            target = name if name in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
