"""Writing: records to the JSONL output, provenance to `<output>.manifest.jsonl`, rejects to
`<output>.rejects.jsonl`.

Each line goes out in one `write` on a file opened for appending, record first and then its
manifest line. On open, a torn tail (a line without its newline, or a record whose manifest line
never made it) is cut off, so an interrupted run leaves only whole, accounted-for lines and a
re-run adds exactly what is missing (ids are stable).
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from .errors import OutputError
from .model import Example
from .validate import sha256


def sidecar(out: Path, kind: str) -> Path:
    return out.with_name(out.name + f".{kind}.jsonl")


def record_line(record: dict) -> bytes:
    return orjson.dumps(record) + b"\n"


def _lines(path: Path) -> list[bytes]:
    if not path.exists():
        return []
    data = path.read_bytes()
    return data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n")


def _repair(path: Path) -> int:
    """Cut a torn last line; returns the number of bytes cut."""
    if not path.exists():
        return 0
    data = path.read_bytes()
    if not data or data.endswith(b"\n"):
        return 0
    keep = data.rfind(b"\n") + 1
    with open(path, "r+b") as f:
        f.truncate(keep)
    return len(data) - keep


class Writer:
    def __init__(self, out: Path):
        self.out = out
        self.manifest = sidecar(out, "manifest")
        self.rejects = sidecar(out, "rejects")
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            _repair(out)
            _repair(self.manifest)
            self._reconcile()
            self._fd = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            self._mfd = os.open(self.manifest, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as e:
            raise OutputError(f"{out}: cannot write: {e.strerror}") from None

    def _reconcile(self) -> None:
        """Keep the records that have a manifest line, and only those (a crash between the two
        writes leaves a record with no provenance: it is dropped and rewritten)."""
        records = _lines(self.out)
        manifest = []
        for line in _lines(self.manifest):
            try:
                manifest.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                continue
        by_sha = {m.get("record_sha256"): m for m in manifest}
        kept = [r for r in records if sha256(r + b"\n") in by_sha]
        if len(kept) != len(records) or len(by_sha) != len(manifest) or len(kept) != len(manifest):
            kept_sha = {sha256(r + b"\n") for r in kept}
            self.out.write_bytes(b"".join(r + b"\n" for r in kept))
            self.manifest.write_bytes(b"".join(orjson.dumps(m) + b"\n" for m in manifest
                                               if m.get("record_sha256") in kept_sha))
            manifest = [m for m in manifest if m.get("record_sha256") in kept_sha]
        self.ids = {m["id"] for m in manifest if "id" in m}
        self.existing = manifest

    def append(self, ex: Example) -> None:
        line = record_line(ex.record)
        prov = dict(ex.provenance, id=ex.id, record_sha256=sha256(line))
        os.write(self._fd, line)
        os.write(self._mfd, orjson.dumps(prov) + b"\n")
        self.ids.add(ex.id)

    def reject(self, item: dict) -> None:
        with open(self.rejects, "ab") as f:
            f.write(orjson.dumps(item) + b"\n")

    def close(self) -> None:
        for fd in (self._fd, self._mfd):
            os.fsync(fd)
            os.close(fd)
