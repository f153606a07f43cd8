"""Extraction: files in, `FileUnits` out, one tree-sitter grammar per language.

`LANGS` maps a language key to its `LangSpec`; `language_of` picks one from a path. Adding a
language is one module with a `SPEC` and one query file.

Grammar wheels are imported with their spec modules, but the parsers and compiled queries are
built lazily per language (`engine._compiled`), so importing this package stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from ..model import FileUnits, Skip
from . import codec  # noqa: F401  (cheap pickling of results sent back by pool workers)
from . import config, csharp, go, java, javascript, kotlin, php, python, ruby, rust, typescript
from .engine import LangSpec, extract

__all__ = ["EXTENSIONS", "LANGS", "MAX_BYTES", "extract_file", "is_test_path", "language_of"]

LANGS: dict[str, LangSpec] = {s.name: s for s in (
    rust.SPEC, python.SPEC, go.SPEC, typescript.SPEC, typescript.TSX, javascript.SPEC, java.SPEC,
    kotlin.SPEC, csharp.SPEC, ruby.SPEC, php.SPEC, config.TOML, config.YAML,
)}
EXTENSIONS: dict[str, str] = {
    ".rs": "rust",
    ".py": "python", ".pyi": "python",
    ".go": "go",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".java": "java",
    ".kt": "kotlin", ".kts": "kotlin",
    ".cs": "csharp",
    ".rb": "ruby", ".rake": "ruby",
    ".php": "php",
    ".toml": "toml",
    ".yaml": "yaml", ".yml": "yaml",
}
MAX_BYTES = 1_000_000
"""Default size limit: larger files are generated or data far more often than hand-written code."""

# Folder names that hold test code, per language; any path component matching excludes a file.
_JS_TEST_DIRS = frozenset({"__tests__", "__mocks__", "test", "tests"})
_TEST_DIRS: dict[str, frozenset[str]] = {
    "rust": frozenset({"tests"}),
    "python": frozenset({"tests", "test"}),
    "go": frozenset({"testdata"}),
    "typescript": _JS_TEST_DIRS,
    "tsx": _JS_TEST_DIRS,
    "javascript": _JS_TEST_DIRS,
    "ruby": frozenset({"spec", "test"}),
    "php": frozenset({"tests", "test"}),
}
# Gradle source sets under `src/` holding test code: `test`, `testFixtures`, and any set whose name
# ends in `Test` (`androidTest`, `integrationTest`, Kotlin Multiplatform's `commonTest`, `jvmTest`).
_JVM_TEST_SOURCE_SETS = frozenset({"test", "testFixtures"})
_CSHARP_TEST_PROJECTS = (".Tests", ".Test", ".UnitTests", ".IntegrationTests", ".Specs", ".Spec")


def language_of(path: str) -> str | None:
    dot = path.rfind(".")
    return EXTENSIONS.get(path[dot:].lower()) if dot >= 0 else None


def is_test_path(path: str) -> bool:
    """True when a repository-relative path is test code by its language's own convention.

    Path rules only; test code inside ordinary files (`#[cfg(test)]`, `@Test`, `[Fact]`, pytest
    fixtures) is found per unit by each language's `test_unit`.
    """
    lang = language_of(path)
    if lang is None:
        return False
    parts = path.replace("\\", "/").split("/")
    dirs, name = parts[:-1], parts[-1]
    if _TEST_DIRS.get(lang, frozenset()).intersection(dirs):
        return True
    if lang == "python":
        return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
    if lang == "go":
        return name.endswith("_test.go")
    if lang in ("typescript", "tsx", "javascript"):
        # `x.test.ts`, `x.spec.js`, tsd's `index.test-d.ts`, and a lone `test.js` (ava, node:test)
        return any(m in name for m in (".test.", ".spec.", ".test-d.")) or name.split(".")[0] == "test"
    if lang in ("java", "kotlin"):
        return any(d == "src" and (nxt in _JVM_TEST_SOURCE_SETS or nxt.endswith("Test"))
                   for d, nxt in pairwise(dirs))
    if lang == "csharp":
        stem = name[:-3]
        return stem.endswith(("Tests", "Test", "Specs", "Spec")) or any(
            d.endswith(_CSHARP_TEST_PROJECTS) for d in dirs)
    if lang == "ruby":
        return name.endswith(("_spec.rb", "_test.rb"))
    if lang == "php":
        return name.endswith("Test.php")
    return False


def extract_file(path: str, data: bytes, exclude_tests: bool = True,
                 max_bytes: int = MAX_BYTES, wanted: Callable[[bytes], bool] | None = None,
                 ) -> FileUnits:
    """Units of one file; unusable input becomes a counted skip, never an exception.

    `path` is repository-relative: test-path rules look at its folder names. `wanted`, when
    given, is asked about a usable file's bytes before parsing: a file it turns down is not
    parsed at all (most of a repository, for a scan that only wants a topic's words).
    """
    lang = language_of(path)
    if lang is None:
        return FileUnits(path, "", skips=[Skip(path, "unsupported language")])
    if exclude_tests and is_test_path(path):
        return FileUnits(path, lang, skips=[Skip(path, "test file")])
    if len(data) > max_bytes:
        return FileUnits(path, lang, skips=[Skip(path, f"file over {max_bytes} bytes")])
    if b"\0" in data[:8192]:
        return FileUnits(path, lang, skips=[Skip(path, "binary file")])
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return FileUnits(path, lang, skips=[Skip(path, "invalid UTF-8")])
    if wanted is not None and not wanted(data):
        return FileUnits(path, lang, parsed=False)
    try:
        return extract(LANGS[lang], path, data, exclude_tests)
    except RecursionError as exc:  # pathological nesting; query and grammar errors are bugs: raise
        return FileUnits(path, lang, skips=[Skip(path, f"extraction failed: {type(exc).__name__}")])
