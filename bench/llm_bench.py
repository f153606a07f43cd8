"""Throughput of the OpenAI-compatible backend against a local endpoint with fixed latency.

With a fixed server latency L and concurrency C, the best possible rate is C / L examples per
second; whatever codeback adds (prompt building, answer parsing, the SDK, cache writes, the
event-loop stepping of `run`) shows up as the gap to that ideal. Target: >= 95 % of ideal.

Next to it, "sdk" is the same load sent through the bare SDK (`AsyncOpenAI.post` under a
semaphore, prompts prebuilt, nothing parsed or cached): the ceiling of the HTTP stack itself on
this machine, so "vs sdk" isolates codeback's own overhead from the SDK's and the server's.

The server runs in its own process (tests/llm_server.py) so it does not compete with the
client for the GIL. Each level runs whole waves (a multiple of C jobs, at least 8 waves), so
the last partial wave does not count against the ratio.

The first table uses a short latency (50 ms) to expose per-request CPU cost: at high
concurrency the client's CPU, not the server, is the limit there. The second table is the
realistic case: an inference server takes seconds per answer (1 s and 2 s here), so the ideal
is C / L and the question is whether codeback keeps C requests in flight all the time. It
adds "cpu ms/ex", the client process's CPU time per example (codeback plus the SDK), which
says how far the concurrency could go before the client itself becomes the limit.

    python bench/llm_bench.py [--jobs 200] [--latency 0.05] [--levels 1,4,16,64] [--no-cache] [--repeat 3]
                              [--slow-latencies 1,2] [--slow-levels 8,32,64] [--waves 5] [--no-sdk]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from codeback.generate import prompt
from codeback.generate.base import Job
from codeback.generate.openai_backend import OpenAIBackend
from codeback.model import CodeUnit, Fact, Piece, Span
from codeback.spec import AgentSpec, Reasoning

ROOT = Path(__file__).resolve().parent.parent
SPEC = AgentSpec(
    name="bench-agent",
    system_prompt="You are a maintainer specializing in backoff and jitter.",
    topic="backoff-jitter",
    reasoning=Reasoning(crates=["tokio", "chrono"], themes=["jitter"]),
)
CODE = """/// Delay before attempt {n}, doubled per attempt and spread by a tenth.
pub fn next_delay_{n}(attempt: u32) -> Duration {{
    let base = BASE_DELAY_MS * 2u64.pow(attempt.min(MAX_DOUBLINGS));
    let jitter = rand::thread_rng().gen_range(0..=base / 10);
    Duration::from_millis(base + jitter)
}}
"""


def make_job(tag: str, n: int) -> Job:
    text = CODE.format(n=n)
    unit = CodeUnit("src/retry.rs", "rust", "function", f"next_delay_{n}", Span(0, len(text), 1, 6), text)
    facts = [Fact("const", "BASE_DELAY_MS", "100", "const BASE_DELAY_MS: u64 = 100;", 1, ("100",))]
    return Job(
        f"{tag}-{n}", unit, [Piece(unit.path, unit.span, text)], f"```rust\n{text}```", facts,
        "github-issue", f"bench {tag}", n, SPEC,
    )


def start_server(latency: float) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "llm_server.py"), "--latency", str(latency)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def bench_level(
    base_url: str, concurrency: int, jobs: int, latency: float, cache_dir: Path | None, min_waves: int = 8
) -> dict:
    n = concurrency * max(math.ceil(jobs / concurrency), min_waves)
    backend = OpenAIBackend(
        model="bench-model",
        base_url=base_url,
        api_key="bench",
        concurrency=concurrency,
        cache=cache_dir is not None,
        cache_path=(cache_dir / f"c{concurrency}-{time.perf_counter_ns()}.sqlite") if cache_dir else None,  # fresh: no hits
    )
    batch = [make_job(f"c{concurrency}", i) for i in range(n)]
    start, cpu = time.perf_counter(), time.process_time()
    done = sum(1 for o in backend.run(batch, lambda job, draft: []) if o.draft is not None)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    backend.close()
    rate = done / elapsed
    ideal = concurrency / latency
    return {
        "concurrency": concurrency, "jobs": n, "ok": done, "seconds": elapsed, "rate": rate, "ideal": ideal,
        "cpu_ms": cpu * 1000 / n,
    }


def sdk_ceiling(base_url: str, concurrency: int, n: int) -> float:
    """Examples/s of the bare SDK on the same prompts: the transport's own limit."""
    from openai import AsyncOpenAI

    bodies = [
        {"model": "bench-model", "messages": prompt.build(make_job("sdk", i)).messages, "max_tokens": 1500}
        for i in range(n)
    ]

    async def go() -> float:
        client = AsyncOpenAI(api_key="bench", base_url=base_url, max_retries=0)
        sem = asyncio.Semaphore(concurrency)

        async def one(body: dict) -> bytes:
            async with sem:
                return await client.post("/chat/completions", cast_to=bytes, body=body)

        start = time.perf_counter()
        await asyncio.gather(*(one(b) for b in bodies))
        elapsed = time.perf_counter() - start
        await client.close()
        return n / elapsed

    return asyncio.run(go())


def stop_server(proc: subprocess.Popen) -> None:
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(timeout=10)


def slow_table(latencies: list[float], levels: list[int], waves: int, cache_dir: Path | None, sdk: bool) -> None:
    """Realistic latencies: `waves` rounds of C requests each, one server per latency."""
    print()
    print(f"realistic latency, {waves} waves of C requests per row, best of 1")
    print(
        f"{'latency':>7} {'conc':>5} {'jobs':>5} {'seconds':>8} {'ex/s':>8} {'ideal':>8} {'% ideal':>8}"
        f" {'cpu ms/ex':>9}" + (f" {'sdk ex/s':>9} {'% ideal':>8}" if sdk else "")
    )
    for latency in latencies:
        proc, base_url = start_server(latency)
        try:
            bench_level(base_url, 4, 4, latency, None)  # warm-up, not counted
            for level in levels:
                r = bench_level(base_url, level, level * waves, latency, cache_dir, min_waves=waves)
                assert r["ok"] == r["jobs"], r
                line = (
                    f"{latency:>6g}s {level:>5} {r['jobs']:>5} {r['seconds']:>8.2f} {r['rate']:>8.2f} "
                    f"{r['ideal']:>8.2f} {r['rate'] / r['ideal']:>8.1%} {r['cpu_ms']:>9.2f}"
                )
                if sdk:
                    ceiling = sdk_ceiling(base_url, level, r["jobs"])
                    line += f" {ceiling:>9.2f} {ceiling / r['ideal']:>8.1%}"
                print(line, flush=True)
        finally:
            stop_server(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description="LLM backend throughput against a fixed-latency local endpoint")
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--levels", default="1,4,16,64")
    parser.add_argument("--no-cache", action="store_true", help="skip the SQLite answer cache")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs per level (noise on shared machines)")
    parser.add_argument("--slow-latencies", default="1,2", help="realistic latencies in seconds ('' to skip)")
    parser.add_argument("--slow-levels", default="8,32,64")
    parser.add_argument("--waves", type=int, default=5, help="rounds of C requests per realistic row")
    parser.add_argument("--no-sdk", action="store_true", help="skip the bare-SDK column in the realistic table")
    parser.add_argument("--only-slow", action="store_true", help="skip the short-latency table")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cache_dir = None if args.no_cache else Path(tmp)
        if not args.only_slow:
            fast_table(args, cache_dir)
        if args.slow_latencies:
            slow_table(
                [float(x) for x in args.slow_latencies.split(",")],
                [int(x) for x in args.slow_levels.split(",")],
                args.waves,
                cache_dir,
                not args.no_sdk,
            )


def fast_table(args: argparse.Namespace, cache_dir: Path | None) -> None:
    proc, base_url = start_server(args.latency)
    try:
        # one small warm-up so connection setup and imports do not count against level 1
        bench_level(base_url, 4, 4, args.latency, None)
        print(f"latency {args.latency * 1000:.0f} ms, cache {'off' if args.no_cache else 'on'}")
        print(
            f"{'conc':>5} {'jobs':>5} {'seconds':>8} {'ex/s':>9} {'ideal':>9} {'ratio':>7}"
            f" {'sdk ex/s':>9} {'vs sdk':>7}"
        )
        for level in (int(x) for x in args.levels.split(",")):
            runs = [bench_level(base_url, level, args.jobs, args.latency, cache_dir) for _ in range(args.repeat)]
            assert all(x["ok"] == x["jobs"] for x in runs), runs
            r = max(runs, key=lambda x: x["rate"])
            sdk = max(sdk_ceiling(base_url, level, r["jobs"]) for _ in range(args.repeat))
            print(
                f"{r['concurrency']:>5} {r['jobs']:>5} {r['seconds']:>8.2f} {r['rate']:>9.1f} "
                f"{r['ideal']:>9.1f} {r['rate'] / r['ideal']:>7.1%} {sdk:>9.1f} {r['rate'] / sdk:>7.1%}"
            )
    finally:
        stop_server(proc)


if __name__ == "__main__":
    main()
