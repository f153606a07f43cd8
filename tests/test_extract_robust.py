"""Hostile input and test code inside ordinary files: counted skips with reasons, never a
traceback, and the well-formed rest of a broken file still extracted."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeback.extract import extract_file, is_test_path, language_of

ROOT = Path(__file__).parent / "fixtures" / "polyglot"


def test_syntax_error_keeps_well_formed_units_and_skips_the_broken_one() -> None:
    fu = extract_file("hostile/broken.py", (ROOT / "hostile/broken.py").read_bytes())
    assert [(u.name, u.span.start_line, u.span.end_line) for u in fu.units] == [
        ("fine_before", 1, 2), ("fine_after", 9, 10)]
    assert [(s.reason, s.name, s.line) for s in fu.skips] == [("parse error inside unit", "broken", 5)]


def test_ruby_block_forwarding_at_a_line_end_is_not_a_parse_error() -> None:
    # tree-sitter-ruby marks an anonymous `&` before a line break as an error; a real error in
    # the same method still skips it.
    src = (b"def forwards(&)\n  go(1, &\n  )\nend\n\n"
           b"def broken(&)\n  go(1, &\n  )\n  x = [1, 2 3]\nend\n\n"
           b"def after\n  1\nend\n")
    fu = extract_file("lib/x.rb", src)
    assert [(u.name, u.span.start_line, u.span.end_line) for u in fu.units] == [
        ("forwards", 1, 4), ("after", 12, 14)]
    assert [(s.reason, s.name, s.line) for s in fu.skips] == [("parse error inside unit", "broken", 6)]


def test_file_of_garbage_is_one_counted_skip() -> None:
    fu = extract_file("src/x.go", b"}}}} ((( not go at all \n")
    assert fu.units == []
    assert [s.reason for s in fu.skips] == ["syntax error: no well-formed unit"]


@pytest.mark.parametrize("data,reason", [
    (b"def f():\n    return '\xff\xfe'\n", "invalid UTF-8"),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00binary", "binary file"),
])
def test_undecodable_input_is_a_counted_skip(data: bytes, reason: str) -> None:
    fu = extract_file("pkg/mod.py", data)
    assert fu.units == [] and [(s.path, s.reason) for s in fu.skips] == [("pkg/mod.py", reason)]


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    big = tmp_path / "big.rs"
    big.write_bytes(b"const X: u8 = 1;\n" * 70_000)  # ~1.2 MB, generated, never committed
    data = big.read_bytes()
    fu = extract_file("src/big.rs", data)
    assert fu.units == [] and [s.reason for s in fu.skips] == ["file over 1000000 bytes"]
    assert len(extract_file("src/big.rs", data, max_bytes=2_000_000).units) == 70_000
    assert extract_file("src/small.rs", b"fn f() {}\n", max_bytes=5).skips[0].reason == "file over 5 bytes"


def test_unsupported_extension_is_counted() -> None:
    assert [s.reason for s in extract_file("README.md", b"# hi").skips] == ["unsupported language"]


def test_vendored_folders_are_ordinary_paths_here() -> None:
    # Skipping node_modules/vendor is the walker's job; extraction of such a file still works.
    fu = extract_file("node_modules/lib/index.js", b"export function f() {}\n")
    assert [u.name for u in fu.units] == ["f"]


@pytest.mark.parametrize("path,src,name", [
    ("pkg/conf.py", b"import pytest\n\n@pytest.fixture\ndef client():\n    return 1\n\n\ndef real():\n    pass\n", "client"),
    ("src/main/java/A.java", b"class A {\n  @Test\n  void t() {}\n  void real() {}\n}\n", "A.t"),
    ("src/main/kotlin/A.kt", b"class A {\n    @Test\n    fun t() {}\n    fun real() {}\n}\n", "A.t"),
    ("Lib/A.cs", b"class A {\n  [Fact]\n  public void T() {}\n  public void Real() {}\n}\n", "A.T"),
    ("src/A.php", b"<?php\nclass A {\n  #[Test]\n  public function t() {}\n  public function real() {}\n}\n", "A.t"),
])
def test_test_units_inside_ordinary_files(path: str, src: bytes, name: str) -> None:
    fu = extract_file(path, src)
    assert [(s.reason, s.name) for s in fu.skips] == [("test code", name)]
    assert name not in [u.name for u in fu.units]
    assert any(u.short_name.lower() == "real" for u in fu.units)
    assert name in [u.name for u in extract_file(path, src, exclude_tests=False).units]


@pytest.mark.parametrize("path,expected", [
    ("pkg/test_retry.py", True), ("pkg/retry_test.py", True), ("tests/helpers.py", True),
    ("conftest.py", True), ("pkg/retry.py", False), ("pkg/testing.py", False),
    ("go/retry_test.go", True), ("go/testdata/x.go", True), ("go/retry.go", False),
    ("src/a.test.ts", True), ("src/a.spec.tsx", True), ("src/__tests__/a.js", True),
    ("src/latest.ts", False),
    ("test.js", True), ("test/integration/retry.js", True), ("index.test-d.ts", True),
    ("lib/testing.js", False), ("src/contest.ts", False),
    ("lib/src/test/java/A.java", True), ("lib/src/main/java/ATest.java", False),
    ("lib/src/test/kotlin/A.kt", True), ("lib/src/main/kotlin/A.kt", False),
    ("lib/src/commonTest/kotlin/A.kt", True), ("lib/src/jvmTest/kotlin/A.kt", True),
    ("lib/src/androidUnitTest/kotlin/A.kt", True), ("lib/src/iosTest/kotlin/A.kt", True),
    ("lib/src/integrationTest/java/A.java", True), ("lib/src/testFixtures/java/A.java", True),
    ("lib/src/commonMain/kotlin/A.kt", False), ("lib/src/jvmMain/kotlin/LoadTest/A.kt", False),
    ("Svix.Tests/A.cs", True), ("Svix/RetryTests.cs", True), ("Svix/Retry.cs", False),
    ("src/Polly.Contrib.WaitAndRetry.Specs/Utilities/TimeSpanExtensions.cs", True),
    ("Lib.Spec/A.cs", True), ("Lib/RetrySpecs.cs", True), ("Lib/RetrySpec.cs", True),
    ("Lib/Inspector.cs", False), ("Lib.Specifications/A.cs", False),
    ("spec/a_spec.rb", True), ("test/a.rb", True), ("lib/a_spec.rb", True), ("lib/a.rb", False),
    ("tests/ATest.php", True), ("src/ATest.php", True), ("src/A.php", False),
    ("server/tests/it.rs", True), ("server/src/retry.rs", False),
    ("config/default.toml", False), ("README.md", False),
])
def test_is_test_path(path: str, expected: bool) -> None:
    assert is_test_path(path) is expected


@pytest.mark.parametrize("path,lang", [
    ("a.rs", "rust"), ("a.py", "python"), ("a.go", "go"), ("a.ts", "typescript"), ("a.tsx", "tsx"),
    ("a.js", "javascript"), ("a.mjs", "javascript"), ("a.cjs", "javascript"), ("a.jsx", "javascript"),
    ("a.java", "java"), ("a.kt", "kotlin"), ("a.cs", "csharp"), ("a.rb", "ruby"), ("a.php", "php"),
    ("a.toml", "toml"), ("a.yaml", "yaml"), ("a.yml", "yaml"), ("a.md", None), ("Makefile", None),
])
def test_language_of(path: str, lang: str | None) -> None:
    assert language_of(path) == lang
