"""Pages of the shares register: the register and capital, subscriptions, departures, settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from alveole.core.dates import today
from alveole.core.formatting import format_cents, format_date
from alveole.core.forms_errors import apply_errors
from alveole.core.money import to_cents
from alveole.core.permissions import is_cooperative_wide, role_required
from alveole.core.roles import Role
from alveole.core.services import audit_record
from alveole.core.tabular import table_response
from alveole.governance import access, selectors, services
from alveole.governance.forms import (
    AtForm,
    RefundForm,
    RefundPayForm,
    ReleaseForm,
    SettingsForm,
    SubscriptionForm,
    admissible_people,
)
from alveole.governance.models import Assembly, ShareRefund
from alveole.governance.views.common import form_page, governance_access, manager_required
from alveole.people.models import Associateship, Person


@governance_access()
def home(request: HttpRequest) -> HttpResponse:
    """The governance overview: the capital today, the next assemblies, one's own space."""
    day = today()
    upcoming = []
    if access.can_see_assemblies(request.user):
        upcoming = list(
            selectors.assemblies_for(user=request.user).exclude(status=Assembly.Status.CLOSED)[:5]
        )
    context = {
        "capital": selectors.register_capital(user=request.user, at=day),
        "upcoming": upcoming,
        "is_associate": access.is_associate(request.user),
        "can_manage": access.can_manage_governance(request.user),
        "can_see_assemblies": access.can_see_assemblies(request.user),
        "departed": selectors.departed_with_shares(user=request.user, at=day).count()
        if is_cooperative_wide(request.user)
        else 0,
    }
    return render(request, "governance/home.html", context)


@governance_access(access.is_associate)
def my_space(request: HttpRequest) -> HttpResponse:
    """An associate's own page: my shares, my convocations and votes, my mandates."""
    person = request.user.person
    day = today()
    context = {
        "person": person,
        "holding": selectors.person_holding(person, day),
        "subscriptions": selectors.subscriptions_of(user=request.user, person_id=person.pk),
        "refunds": selectors.refunds_of(user=request.user, person_id=person.pk),
        "convocations": selectors.convocations_of(user=request.user),
        "mandates": person.mandates.select_related("elected_by").order_by("-start_date"),
    }
    return render(request, "governance/me.html", context)


def _category_label(value: str | None) -> str:
    return str(Associateship.Category(value).label) if value else ""


@governance_access(access.can_read_register)
def register(request: HttpRequest) -> HttpResponse:
    """The register of associates and the capital at a date, with the legal ratios."""
    form = AtForm(request.GET or None)
    day = form.day()
    rows = selectors.register_at(user=request.user, at=day)
    full = is_cooperative_wide(request.user)  # associates see names, categories and shares
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        if not full:
            raise PermissionDenied
        return _export(request, rows, day, export)
    context = {
        "form": form,
        "at": day,
        "rows": rows,
        "capital": selectors.register_capital(user=request.user, at=day),
        "full": full,
        "can_manage": access.can_manage_governance(request.user),
        "query": request.GET.urlencode(),
    }
    return render(request, "governance/register.html", context)


def _export(request: HttpRequest, rows, day, fmt: str) -> HttpResponse:
    header = [
        _("Nom"), _("Prénom"), _("Catégorie"), _("Associé·e depuis"), _("A quitté le sociétariat le"),
        _("Parts"), _("Capital souscrit (€)"), _("Capital libéré (€)"),
    ]  # fmt: skip
    data = (
        [
            p.last_name,
            p.first_name,
            _category_label(p.category),
            format_date(p.associate_since),
            "" if p.is_associate else format_date(p.left_on),
            p.shares_held,
            format_cents(p.capital_cents, currency=False),
            format_cents(p.paid_up_cents, currency=False),
        ]
        for p in rows
    )
    audit_record(
        actor=request.user, action="export", target_type="governance.sharesubscription",
        summary=f"Export du registre des associé·es au {format_date(day)} ({fmt})",
    )  # fmt: skip
    return table_response(
        filename=f"registre-associes-{day.isoformat()}", fmt=fmt, header=header, rows=data
    )


def _subscription_page(request: HttpRequest, *, admit: bool) -> HttpResponse:
    parameters = selectors.governance_settings()
    people = admissible_people() if admit else selectors.associates_at(today())
    form = SubscriptionForm(
        request.POST or None, people=people, nominal_cents=parameters.share_nominal_cents
    )
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        service = services.associate_admit if admit else services.shares_subscribe
        try:
            subscription = service(actor=request.user, **kwargs)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("La souscription de %(person)s est enregistrée.") % {"person": kwargs["person"]},
            )
            return redirect("governance:subscription", pk=subscription.pk)
    title = _("Admettre un·e associé·e") if admit else _("Nouvelle souscription de parts")
    intro = (
        _(
            "L'admission enregistre l'entrée au sociétariat et la première souscription en une "
            "seule fois. Un·e entrepreneur·e doit être en CESA."
        )
        if admit
        else _("Une souscription est réservée aux associé·es à sa date.")
    )
    return form_page(
        request, form=form, title=title, intro=intro, back_url=reverse("governance:register"),
        submit=_("Enregistrer"),
    )  # fmt: skip


@manager_required
def admit(request: HttpRequest) -> HttpResponse:
    """Admit an associate: people's associate_join and the first subscription, together."""
    return _subscription_page(request, admit=True)


@manager_required
def subscribe(request: HttpRequest) -> HttpResponse:
    """Record more shares for an existing associate."""
    return _subscription_page(request, admit=False)


@governance_access()
def subscription_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A subscription with its schedule and releases (its holder, or staff roles)."""
    subscription = selectors.subscription_get(user=request.user, pk=pk)
    context = {
        "subscription": subscription,
        "unpaid_cents": subscription.amount_cents - subscription.released_cents,
        "can_manage": access.can_manage_governance(request.user),
    }
    return render(request, "governance/subscription.html", context)


@manager_required
def release(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a payment on a subscription."""
    subscription = selectors.subscription_get(user=request.user, pk=pk)
    form = ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.shares_release_record(
                actor=request.user, subscription=subscription, date=form.cleaned_data["date"],
                amount_cents=to_cents(form.cleaned_data["amount"]), method=form.cleaned_data["method"],
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le paiement est enregistré."))
            return redirect("governance:subscription", pk=pk)
    return form_page(
        request, form=form, back_url=reverse("governance:subscription", args=[pk]),
        title=_("Libération de parts — %(person)s") % {"person": subscription.person},
        submit=_("Enregistrer le paiement"),
    )  # fmt: skip


@governance_access(is_cooperative_wide)
def departures(request: HttpRequest) -> HttpResponse:
    """Former associates whose shares are to be refunded, and refunds not yet paid."""
    day = today()
    context = {
        "departed": selectors.departed_with_shares(user=request.user, at=day),
        "refunds": selectors.refunds_unpaid(user=request.user),
        "can_manage": access.can_manage_governance(request.user),
    }
    return render(request, "governance/departures.html", context)


@manager_required
def refund(request: HttpRequest, person_pk: int) -> HttpResponse:
    """Cancel a former associate's shares and record the refund owed."""
    person = get_object_or_404(
        selectors.departed_with_shares(user=request.user, at=today()), pk=person_pk
    )
    # Every field is optional: an empty POST is still a submission.
    form = RefundForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.shares_refund_on_exit(
                actor=request.user, person=Person.objects.get(pk=person.pk), date=data["date"],
                amount_cents=to_cents(data["amount"]) if data["amount"] is not None else None,
                reason=data["reason"],
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le remboursement est enregistré."))
            return redirect("governance:departures")
    return form_page(
        request, form=form, back_url=reverse("governance:departures"),
        title=_("Remboursement des parts — %(person)s") % {"person": person},
        intro=_("%(shares)s part(s), %(paid)s libéré(s) à ce jour.")
        % {"shares": person.shares_held, "paid": format_cents(person.paid_up_cents)},
        submit=_("Annuler les parts et enregistrer le remboursement"),
    )  # fmt: skip


@manager_required
def refund_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that a refund was paid."""
    refund_ = get_object_or_404(selectors.refunds_unpaid(user=request.user), pk=pk)
    form = RefundPayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.shares_refund_pay(
                actor=request.user, refund=ShareRefund.objects.get(pk=pk),
                paid_on=form.cleaned_data["paid_on"],
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le remboursement est marqué payé."))
            return redirect("governance:departures")
    return form_page(
        request, form=form, back_url=reverse("governance:departures"),
        title=_("Paiement du remboursement — %(person)s") % {"person": refund_.person},
        submit=_("Enregistrer"),
    )  # fmt: skip


@role_required(Role.DIRECTOR)
def settings_page(request: HttpRequest) -> HttpResponse:
    """The governance parameters taken from the statutes (director only)."""
    current = selectors.governance_settings()
    initial = {
        "notice_days_first": current.notice_days_first,
        "notice_days_second": current.notice_days_second,
        "board_max_size": current.board_max_size,
        "share_nominal": current.share_nominal_cents / 100,
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.governance_settings_update(actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Les paramètres de gouvernance sont enregistrés."))
            return redirect("governance:home")
    return form_page(
        request, form=form, back_url=reverse("governance:home"),
        title=_("Paramètres de gouvernance"), submit=_("Enregistrer"),
        intro=_("Valeurs tirées des statuts ; les minimums légaux sont vérifiés."),
    )  # fmt: skip
