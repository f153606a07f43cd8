"""Coverage per agent: what a scan gave each agent, and which seed files held nothing for it.

    cov = coverage(source, agents, scan(source, router, always=seed_paths))   # a dict, JSON-ready
    print(render(cov))

For every agent: how many units it got, from which files and languages, and its seed files,
each marked as holding code for it, holding nothing for it (with what the file holds instead),
not scanned (a test file, an unsupported or skipped file), or missing from the repository. Units
that went to no agent are counted too, so the numbers add up to the units scanned.

`Coverage` is the same thing as an accumulator, for a caller that already loops over the scan.
Pass the seed files as the scan's `always`: a seed that uses none of the topics' words is
otherwise not parsed, and the report cannot say what it holds.
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from collections.abc import Iterable

from .model import FileUnits, Routed
from .source import Source, list_files
from .spec import AgentSpec

NONE = "(no agent)"


def _is_seed(path: str, seeds: list[str]) -> bool:
    return any(path == s or fnmatch.fnmatch(path, s) for s in seeds)


class Coverage:
    """Accumulates routed units file by file; `result()` gives the report as a dict."""

    def __init__(self, source: Source, agents: list[AgentSpec]):
        self.source = source
        self.agents = agents
        self.units: dict[str, int] = {a.name: 0 for a in agents}
        self.files: dict[str, Counter] = {a.name: Counter() for a in agents}
        self.langs: dict[str, Counter] = {a.name: Counter() for a in agents}
        self.held: dict[str, Counter] = {}  # path -> agent (or NONE) -> units, for seed files
        self.scanned: set[str] = set()
        self.skipped: dict[str, str] = {}
        self.files_scanned = 0
        self.units_scanned = 0
        self.unrouted = 0
        self._seeds = sorted({s for a in agents for s in a.seed_files})

    def is_seed(self, path: str) -> bool:
        return _is_seed(path, self._seeds)

    def add(self, fu: FileUnits | None, routed: Iterable[Routed]) -> None:
        routed = list(routed)
        if fu is not None:
            self.files_scanned += 1
            self.scanned.add(fu.path)
            if not fu.units and fu.skips:
                self.skipped[fu.path] = fu.skips[0].reason
        for r in routed:
            self.units_scanned += 1
            u = r.unit
            if r.agent in self.units:
                self.units[r.agent] += 1
                self.files[r.agent][u.path] += 1
                self.langs[r.agent][u.lang] += 1
            else:
                self.unrouted += 1
            if _is_seed(u.path, self._seeds):
                self.held.setdefault(u.path, Counter())[r.agent or NONE] += 1

    def result(self) -> dict:
        before = dict(self.source.skipped)  # a second listing must not count skips twice
        listed = list_files(self.source, lambda rel: _is_seed(rel, self._seeds))
        self.source.skipped.clear()
        self.source.skipped.update(before)
        out: dict = {
            "repo": self.source.repo,
            "files_scanned": self.files_scanned,
            "units_scanned": self.units_scanned,
            "units_to_no_agent": self.unrouted,
            "agents": {},
        }
        for a in self.agents:
            seeds = []
            for pattern in a.seed_files:
                matches = [p for p in listed if _is_seed(p, [pattern])]
                if not matches:
                    seeds.append({"path": pattern, "status": "missing"})
                for p in matches:
                    holds = self.held.get(p, Counter())
                    if holds.get(a.name):
                        seeds.append({"path": p, "status": "holds code", "units": holds[a.name]})
                    elif p not in self.scanned or p in self.skipped:
                        seeds.append({"path": p, "status": "not scanned",
                                      "reason": self.skipped.get(p, "not a scanned file")})
                    else:
                        seeds.append({"path": p, "status": "holds nothing for it",
                                      "holds": dict(sorted(holds.items()))})
            out["agents"][a.name] = {
                "topic": a.topic,
                "units": self.units[a.name],
                "files": dict(sorted(self.files[a.name].items(), key=lambda kv: (-kv[1], kv[0]))),
                "languages": dict(self.langs[a.name].most_common()),
                "seed_files": seeds,
                "empty_seed_files": [s["path"] for s in seeds if s["status"] != "holds code"],
            }
        return out


def coverage(source: Source, agents: list[AgentSpec],
             routed_iter: Iterable[tuple[FileUnits, list[Routed]] | Routed]) -> dict:
    """Per agent: units, files, languages, and the seed files that held nothing for it.

    `routed_iter` is what `pipeline.scan` yields, `(FileUnits, [Routed])` per file, or plain
    `Routed` items.
    """
    acc = Coverage(source, agents)
    for item in routed_iter:
        if isinstance(item, Routed):
            acc.add(None, [item])
        else:
            fu, routed = item
            acc.add(fu, routed)
    return acc.result()


def render(cov: dict, max_files: int = 12) -> str:
    """The report as text for a person."""
    lines = [f"coverage of {cov['repo']}: {cov['files_scanned']} files, {cov['units_scanned']} "
             f"units scanned, {cov['units_to_no_agent']} went to no agent"]
    for name, a in cov["agents"].items():
        langs = ", ".join(f"{lang} {n}" for lang, n in a["languages"].items()) or "none"
        lines.append("")
        lines.append(f"{name} (topic {a['topic']}): {a['units']} units in {len(a['files'])} "
                     f"files; languages: {langs}")
        for path, n in list(a["files"].items())[:max_files]:
            lines.append(f"  {n:>4}  {path}")
        if len(a["files"]) > max_files:
            rest = sum(list(a["files"].values())[max_files:])
            lines.append(f"        … {len(a['files']) - max_files} more files ({rest} units)")
        for s in a["seed_files"]:
            if s["status"] == "holds code":
                lines.append(f"  seed {s['path']}: holds {s['units']} unit(s) for it")
            elif s["status"] == "holds nothing for it":
                held = ", ".join(f"{n} for {who}" for who, n in s["holds"].items()) or "no units"
                lines.append(f"  seed {s['path']}: holds nothing for it ({held})")
            elif s["status"] == "not scanned":
                lines.append(f"  seed {s['path']}: not scanned ({s['reason']})")
            else:
                lines.append(f"  seed {s['path']}: does not exist in this repository")
        if not a["seed_files"]:
            lines.append("  no seed files")
    return "\n".join(lines)
