"""Fixtures for the einvoicing tests: the official artefacts and samples, when installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from alveole.einvoicing import validation
from alveole.einvoicing.validation import Artefacts


@pytest.fixture(scope="session")
def artefacts() -> Artefacts:
    """The official validation artefacts, compiled once for the whole session; skip without them."""
    found = validation.default_artefacts()
    if not found.en16931_cii.is_file():
        pytest.skip(
            f"artefacts officiels de facturation électronique absents ({found.root}) : "
            f"installer ../shared/einvoice ou définir {validation.SETTING}"
        )
    validation.warm_up(found)  # every stylesheet compiled once, shared by all tests
    return found


@pytest.fixture(scope="session")
def samples(artefacts: Artefacts) -> Path:
    """The folder of sample invoices that sits beside the artefacts; skip when absent."""
    folder = artefacts.root / "samples"
    if not folder.is_dir():
        pytest.skip(f"exemples de factures absents ({folder})")
    return folder
