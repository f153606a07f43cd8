"""Fixtures shared by the test modules (helpers live in support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeback.route import Router
from codeback.spec import resolve_agents
from support import make_repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The bundled sample, copied into a fresh git repository with one commit."""
    return make_repo(tmp_path / "webhook-delivery")


@pytest.fixture(scope="session")
def router() -> Router:
    """A router over both svix agents (their built-in specs and the generic topic packs)."""
    return Router(resolve_agents(["svix-backoff-jitter", "svix-retry-state-machine"]))
