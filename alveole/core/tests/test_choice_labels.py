"""`get_FOO_display()` of our models: Django's answer, from a dict built once per field."""

from __future__ import annotations

from django.utils.functional import Promise

from alveole.core import models as core_models
from alveole.sales.models import Customer, Invoice, InvoiceStatus


def test_display_answers_as_django_and_builds_the_dict_once():
    invoice = Invoice(status=InvoiceStatus.PARTLY_PAID, kind=Invoice.Kind.CREDIT_NOTE)
    field = Invoice._meta.get_field("status")
    core_models._CHOICE_LABELS.pop(field, None)
    django_answer = super(core_models.TimeStampedModel, invoice)._get_FIELD_display(field)
    assert invoice.get_status_display() == django_answer == str(InvoiceStatus.PARTLY_PAID.label)
    built = core_models._CHOICE_LABELS[field]
    assert invoice.get_status_display() == django_answer
    assert core_models._CHOICE_LABELS[field] is built
    assert invoice.get_kind_display() == str(Invoice.Kind.CREDIT_NOTE.label)


def test_display_of_a_value_outside_the_choices_is_the_value():
    assert Invoice(status="unknown").get_status_display() == "unknown"
    assert Customer(kind="").get_kind_display() == ""


def test_labels_stay_lazy_so_each_call_answers_in_the_current_language():
    field = Invoice._meta.get_field("status")
    Invoice(status=InvoiceStatus.PAID).get_status_display()
    labels = core_models._CHOICE_LABELS[field]
    assert labels and all(isinstance(label, Promise) for label in labels.values())
