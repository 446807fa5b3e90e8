"""`alveole token create EMAIL NAME | list EMAIL | revoke PREFIX`: manage API tokens."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from alveole.people.models import ApiToken, User
from alveole.people.services import api_token_create, api_token_revoke


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


class Command(BaseCommand):
    help = _("Crée, liste ou révoque les jetons d'API d'un compte.")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help=_("Crée un jeton et l'affiche une seule fois."))
        create.add_argument("email", help=_("Adresse e-mail du compte."))
        create.add_argument("name", help=_("Nom du jeton (à quoi il sert)."))
        listing = actions.add_parser("list", help=_("Liste les jetons d'un compte."))
        listing.add_argument("email", help=_("Adresse e-mail du compte."))
        revoke = actions.add_parser("revoke", help=_("Révoque un jeton par son préfixe."))
        revoke.add_argument(
            "prefix", help=_("Préfixe du jeton, tel que `token list` l'affiche (alv_…).")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _user(self, email: str) -> User:
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None:
            raise CommandError(_("Aucun compte avec l'adresse %(email)s.") % {"email": email})
        return user

    def _create(self, options: dict[str, Any]) -> None:
        user = self._user(options["email"])
        try:
            token, raw = api_token_create(actor=None, user=user, name=options["name"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            _("Jeton « %(name)s » créé pour %(email)s :")
            % {"name": token.name, "email": user.email}
        )
        self.stdout.write(raw)
        self.stdout.write(_("Conservez-le maintenant : il ne sera plus jamais affiché."))

    def _list(self, options: dict[str, Any]) -> None:
        user = self._user(options["email"])
        tokens = list(ApiToken.objects.filter(user=user).order_by("-created_at", "-pk"))
        if not tokens:
            self.stdout.write(_("Aucun jeton pour %(email)s.") % {"email": user.email})
            return
        for token in tokens:
            used = (
                _("utilisé le %(when)s") % {"when": _when(token.last_used_at)}
                if token.last_used_at
                else _("jamais utilisé")
            )
            state = (
                _("révoqué le %(when)s") % {"when": _when(token.revoked_at)}
                if token.revoked_at
                else _("actif")
            )
            created = _("créé le %(when)s") % {"when": _when(token.created_at)}
            # Shown with its ``alv_`` head, as the token itself starts: a bare prefix may
            # start with "-", which the command line would read as an option.
            self.stdout.write(f"alv_{token.prefix}…  {token.name}  {created}  {used}  {state}")

    def _revoke(self, options: dict[str, Any]) -> None:
        prefix = options["prefix"].strip().removeprefix("alv_").rstrip("…")
        tokens = list(
            ApiToken.objects.filter(prefix__startswith=prefix, revoked_at__isnull=True)
            if prefix
            else []
        )
        if not tokens:
            raise CommandError(
                _("Aucun jeton actif ne commence par %(prefix)s.") % {"prefix": prefix}
            )
        if len(tokens) > 1:
            raise CommandError(
                _("Plusieurs jetons commencent par %(prefix)s : donnez le préfixe complet.")
                % {"prefix": prefix}
            )
        token = api_token_revoke(actor=None, token=tokens[0])
        self.stdout.write(
            _("Jeton « %(name)s » (%(prefix)s…) révoqué.")
            % {"name": token.name, "prefix": token.prefix}
        )
