"""Options of the OpenAI-compatible backend, checked once: every problem is one line naming the
option, before any request is sent. Split from `openai_backend.py` so the backend module holds
only the request machinery."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlparse

from ..errors import BackendError


def default_cache_path() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "codeback" / "llm-cache.sqlite"


@dataclass(slots=True)
class OpenAIConfig:
    """Options of the OpenAI-compatible backend (CLI names in the module's closing note)."""

    model: str = ""
    base_url: str | None = None
    api_key: str | None = None
    concurrency: int = 8
    timeout: float = 120.0
    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    max_total_wait: float = 300.0
    temperature: float = 0.7
    max_tokens: int = 1500
    max_tokens_total: int | None = None
    cache: bool = True
    cache_path: str | Path | None = None
    max_fix_rounds: int = 2
    allow_secrets_in_output: bool = False
    structured: bool | None = None  # None: try json_schema, fall back to text on a 400
    send_seed: bool = True

    def resolved(self) -> OpenAIConfig:
        """Fill defaults from the environment and check values; errors are one line."""
        cfg = replace(self)
        if not cfg.model:
            raise BackendError("openai backend: a model name is required (--model NAME)")
        cfg.base_url = cfg.base_url or os.environ.get("OPENAI_BASE_URL") or None
        cfg.api_key = cfg.api_key or os.environ.get("OPENAI_API_KEY") or None
        if cfg.api_key is None:
            if cfg.base_url is None:
                raise BackendError(
                    "openai backend: no API key; set OPENAI_API_KEY, or --base-url for a local server"
                )
            cfg.api_key = "codeback-no-key"  # local servers (vLLM, Ollama, llama.cpp) ignore it
        if cfg.base_url is not None and urlparse(cfg.base_url).scheme not in ("http", "https"):
            raise BackendError(f"openai backend: --base-url must be an http(s) URL, got {cfg.base_url!r}")
        for name in ("concurrency", "max_tokens", "max_attempts"):
            if getattr(cfg, name) < 1:
                raise BackendError(f"openai backend: {name} must be at least 1")
        if cfg.max_fix_rounds < 0 or cfg.timeout <= 0:
            raise BackendError("openai backend: max_fix_rounds must be >= 0 and timeout > 0")
        if not 0.0 <= cfg.temperature <= 2.0:
            raise BackendError(f"openai backend: temperature must be between 0 and 2, got {cfg.temperature:g}")
        if cfg.max_tokens_total is not None and cfg.max_tokens_total < 1:
            raise BackendError("openai backend: --max-tokens-total must be at least 1")
        if cfg.cache and cfg.cache_path is None:
            cfg.cache_path = default_cache_path()
        return cfg
