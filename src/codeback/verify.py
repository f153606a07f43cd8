"""`codeback validate FILE [--repo PATH]`: re-check a written dataset line by line.

Without the repository: one object per line, the exact record format, the think format.
With it (and the manifest beside the file): every code piece byte-identical to the source at its
recorded span, the code block exactly those pieces, and grounding re-run against facts read
afresh from the source — nothing is taken on trust from the run that wrote the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson

from .errors import OutputError
from .extract import extract_file
from .facts import read_facts
from .model import Piece, Span
from .validate import allowed_terms, check_record, ground, sha256, split_assistant
from .write import sidecar


def _manifest(path: Path) -> list[dict]:
    m = sidecar(path, "manifest")
    out = []
    if m.exists():
        for line in m.read_bytes().splitlines():
            try:
                entry = orjson.loads(line)
                if isinstance(entry, dict) and "record_sha256" in entry:
                    out.append(entry)
            except orjson.JSONDecodeError:
                continue
    return out


def checkout_mismatch(path: Path, repo: Path) -> str | None:
    """One line when the checkout is not at the commit the dataset was written at: every piece
    may then fail for that reason alone, and the per-line reasons should be read in that light."""
    from .source import open_source

    recorded = {e.get("commit") for e in _manifest(path) if e.get("commit")}
    try:
        head = open_source(str(repo)).commit
    except Exception:  # noqa: BLE001 - not a checkout we can read: the per-line checks will say
        return None
    if recorded and head and head not in recorded:
        return (f"the dataset was written at commit {', '.join(sorted(c[:12] for c in recorded))}; "
                f"{repo} is at {head[:12]}: check out that commit to compare like with like")
    return None


def validate_file(path: Path, repo: Path | None = None) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, problems) for every line; an empty list means the line is valid."""
    if not path.is_file():
        raise OutputError(f"{path}: no such file")
    entries = _manifest(path) if repo is not None else []
    manifest = {e["record_sha256"]: e for e in entries}
    cache: dict[str, bytes | None] = {}
    for no, raw in enumerate(path.read_bytes().split(b"\n"), 1):
        if not raw:
            continue
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as e:
            yield no, [f"not valid JSON: {e}"]
            continue
        problems = check_record(obj)
        if not problems and repo is not None:
            prov = manifest.get(sha256(raw + b"\n"))
            if prov is None and no <= len(entries):
                # The line was edited after it was written: check it against the provenance of
                # the line at this position, so the reasons say what differs.
                prov = entries[no - 1]
                problems = ["line changed since it was written (its hash matches no manifest entry)"]
            if prov is None:
                problems = ["no manifest entry for this line (provenance missing)"]
            else:
                problems += _against_source(obj, prov, repo, cache)
        yield no, problems


def _read(repo: Path, rel: str, cache: dict[str, bytes | None]) -> bytes | None:
    if rel not in cache:
        p = (repo / rel)
        try:
            resolved = p.resolve()
            resolved.relative_to(repo.resolve())
            cache[rel] = resolved.read_bytes()
        except (OSError, ValueError):
            cache[rel] = None
    return cache[rel]


def _against_source(obj: dict, prov: dict, repo: Path, cache: dict) -> list[str]:
    problems: list[str] = []
    want = prov.get("system_prompt_sha256")
    if want and sha256(obj["messages"][0]["content"]) != want:
        problems.append("system prompt differs from the spec's the line was written with")
    parts = split_assistant(obj["messages"][2]["content"])
    if parts is None:
        return ["assistant content is not in the think format"]
    reasoning, block = parts
    pieces: list[Piece] = []
    for pc in prov.get("pieces", []):
        data = _read(repo, pc["path"], cache)
        if data is None:
            problems.append(f"{pc['path']}: not in the repository")
            continue
        cut = data[pc["start_byte"]:pc["end_byte"]]
        if sha256(cut) != pc["sha256"]:
            problems.append(f"{pc['path']}:{pc['start_line']}-{pc['end_line']}: source differs "
                            "from the recorded piece")
            continue
        if cut.decode("utf-8", "replace") not in (split_assistant(obj["messages"][2]["content"]) or ("", ""))[1]:
            problems.append(f"code piece {pc['path']}:{pc['start_line']}-{pc['end_line']} "
                            "is not in the code block as written")
        pieces.append(Piece(pc["path"], Span(pc["start_byte"], pc["end_byte"], pc["start_line"],
                                             pc["end_line"]), cut.decode("utf-8"), pc["role"], pc["name"]))
    expected = f"```{prov.get('fence', '')}\n" + "\n\n".join(p.text for p in pieces) + "\n```"
    if block != expected and not any("not in the code block" in x or "differs" in x for x in problems):
        problems.append("code block is not byte-identical to the recorded source pieces")
    if len(pieces) != len(prov.get("pieces", [])):
        return problems  # a piece could not be read: nothing to ground against
    data = _read(repo, prov["path"], cache)
    unit = next((u for u in extract_file(prov["path"], data).units
                 if u.name == prov["unit"] and u.span.start_line == prov["start_line"]), None)
    if unit is None:
        return [f"unit {prov['unit']} not found at {prov['path']}:{prov['start_line']}"]
    sheet = read_facts(unit, pieces, data)
    extra = [obj["messages"][0]["content"], *prov.get("required_crates", []), prov["path"],
             *prov.get("elsewhere", [])]
    nums, words = allowed_terms(sheet.facts, block, extra)
    crates = set(sheet.crates)
    names = set(prov.get("callers", [])) | {prov["path"], "/".join(prov["path"].split("/")[-3:])}
    for name, text in (("request", obj["messages"][1]["content"]), ("reasoning", reasoning)):
        problems += [f"{name}: {p}" for p in ground(text, nums, words, crates,
                                                    prov.get("required_crates", []), block, names)]
    return problems
