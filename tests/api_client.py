"""Calling the REST API in tests as each persona of the `personas` fixture."""

from __future__ import annotations

from typing import Any

from django.test import Client

from alveole.people.services import api_token_create


class PersonaApi:
    """Calls the API as each persona with its own bearer token (`anonymous` has none).

    `base` prefixes every URL; `json_on_write` sends an empty JSON body with a POST or PATCH
    that has none; `multipart=True` posts `body` as a form (file uploads).
    """

    def __init__(self, personas: Any, base: str = "", *, json_on_write: bool = False) -> None:
        self.personas = personas
        self.base = base
        self.json_on_write = json_on_write
        self.headers: dict[str, dict[str, str]] = {"anonymous": {}}
        for persona in personas.all():
            if persona.user is not None:
                _, raw = api_token_create(actor=None, user=persona.user, name="tests")
                self.headers[persona.name] = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def __call__(
        self, who: str, method: str, url: str, body: Any = None, multipart: bool = False
    ) -> Any:
        call = getattr(Client(), method)
        path = self.base + url
        kwargs: dict[str, Any] = dict(self.headers[who])
        if multipart:
            return call(path, body, **kwargs)
        if body is None and self.json_on_write and method in ("post", "patch"):
            body = {}
        if body is not None:
            return call(path, body, content_type="application/json", **kwargs)
        return call(path, **kwargs)
