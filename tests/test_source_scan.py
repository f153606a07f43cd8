"""Source handling (git URL, ignore rules, symlinks) and `codeback scan --json` on the sample."""

from __future__ import annotations

import os

import orjson

from codeback.source import list_files, open_source
from support import cli, git


def test_git_url_is_cloned_to_the_cache_and_its_commit_recorded(repo, tmp_path, monkeypatch):
    monkeypatch.setenv("CODEBACK_CACHE", str(tmp_path / "cache"))
    url = f"file://{repo}"
    src = open_source(url)
    assert src.commit == git(repo, "rev-parse", "HEAD").strip()
    assert src.repo == url and (tmp_path / "cache" / "repos").is_dir()
    assert "server/svix-server/src/worker/delay.rs" in list_files(src)
    out = tmp_path / "u.jsonl"
    r = cli("run", "--repo", url, "--out", out, cwd=tmp_path)
    assert r.code == 0, r.err
    prov = orjson.loads(out.with_name("u.jsonl.manifest.jsonl").read_bytes().splitlines()[0])
    assert prov["repo"] == url and prov["commit"] == src.commit


def test_bad_source_is_one_line(tmp_path):
    r = cli("run", "--repo", tmp_path / "nope")
    assert r.code == 2 and r.err.strip().endswith("not a directory") and "Traceback" not in r.err
    r = cli("run", "--repo", "file:///definitely/not/a/repo.git")
    assert r.code == 2 and "cannot clone" in r.err


def test_ignored_vendored_and_escaping_symlinks_are_skipped(tmp_path):
    root = tmp_path / "plain"
    (root / "src").mkdir(parents=True)
    (root / "node_modules" / "x").mkdir(parents=True)
    (root / "src" / "a.rs").write_text("fn a() {}\n")
    (root / "src" / "gen.rs").write_text("fn g() {}\n")
    (root / "node_modules" / "x" / "b.js").write_text("function b() {}\n")
    (root / ".gitignore").write_text("gen.rs\n")
    outside = tmp_path / "secret.rs"
    outside.write_text("fn s() {}\n")
    os.symlink(outside, root / "src" / "link.rs")
    src = open_source(root)
    assert src.commit is None
    assert list_files(src) == [".gitignore", "src/a.rs"]
    assert src.skipped == {"symlink out of the repository": 1, "vendored or build folder": 1}


def test_scan_json_lists_units_with_exact_spans_and_routing(repo):
    r = cli("scan", "--json", "--repo", repo, "--spec", "svix-backoff-jitter")
    assert r.code == 0, r.err
    rows = [orjson.loads(line) for line in r.out.splitlines()]
    assert {"path", "language", "kind", "name", "start_line", "end_line", "agent", "scores",
            "reasons", "note"} == set(rows[0])
    by = {(x["path"], x["name"]): x for x in rows}
    nrd = by[("server/svix-server/src/worker/delay.rs", "next_retry_delay")]
    assert (nrd["start_line"], nrd["end_line"], nrd["kind"]) == (38, 61, "function")  # with its doc
    assert nrd["agent"] == "svix-backoff-jitter"
    assert nrd["note"].startswith("backoff-jitter wins ")  # why it went there, as --explain says
    assert any(x.startswith("backoff-jitter:jitter identifier") for x in nrd["reasons"]) or any(
        "random draw" in x for x in nrd["reasons"])
    # the state machine goes to the sibling, the poller to nobody, tests and broken units nowhere
    assert by[("server/svix-server/src/core/retry.rs", "retry_with_schedule")]["agent"] == "svix-retry-state-machine"
    assert by[("server/svix-server/src/poller.rs", "poll_queue_depth")]["agent"] is None
    assert ("server/svix-server/src/broken.rs", "linear_delay") in by
    assert ("server/svix-server/src/broken.rs", "unfinished_backoff") not in by
    assert not [k for k in by if k[1].startswith("tests")]
    assert "1 parse error inside unit" in r.err and "1 test code" in r.err


def _rows(r) -> dict:
    assert r.code == 0, r.err
    return {(x["path"], x["name"]): x for x in map(orjson.loads, r.out.splitlines())}


def test_scan_parses_only_files_that_use_a_topics_words_and_loses_no_routed_unit(repo):
    quick = _rows(cli("scan", "--json", "--repo", repo))
    full = _rows(cli("scan", "--json", "--all", "--repo", repo))
    assert set(quick) < set(full)  # some files were not parsed at all ...
    skipped_files = {p for p, _ in full} - {p for p, _ in quick}
    assert skipped_files and all(
        not any(full[k]["agent"] or any(full[k]["scores"].values()) for k in full if k[0] == p)
        for p in skipped_files)  # ... and none of their units had any score
    assert {k: v for k, v in full.items() if v["agent"]} == {k: v for k, v in quick.items() if v["agent"]}
    from codeback.extract import language_of
    from codeback.route import Router
    from codeback.spec import resolve_agents

    router = Router(resolve_agents(["svix-backoff-jitter"]))
    source = open_source(repo)
    silent = [p for p in list_files(source, lambda x: language_of(x) is not None)
              if not router.file_words(source.read(p))]
    assert skipped_files <= set(silent)  # a silent file with no unit at all lists nothing anyway
    r = cli("scan", "--repo", repo)
    assert f"not parsed: {len(silent)} files that use none of the topics' words" in r.err


def test_seed_files_are_parsed_even_when_silent(repo):
    from codeback.pipeline import find
    from codeback.route import Router
    from codeback.spec import resolve_agents

    source = open_source(repo)
    spec = resolve_agents(["svix-backoff-jitter"])[0]
    silent = "server/svix-server/Cargo.toml"
    assert not Router([spec]).file_words((source.root / silent).read_bytes())
    spec = spec.model_copy(update={"seed_files": [silent]})
    found = find(source, spec, Router(resolve_agents(["svix-backoff-jitter"])), discover=False)
    # parsed all the same, so the report can say what the seed holds instead
    assert any(f"seed file {silent} holds no backoff-jitter code: it holds package" in line
               for line in found.seed_report), found.seed_report


def test_scan_marks_routed_units_a_run_would_skip_for_their_language(repo):
    r = cli("scan", "--repo", repo)
    assert r.code == 0, r.err
    line = next(x for x in r.err.splitlines() if "config.default.toml" in x and "retry_schedule" in x)
    assert line.endswith("(not in the spec's languages: run skips it)")
    rust = next(x for x in r.err.splitlines() if "next_retry_delay" in x)
    assert "run skips it" not in rust
