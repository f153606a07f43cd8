"""`codeback run` on a real git repository, through the CLI, as a user runs it."""

from __future__ import annotations

import orjson

from support import cli, git

SYSTEM = ("You are the Svix Maintainer AI, an expert in the internal svix-server Rust "
          "architecture, specializing in exponential backoff and jitter calculations for webhook "
          "delivery.")


def _lines(path):
    return [orjson.loads(l) for l in path.read_bytes().splitlines()]


def test_run_writes_valid_grounded_examples(repo, tmp_path):
    out = tmp_path / "out" / "backoff_jitter.jsonl"
    r = cli("run", "--repo", repo, "--out", out)
    assert r.code == 0, r.err
    assert r.out == ""  # data goes to files, status to stderr
    # The seed file holds only the state machine: the run says so and discovers the rest.
    assert "seed file server/svix-server/src/core/retry.rs holds no backoff-jitter code" in r.err
    assert "retry_with_schedule (svix-retry-state-machine)" in r.err
    records = _lines(out)
    manifest = _lines(out.with_name(out.name + ".manifest.jsonl"))
    assert len(records) == len(manifest) >= 10
    head = git(repo, "rev-parse", "HEAD").strip()
    for rec, prov in zip(records, manifest):
        assert list(rec) == ["type", "messages"] and rec["type"] == "chatml"
        assert [m["role"] for m in rec["messages"]] == ["system", "user", "assistant"]
        assert rec["messages"][0]["content"] == SYSTEM
        assistant = rec["messages"][2]["content"]
        assert assistant.startswith("<think>\n") and "\n</think>\n\n```rust\n" in assistant
        assert assistant.endswith("\n```")
        assert prov["commit"] == head and prov["agent"] == "svix-backoff-jitter"
        # never the retry state machine
        assert prov["path"] != "server/svix-server/src/core/retry.rs"
        # each piece is the source's bytes at its span, in source order
        block = assistant.split("\n</think>\n\n", 1)[1]
        body = block.split("\n", 1)[1].rsplit("\n```", 1)[0]
        texts = []
        for piece in prov["pieces"]:
            data = (repo / piece["path"]).read_bytes()
            texts.append(data[piece["start_byte"]:piece["end_byte"]].decode())
        assert body == "\n\n".join(texts)
        starts = [p["start_byte"] for p in prov["pieces"] if p["path"] == prov["path"]]
        assert starts == sorted(starts)
    requests = [r["messages"][1]["content"] for r in records]
    assert len(set(requests)) == len(requests)
    units = {m["unit"] for m in manifest}
    assert {"next_retry_delay", "parse_retry_after", "full_jitter"} <= units
    assert "poll_queue_depth" not in units  # a fixed-cadence poller is not backoff
    v = cli("validate", out, "--repo", repo)
    assert v.code == 0, v.err
    assert f"{len(records)} valid, 0 invalid" in v.err


def test_second_run_adds_nothing_and_output_is_deterministic(repo, tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert cli("run", "--repo", repo, "--out", a).code == 0
    first = a.read_bytes()
    again = cli("run", "--repo", repo, "--out", a)
    assert again.code == 0 and "0 written" in again.err
    assert a.read_bytes() == first
    assert cli("run", "--repo", repo, "--out", b).code == 0
    assert b.read_bytes() == first
    other = cli("run", "--repo", repo, "--out", tmp_path / "c.jsonl", "--seed", "7")
    assert other.code == 0 and (tmp_path / "c.jsonl").read_bytes() != first


def test_interrupted_run_leaves_whole_lines_and_resumes(repo, tmp_path):
    out = tmp_path / "x.jsonl"
    assert cli("run", "--repo", repo, "--out", out).code == 0
    full = out.read_bytes()
    lines = full.splitlines(keepends=True)
    manifest = out.with_name("x.jsonl.manifest.jsonl")
    mlines = manifest.read_bytes().splitlines(keepends=True)
    # A crash mid-write: two whole lines, then half of the third record and no manifest for it.
    out.write_bytes(b"".join(lines[:2]) + lines[2][: len(lines[2]) // 2])
    manifest.write_bytes(b"".join(mlines[:2]))
    r = cli("run", "--repo", repo, "--out", out)
    assert r.code == 0, r.err
    assert out.read_bytes().endswith(b"\n")
    assert sorted(out.read_bytes().splitlines()) == sorted(full.splitlines())
    assert cli("validate", out, "--repo", repo).code == 0


def test_validate_reports_each_bad_line(repo, tmp_path):
    out = tmp_path / "v.jsonl"
    assert cli("run", "--repo", repo, "--out", out).code == 0
    lines = out.read_bytes().splitlines()
    rec = orjson.loads(lines[1])
    think, code = rec["messages"][2]["content"].split("</think>")
    rec["messages"][2]["content"] = think + "</think>" + code.replace("Duration", "Durat1on", 1)
    lines[1] = orjson.dumps(rec)
    lines[3] = lines[3][:40]
    out.write_bytes(b"\n".join(lines) + b"\n")
    r = cli("validate", out, "--repo", repo)
    assert r.code == 1
    # the edited line is checked against the provenance written for its position: the reason
    # names what differs, not just that the line changed
    assert f"{out}:2: line changed since it was written" in r.err
    assert f"{out}:2: code piece" in r.err and "is not in the code block as written" in r.err
    assert f"{out}:4: not valid JSON" in r.err
    assert f"{len(lines) - 2} valid, 2 invalid" in r.err
    # Without the repository, the structural checks still catch the truncated line only.
    r = cli("validate", out)
    assert r.code == 1 and f"{len(lines) - 1} valid, 1 invalid" in r.err


def test_validate_catches_code_that_differs_from_the_source(repo, tmp_path):
    out = tmp_path / "s.jsonl"
    assert cli("run", "--repo", repo, "--out", out).code == 0
    target = repo / "server/svix-server/src/worker/delay.rs"
    target.write_bytes(target.read_bytes().replace(b"0.15", b"0.25"))
    r = cli("validate", out, "--repo", repo)
    assert r.code == 1 and "source differs from the recorded piece" in r.err
    assert "note:" not in r.err  # same commit (the edit is uncommitted): no note
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qam", "edit")
    r = cli("validate", out, "--repo", repo)
    first = r.err.splitlines()[0]
    assert "note: the dataset was written at commit" in first and "check out that commit" in first


def test_bad_spec_gets_one_clear_line(tmp_path, repo):
    spec = tmp_path / "bad.toml"
    spec.write_text('name = "x"\nsystem_prompt = "hi"\ntopic = "backoff-jitter"\n'
                    'target = { min = 30, max = 10 }\n')
    r = cli("run", "--repo", repo, "--spec", spec, "--out", tmp_path / "o.jsonl")
    assert r.code == 2
    assert r.err.strip().count("\n") == 0, r.err
    assert str(spec) in r.err and "'target'" in r.err and "min (30) is larger than max (10)" in r.err
    spec.write_text('name = "x"\nsystem_prompt = "hi"\ntopic = "no-such-topic"\n')
    r = cli("run", "--repo", repo, "--spec", spec, "--out", tmp_path / "o.jsonl")
    assert r.code == 2 and "'topic'" in r.err and "no-such-topic" in r.err
    spec.write_text("name = [")
    r = cli("run", "--repo", repo, "--spec", spec)
    assert r.code == 2 and "not valid TOML" in r.err and "Traceback" not in r.err


def test_no_discover_keeps_to_the_seed_files(repo, tmp_path):
    out = tmp_path / "n.jsonl"
    r = cli("run", "--repo", repo, "--out", out, "--no-discover")
    assert r.code == 0
    assert "--no-discover" in r.err and "0 written" in r.err
    assert "short of the target by 15" in r.err
    assert not out.exists() or out.read_bytes() == b""


def test_specs_list_and_show_roundtrip(tmp_path, repo):
    r = cli("specs")
    assert "svix-backoff-jitter" in r.out and "svix-retry-state-machine" in r.out
    shown = cli("specs", "show", "svix-backoff-jitter").out
    assert "server/svix-server/src/core/retry.rs" in shown and 'output = "backoff_jitter.jsonl"' in shown
    mine = tmp_path / "mine.toml"
    mine.write_text(shown.replace('name = "svix-backoff-jitter"', 'name = "my-agent"'))
    r = cli("run", "--repo", repo, "--spec", mine, "--out", tmp_path / "m.jsonl")
    assert r.code == 0 and "my-agent:" in r.err


def test_examples_say_what_the_code_does_not_just_what_sounds_right(repo, tmp_path):
    """Regressions from reading the data: claims from one match arm say so; a Duration range is
    not described as a drawn factor; in-place wait lists stand as their own examples."""
    out = tmp_path / "q.jsonl"
    assert cli("run", "--repo", repo, "--out", out).code == 0
    recs = _lines(out)
    prov = _lines(out.with_name("q.jsonl.manifest.jsonl"))
    by_unit: dict[str, list[str]] = {}
    for r, m in zip(recs, prov):
        by_unit.setdefault(m["unit"], []).append(r["messages"][2]["content"].split("</think>")[0])
    # send_with_backoff doubles and caps only when no schedule is configured (`None =>` arm)
    for think in by_unit["send_with_backoff"]:
        if "successors" in think:
            assert "`None`" in think or "when no schedule is configured" in think
    # the sample draws a factor and multiplies: that is what must be said there
    assert any("`mul_f64` applies it" in t for t in by_unit["next_retry_delay"])
    # an in-place wait list inside a function that is itself an example is shown there, where
    # it is used, not as a fragment of its own (a counted skip)
    assert "forward_forever::reconnect_waits" not in by_unit
    assert "schedule" in {m["angle"] for m in prov if m["unit"] == "forward_forever"}
    skips = _lines(out.with_name("q.jsonl.skips.jsonl"))
    assert {"path": "server/svix-server/src/relay.rs", "name": "forward_forever::reconnect_waits",
            "reason": "covered as context of forward_forever", "line": 6} in skips
