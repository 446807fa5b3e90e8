"""Pages of the signed minutes: naming the chair and secretary, and their signatures."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alveole.core.forms_errors import apply_errors
from alveole.governance import access, selectors, services
from alveole.governance.forms import SignatureForm
from alveole.governance.models import Assembly, MinutesSignature, SignatoryRole
from alveole.governance.views.common import assemblies_required, form_page, manager_required


class SignatoriesForm(forms.Form):
    """The chair and secretary of the session, among the associates at the assembly's date."""

    chair = forms.ModelChoiceField(label=gettext_lazy("Président·e de séance"), queryset=None)
    secretary = forms.ModelChoiceField(label=gettext_lazy("Secrétaire de séance"), queryset=None)

    def __init__(self, *args, assembly: Assembly, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("chair", "secretary"):
            self.fields[name].queryset = selectors.associates_at(assembly.date)


def _back(assembly: Assembly, user) -> str:
    if access.can_manage_governance(user):
        return reverse("governance:assembly", args=[assembly.pk])
    return reverse("governance:participate", args=[assembly.pk])


@manager_required
def signatories(request: HttpRequest, pk: int) -> HttpResponse:
    """Name the chair and the secretary of the session (until the minutes are signed)."""
    assembly = selectors.assembly_get(user=request.user, pk=pk)
    initial = {"chair": assembly.chair, "secretary": assembly.secretary}
    form = SignatoriesForm(request.POST or None, initial=initial, assembly=assembly)
    if request.method == "POST" and form.is_valid():
        try:
            services.assembly_update(actor=request.user, assembly=assembly, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("La présidence et le secrétariat de séance sont désignés."))
            return redirect("governance:assembly", pk=pk)
    return form_page(
        request, form=form, title=_("Présidence et secrétariat de séance — %(assembly)s")
        % {"assembly": assembly}, back_url=_back(assembly, request.user), submit=_("Enregistrer"),
    )  # fmt: skip


@assemblies_required
def minutes_sign(request: HttpRequest, pk: int, role: str) -> HttpResponse:
    """The chair or secretary signs the minutes: drawn on the pad, or online from their account.

    Support staff and direction may collect a drawn signature on their tablet; the
    signatory themself may also sign online with one click.
    """
    if role not in SignatoryRole.values:
        raise Http404
    assembly = selectors.assembly_get(user=request.user, pk=pk)
    designated = assembly.chair if role == SignatoryRole.CHAIR else assembly.secretary
    own = designated is not None and designated.pk == request.user.person_id
    if not (own or access.can_manage_governance(request.user)):
        raise PermissionDenied
    form = SignatureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        online = request.POST.get("online") == "1"
        try:
            if online and not own:
                raise PermissionDenied
            png = b"" if online else services.decode_signature(form.cleaned_data["signature"])
            services.minutes_sign(
                actor=request.user, assembly=assembly, role=role, signature_png=png,
                ip_address=request.META.get("REMOTE_ADDR"),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )  # fmt: skip
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Le procès-verbal est signé."))
            return redirect(_back(assembly, request.user))
    status = 400 if request.method == "POST" else 200
    context = {
        "assembly": assembly,
        "person": designated,
        "role_label": SignatoryRole(role).label,
        "form": form,
        "own": own,
        "signed": MinutesSignature.objects.filter(assembly=assembly, role=role).first(),
        "back_url": _back(assembly, request.user),
        "title": _("Signature du procès-verbal — %(role)s") % {"role": SignatoryRole(role).label},
    }
    return render(request, "governance/minutes_sign.html", context, status=status)
