"""Template helpers: French amounts and dates, Bootstrap classes on form widgets."""

from __future__ import annotations

from django import forms, template

from alveole.core.formatting import format_cents, format_date, format_hours

register = template.Library()


@register.filter
def cents(value: int | None) -> str:
    """Integer cents as a French amount: 2 582 855,00 €."""
    return format_cents(value)


@register.filter
def fr_date(value) -> str:
    """A date as 31/12/2021."""
    return format_date(value)


@register.filter
def hours(value) -> str:
    """Hours as 70 or 151,67."""
    return format_hours(value)


@register.filter
def widget_class(bound_field: forms.BoundField) -> str:
    """The Bootstrap class a widget wants."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select | forms.NullBooleanSelect):
        return "form-select"
    return "form-control"


@register.simple_tag
def render_widget(bound_field: forms.BoundField) -> str:
    """Render a field's widget with its Bootstrap class and error state."""
    css = widget_class(bound_field)
    if bound_field.errors:
        css += " is-invalid"
    attrs = {"class": css}
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{bound_field.auto_id}_errors"
    elif bound_field.help_text:
        attrs["aria-describedby"] = f"{bound_field.auto_id}_help"
    return bound_field.as_widget(attrs=attrs)
