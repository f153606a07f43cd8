"""Source: a local directory or a git URL → the files to read and the commit they came from.

In a git work tree, `git ls-files` is the file list (exactly what git tracks plus untracked files
it does not ignore), so .gitignore rules are git's own. Elsewhere a walk applies the root and
nested .gitignore files with pathspec. Either way, vendored and build folders are skipped and no
symlink leads out of the root.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SourceError

SKIP_DIRS = frozenset({
    ".git", "node_modules", "target", "vendor", "dist", "build", "__pycache__", ".venv", "venv",
    ".tox", ".mypy_cache", ".pytest_cache", "third_party", ".gradle", "bin", "obj", ".idea",
})


@dataclass(slots=True)
class Source:
    root: Path
    repo: str
    commit: str | None
    dirty: bool = False
    skipped: dict[str, int] = field(default_factory=dict)

    def read(self, rel: str) -> bytes:
        return (self.root / rel).read_bytes()


def _git(root: Path, *args: str) -> str | None:
    try:
        res = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                             timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return res.stdout if res.returncode == 0 else None


def is_url(ref: str) -> bool:
    return ref.startswith(("http://", "https://", "git@", "ssh://", "file://")) or ref.endswith(".git")


def cache_dir() -> Path:
    base = os.environ.get("CODEBACK_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "codeback")
    return Path(base)


def clone(url: str) -> Path:
    """Clone (or reuse) a repository in the cache; a shallow clone is enough to read one commit."""
    dest = cache_dir() / "repos" / hashlib.sha256(url.encode()).hexdigest()[:16]
    if (dest / ".git").is_dir():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".partial")
    subprocess.run(["rm", "-rf", str(tmp)], check=False)
    res = subprocess.run(["git", "clone", "--quiet", "--depth", "1", url, str(tmp)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        last = (res.stderr.strip().splitlines() or ["git clone failed"])[-1]
        raise SourceError(f"{url}: cannot clone: {last}")
    tmp.rename(dest)
    return dest


def open_source(ref: str | Path) -> Source:
    """Open a local directory or clone a git URL; record the commit when it is a git work tree."""
    ref = str(ref)
    root = clone(ref) if is_url(ref) else Path(ref).expanduser()
    if not root.is_dir():
        raise SourceError(f"{ref}: not a directory")
    root = root.resolve()
    commit = None
    dirty = False
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is not None and Path(top.strip()).resolve() != root:
        # A folder inside some other repository (say, the sample inside codeback's own
        # checkout): that repository's commit does not describe these paths.
        top = None
    if top is not None and _git(root, "rev-parse", "--is-inside-work-tree") == "true\n":
        head = _git(root, "rev-parse", "HEAD")
        commit = head.strip() if head else None
        dirty = bool(_git(root, "status", "--porcelain", "--untracked-files=no", "--", "."))
    return Source(root, ref if is_url(ref) else str(root), commit, dirty)


def list_files(src: Source, wanted=lambda rel: True) -> list[str]:
    """Relative POSIX paths of the regular files to read, sorted, filtered by `wanted`."""
    listed = _git(src.root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if listed is not None and src.commit is not None:
        rels = listed.split("\0")
    else:
        rels, pruned = _walk(src.root)
        for _ in range(pruned):
            _count(src, "vendored or build folder")
    out = []
    root = str(src.root)
    for rel in rels:
        if not rel or not wanted(rel):
            continue
        parts = rel.split("/")
        if any(p in SKIP_DIRS for p in parts[:-1]):
            _count(src, "vendored or build folder")
            continue
        path = os.path.join(root, rel)  # str paths: pathlib costs more than the stat itself
        try:
            mode = os.lstat(path).st_mode
        except (FileNotFoundError, NotADirectoryError):  # listed by git, gone from the work tree
            continue
        except OSError:
            _count(src, "unreadable path")
            continue
        if stat.S_ISLNK(mode):
            if not _inside(src.root, Path(path)):
                _count(src, "symlink out of the repository")
                continue
            if not os.path.isfile(path):
                continue
        elif not stat.S_ISREG(mode):
            continue
        out.append(rel)
    out.sort()
    return out


def _count(src: Source, reason: str) -> None:
    src.skipped[reason] = src.skipped.get(reason, 0) + 1


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError):
        return False


def _walk(root: Path) -> tuple[list[str], int]:
    """Walk a plain directory, honouring .gitignore files (root and nested); never follow links.
    Returns the files and how many vendored or build folders were pruned."""
    import pathspec

    specs: list[tuple[str, pathspec.PathSpec]] = []
    out: list[str] = []
    pruned = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir + "/"
        if ".gitignore" in filenames:
            try:
                lines = (Path(dirpath) / ".gitignore").read_text("utf-8", "replace").splitlines()
                specs.append((rel_dir, pathspec.GitIgnoreSpec.from_lines(lines)))
            except OSError:
                pass

        def ignored(rel: str, is_dir: bool) -> bool:
            for base, spec in specs:
                if rel.startswith(base) and spec.match_file(rel[len(base):] + ("/" if is_dir else "")):
                    return True
            return False

        pruned += sum(1 for d in dirnames if d in SKIP_DIRS)
        dirnames[:] = sorted(d for d in dirnames
                             if d not in SKIP_DIRS and not ignored(rel_dir + d, True)
                             and not os.path.islink(os.path.join(dirpath, d)))
        out.extend(rel_dir + f for f in filenames if not ignored(rel_dir + f, False))
    return out, pruned
