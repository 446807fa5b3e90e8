"""REST routes of this app (filled in by the API work)."""

from ninja import Router

router = Router()
