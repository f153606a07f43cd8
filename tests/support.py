"""Test helpers: the bundled sample copied into a real git repository, the CLI run as a user
runs it (a subprocess, stdout and stderr kept apart), and the units of a source text by name."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from codeback.extract import extract_file
from codeback.model import CodeUnit

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "codeback" / "sample" / "webhook-delivery"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


def make_repo(dest: Path, src: Path = SAMPLE) -> Path:
    shutil.copytree(src, dest)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "add", "-A")
    git(dest, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "sample")
    return dest


@dataclass
class Result:
    code: int
    out: str
    err: str


def cli(*args: str, cwd: Path | None = None) -> Result:
    res = subprocess.run([sys.executable, "-m", "codeback", *map(str, args)], capture_output=True,
                         text=True, cwd=cwd, timeout=300)
    return Result(res.returncode, res.stdout, res.stderr)


def units_of(path: str, src: bytes, exclude_tests: bool = True) -> dict[str, CodeUnit]:
    """The units extracted from one source text, by qualified name."""
    return {u.name: u for u in extract_file(path, src, exclude_tests).units}
