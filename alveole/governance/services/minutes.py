"""The signed minutes of an assembly: the chair and secretary sign, then the PDF is frozen.

Each signatory draws their signature (tablet or their own screen) or signs online with
their logged-in account; the signature keeps its time, IP address and browser and never
changes. Once both have signed, the minutes PDF — showing both signatures with their
time, and the SHA-256 of each archived document — is rendered once and stored with its
SHA-256: it is served as stored, never regenerated.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from alveole.core.services import audit_record
from alveole.governance.models import Assembly, Minutes, MinutesSignature, SignatoryRole
from alveole.governance.services.assemblies import PNG_MAGIC, session_moment

USER_AGENT_MAX = 500


@transaction.atomic
def minutes_sign(
    *,
    actor: Any,
    assembly: Assembly,
    role: str,
    signature_png: bytes = b"",
    ip_address: str | None = None,
    user_agent: str = "",
    at: datetime.datetime | None = None,
) -> MinutesSignature:
    """Record the signature of the minutes by the assembly's designated chair or secretary.

    With a drawn PNG the signature is drawn; without one it is an online signature, which
    only the signatory's own logged-in account can give. For an assembly recorded
    afterwards, `at` dates the signature of the paper minutes (no image). The second
    signature freezes the minutes PDF.
    """
    # Lock the assembly row alone (PostgreSQL refuses FOR UPDATE on nullable joins).
    assembly = Assembly.objects.select_for_update(of=("self",)).get(pk=assembly.pk)
    moment = session_moment(assembly, at)
    if assembly.status != Assembly.Status.CLOSED:
        raise ValidationError(_("Le procès-verbal se signe une fois la séance close."))
    if role not in SignatoryRole.values:
        raise ValidationError({"role": _("Qualité inconnue.")})
    designated = assembly.chair if role == SignatoryRole.CHAIR else assembly.secretary
    if designated is None:
        raise ValidationError(
            {
                "role": _("Désignez d'abord le·la %(role)s.")
                % {"role": SignatoryRole(role).label.lower()}
            }
        )
    person = designated
    if MinutesSignature.objects.filter(assembly=assembly, role=role).exists():
        raise ValidationError(_("Le procès-verbal est déjà signé à ce titre."))
    if at is not None:
        method = MinutesSignature.Method.PAPER
        signature_png = b""
    elif signature_png:
        if not signature_png.startswith(PNG_MAGIC):
            raise ValidationError({"signature": _("La signature doit être une image PNG.")})
        method = MinutesSignature.Method.DRAWN
    else:
        if getattr(actor, "person_id", None) != person.pk:
            raise ValidationError(
                {
                    "signature": _(
                        "La signature en ligne se donne depuis le compte du ou de la signataire ; "
                        "sinon, faites-la dessiner."
                    )
                }
            )
        method = MinutesSignature.Method.ONLINE
    signature = MinutesSignature.objects.create(
        assembly=assembly,
        role=role,
        person=person,
        method=method,
        signed_at=moment,
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:USER_AGENT_MAX],
        user=actor if getattr(actor, "is_authenticated", False) else None,
        image_png=signature_png,
        image_sha256=hashlib.sha256(signature_png).hexdigest() if signature_png else "",
    )
    audit_record(
        actor=actor, action="create", target=signature,
        summary=f"Signature du procès-verbal de {assembly} par {person} ({signature.get_role_display()}, {signature.get_method_display()})",
        changes={"image_sha256": [None, signature.image_sha256]},
    )  # fmt: skip
    if MinutesSignature.objects.filter(assembly=assembly).count() == len(SignatoryRole.values):
        _freeze(actor=actor, assembly=assembly, moment=moment)
    return signature


def _freeze(*, actor: Any, assembly: Assembly, moment: datetime.datetime) -> Minutes:
    from alveole.governance.pdf import minutes_pdf  # WeasyPrint loads only when needed

    pdf = minutes_pdf(assembly)
    minutes = Minutes.objects.create(
        assembly=assembly, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(), frozen_at=moment
    )
    audit_record(
        actor=actor, action="create", target=minutes,
        summary=f"Procès-verbal signé de {assembly} figé",
        changes={"sha256": [None, minutes.sha256]},
    )  # fmt: skip
    return minutes
