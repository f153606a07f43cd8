"""Facts read from real syntax trees, in several languages, with exact values."""

from __future__ import annotations

from pathlib import Path

import pytest

from codeback.context import context_pieces
from codeback.extract import extract_file
from codeback.facts import read_facts
from support import SAMPLE

POLYGLOT = Path(__file__).parent / "fixtures" / "polyglot"


def sheet(root: Path, path: str, name: str, helper_ok=lambda u: True):
    data = (root / path).read_bytes()
    fu = extract_file(path, data)
    unit = next(u for u in fu.units if u.name == name)
    return read_facts(unit, context_pieces(unit, fu, helper_ok), data)


def one(sh, kind, key=None):
    found = [f for f in sh.facts if f.kind == kind and (key is None or f.key == key)]
    assert found, f"no {kind} {key or ''} fact in {[(f.kind, f.key) for f in sh.facts]}"
    return found[0]


def test_rust_delay_with_floor_retry_after_bound_and_jitter():
    sh = sheet(SAMPLE, "server/svix-server/src/worker/delay.rs", "next_retry_delay")
    jit = one(sh, "jitter", "symmetric")
    assert (jit.value, jit.get("percent"), jit.get("lo"), jit.get("hi")) == ("JITTER_SPREAD", "15", "0.85", "1.15")
    assert jit.get("call") == ".gen_range" and jit.line == 59
    floor = one(sh, "floor")
    assert floor.key == "Duration::from_secs(OVERLOAD_FLOOR_SECS)" and floor.get("forms") == "30 s"
    clamp = one(sh, "clamp")
    assert (clamp.key, clamp.value, clamp.get("factor"), clamp.get("helper")) == (
        "scheduled", "scheduled * 3", "3", "bounded_retry_after")
    assert {f.key for f in sh.facts if f.kind == "error_case"} == {
        "DeliveryError::Timeout", "DeliveryError::Status(429)"}
    assert one(sh, "derived", "jittered floor").value == "25.5 s"  # 30 s × 0.85
    assert one(sh, "fallback").get("forms") == "zero"  # unwrap_or(Duration::ZERO)
    assert {f.key: f.value for f in sh.facts if f.kind == "time_type"} == {
        "Duration": "std", "DateTime": "chrono", "Utc": "chrono"}
    assert set(sh.crates) == {"std", "chrono", "rand"}  # no tokio: nothing here awaits
    assert one(sh, "signature").get("is_async") == ""


def test_rust_growth_cap_and_overflow():
    sh = sheet(SAMPLE, "server/svix-server/src/core/backoff.rs", "exponential_delay")
    consts = {f.key: f.value for f in sh.facts if f.kind == "const"}
    assert consts == {"BASE_DELAY": "250 ms", "MAX_DELAY": "300 s"}
    assert one(sh, "cap").key == "MAX_DELAY" and one(sh, "cap").get("forms") == "300 s|5 minutes"
    growth = one(sh, "growth", "power")
    assert growth.get("base") == "2" and growth.get("safe") == "yes"
    assert one(sh, "overflow").key == "saturating_mul"


def test_rust_successors_schedule_and_loop_in_sdk():
    sh = sheet(SAMPLE, "sdk/src/lib.rs", "send_with_backoff")
    g = one(sh, "growth", "successors")
    assert g.get("seed") == "50 ms"
    assert one(sh, "cap").key == "MAX_BACKOFF" and one(sh, "cap").get("forms") == "2 s"
    assert one(sh, "take").key == "conf.num_retries as usize"
    assert one(sh, "sleep").key == "tokio::time::sleep"
    assert one(sh, "timeout").key == "tokio::time::timeout"
    assert one(sh, "status", "500").get("op") == "<"
    assert one(sh, "loop").get("exits") == "yes"


def test_rust_reset_and_open_ended_schedule():
    sh = sheet(SAMPLE, "server/svix-server/src/relay.rs", "forward_forever")
    s = one(sh, "schedule")
    assert s.value == "0, 250 ms, 2 s, 10 s" and s.get("shape") == "rises"
    assert one(sh, "fallback").key == "&LONGEST_WAIT" and one(sh, "fallback").get("forms") == "10 s"
    assert one(sh, "reset").key == "attempt"
    assert one(sh, "loop").get("exits") == ""  # `-> !`: it never returns
    # `LONGEST_WAIT * 3` is a comparison bound, not growth
    assert not [f for f in sh.facts if f.kind == "growth"]


def test_a_random_request_id_is_not_jitter(tmp_path):
    src = tmp_path / "r.rs"
    src.write_text("fn req_id() -> u32 { rand::random::<u32>() }\n"
                   "fn wait(d: Duration) -> Duration { d.mul_f64(rand::random_range(0.5..=1.5)) }\n")
    data = src.read_bytes()
    fu = extract_file("r.rs", data)
    no = read_facts(fu.units[0], [fu.units[0].piece()], data)
    yes = read_facts(fu.units[1], [fu.units[1].piece()], data)
    assert not [f for f in no.facts if f.kind == "jitter"]
    assert one(yes, "jitter", "range").get("lo") == "0.5"


def test_python_full_jitter_and_schedule_with_unit_from_comment():
    sh = sheet(POLYGLOT, "python/pkg/backoff.py", "jittered")
    j = one(sh, "jitter", "full")
    assert (j.get("lo"), j.get("hi"), j.get("call")) == ("0", "delay", "random.uniform")
    sh = sheet(POLYGLOT, "python/pkg/backoff.py", "RETRY_SCHEDULE")
    s = one(sh, "schedule")  # "# Seconds to wait before each retry." gives the unit
    assert s.value == "500 ms, 1 s, 2 s, 4 s" and s.get("shape") == "doubles" and s.get("total") == "7.5 s"


def test_go_durations_sleep_and_units(tmp_path):
    sh = sheet(POLYGLOT, "go/backoff.go", "DefaultSchedule")
    assert one(sh, "schedule").value == "100 ms, 400 ms"
    sh = sheet(POLYGLOT, "go/backoff.go", "Client.Do")
    assert one(sh, "sleep").key == "time.Sleep" and one(sh, "sleep").value == "Jitter(wait)"
    assert one(sh, "jitter").get("call") == "rand.Int63n"
    src = tmp_path / "m.go"
    src.write_text("package m\n\nimport \"time\"\n\nconst Tick = 50 * time.Microsecond\n")
    data = src.read_bytes()
    unit = extract_file("m.go", data).units[0]
    assert one(read_facts(unit, [unit.piece()], data), "const", "Tick").value == "50 µs"


def test_typescript_doubling_capped_by_math_min():
    sh = sheet(POLYGLOT, "ts/src/backoff.ts", "nextDelay")
    assert one(sh, "growth", "doubling").value == "previous * 2"
    assert one(sh, "cap").key == "10_000"
    assert one(sh, "signature").get("params") == "(previous: number)"
    assert one(sh, "signature").get("returns") == "number"


def test_java_list_schedule_and_park():
    sh = sheet(POLYGLOT, "java/src/main/java/dev/example/Backoff.java", "Backoff.SCHEDULE")
    assert one(sh, "schedule").value == "50 ms, 100 ms, 200 ms"  # "Milliseconds before each retry."
    sh = sheet(POLYGLOT, "java/src/main/java/dev/example/Backoff.java", "Backoff.callWithRetry")
    assert one(sh, "sleep").key == "LockSupport.parkNanos"
    assert one(sh, "status", "500").get("op") == ">="


@pytest.mark.parametrize("path,name", [
    ("server/svix-server/src/worker/delay.rs", "next_retry_delay"),
    ("server/svix-server/src/core/backoff.rs", "full_jitter"),
])
def test_every_fact_points_at_its_code(path, name):
    sh = sheet(SAMPLE, path, name)
    lines = (SAMPLE / path).read_text().splitlines()
    for f in sh.facts:
        if f.line and f.code:
            assert f.code.splitlines()[0].strip() in lines[f.line - 1], (f.kind, f.key, f.line)


def test_jitter_over_duration_bounds_is_not_a_factor(tmp_path):
    src = tmp_path / "j.rs"
    src.write_text("const J: f32 = 0.25;\n"
                   "fn spread(d: Duration) -> Duration {\n"
                   "    rand::random_range(d.mul_f32(1.0 - J)..=d.mul_f32(1.0 + J))\n}\n")
    data = src.read_bytes()
    fu = extract_file("j.rs", data)
    unit = next(u for u in fu.units if u.name == "spread")
    j = one(read_facts(unit, context_pieces(unit, fu), data), "jitter", "symmetric")
    assert (j.get("over"), j.get("percent"), j.get("lo"), j.get("hi")) == ("durations", "25", "0.75", "1.25")
    assert j.get("lo_code") == "d.mul_f32(1.0 - J)"


def test_facts_inside_a_none_arm_carry_their_guard():
    sh = sheet(SAMPLE, "sdk/src/lib.rs", "send_with_backoff")
    assert one(sh, "growth", "successors").get("guard") == "&conf.retry_schedule => None"
    assert one(sh, "cap").get("guard") == "&conf.retry_schedule => None"
    assert not one(sh, "sleep").get("guard")


def test_growth_by_a_named_factor_and_a_cap_written_as_a_comparison(tmp_path):
    (tmp_path / "b.go").write_text("""package b

const maxWait = 30 * time.Second

func next(cur time.Duration, multiplier float64, randomizationFactor float64) time.Duration {
	cur = time.Duration(float64(cur) * multiplier)
	spread := randomizationFactor * float64(cur)
	if cur > maxWait {
		cur = maxWait
	}
	return cur + time.Duration(spread)
}
""")
    (tmp_path / "b.py").write_text("""def grow(delay, factor, ceiling):
    delay = delay * factor
    if delay >= ceiling:
        delay = ceiling
    return delay
""")
    go = sheet(tmp_path, "b.go", "next")
    growth = [f for f in go.facts if f.kind == "growth"]
    assert [(g.key, g.value) for g in growth] == [("factor", "multiplier")]  # not the randomization
    assert one(go, "cap", "maxWait").value == "30 s"
    py = sheet(tmp_path, "b.py", "grow")
    assert one(py, "growth", "factor").value == "factor"
    assert one(py, "cap", "ceiling")
    assert not [f for f in py.facts if f.kind == "floor"]
