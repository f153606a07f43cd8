"""Rust naming that the pipeline keys on: impl blocks by their header, methods by the implemented
type, items nested in functions by their path; test modules and tests skipped."""

from __future__ import annotations

from codeback.extract import extract_file

SRC = b'''use std::time::Duration;

pub struct Backoff<'a, C> {
    clock: &'a C,
}

impl<'a, C: Clock> Backoff<'a, C> {
    /// Next delay.
    pub fn next(&self, attempt: u32) -> Duration {
        const CAP: Duration = Duration::from_secs(30);
        Duration::from_millis(100 << attempt).min(CAP)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn caps() {}
}

#[tokio::test]
async fn integration() {}
'''


def test_rust_names_kinds_and_spans() -> None:
    fu = extract_file("src/backoff.rs", SRC)
    assert [(u.kind, u.name, u.span.start_line, u.span.end_line) for u in fu.units] == [
        ("struct", "Backoff", 3, 5),
        ("impl", "impl<'a, C: Clock> Backoff<'a, C>", 7, 13),
        ("method", "Backoff::next", 8, 12),
        ("const", "Backoff::next::CAP", 10, 10),
        ("impl", "impl Default for Settings", 15, 19),
        ("method", "Settings::default", 16, 18),
    ]
    assert [(s.reason, s.name) for s in fu.skips] == [("test code", "tests"), ("test code", "integration")]
    assert [p.text for p in fu.imports] == ["use std::time::Duration;"]


def test_rust_tests_folder_is_a_test_file() -> None:
    assert [s.reason for s in extract_file("server/tests/e2e.rs", SRC).skips] == ["test file"]
