"""Templates: every POST form carries a CSRF token; no inline script or event handler."""

from __future__ import annotations

import re
from pathlib import Path

import alveole

ROOT = Path(alveole.__file__).resolve().parent
TEMPLATES = sorted(
    path
    for path in ROOT.glob("*/templates/**/*.html")
    if "/pdf/" not in path.as_posix() and "/email" not in path.as_posix()
)
FORM = re.compile(r"<form\b[^>]*>(.*?)</form>", re.IGNORECASE | re.DOTALL)
POST = re.compile(r"""method\s*=\s*["']?post""", re.IGNORECASE)


def test_the_walk_finds_templates():
    assert len(TEMPLATES) > 50
    assert any(path.name == "login.html" for path in TEMPLATES)


def test_every_post_form_has_a_csrf_token():
    missing = []
    checked = 0
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        for match in FORM.finditer(text):
            opening = match.group(0)[: match.group(0).find(">") + 1]
            checked += bool(POST.search(opening))
            if POST.search(opening) and "{% csrf_token %}" not in match.group(1):
                line = text[: match.start()].count("\n") + 1
                missing.append(f"{path.relative_to(ROOT)}:{line}")
    assert checked > 50  # the walk reads the forms
    assert not missing, "POST forms without {% csrf_token %}: " + ", ".join(missing)


def test_htmx_posts_carry_the_csrf_token():
    """hx-post outside a form needs the token in hx-headers (set once on <body> in base)."""
    base = (ROOT / "core/templates/base.html").read_text(encoding="utf-8")
    uses_hx_post = any(
        re.search(r"\bhx-(post|put|patch|delete)=", path.read_text(encoding="utf-8"))
        for path in TEMPLATES
    )
    if uses_hx_post:
        assert "X-CSRFToken" in base and "csrf_token" in base


def test_no_inline_script_or_event_handler():
    found = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", text, re.IGNORECASE):
            if "src=" not in match.group(1) and 'type="application/json"' not in match.group(1):
                found.append(f"{path.relative_to(ROOT)}: inline <script>")
        for match in re.finditer(r"\son[a-z]+\s*=\s*[\"']", text, re.IGNORECASE):
            found.append(f"{path.relative_to(ROOT)}: inline handler {match.group(0).strip()}")
        if re.search(r"""href\s*=\s*["']\s*javascript:""", text, re.IGNORECASE):
            found.append(f"{path.relative_to(ROOT)}: javascript: link")
    assert not found, "\n".join(found)
