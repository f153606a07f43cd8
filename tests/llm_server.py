"""A real local chat-completions server for the LLM backend's tests and bench.

Speaks `POST /v1/chat/completions` and `GET /v1/models` over HTTP/1.1 on 127.0.0.1 (free port),
answers with proper chat-completion JSON including `usage`, records every request with its
arrival time, and takes scripted faults so tests exercise the real client stack end to end.

Faults are rules: `Rule(fault, match=..., times=...)` applies to the next `times` requests whose
messages contain `match` (any request when match is None), in the order rules were added;
`key=` narrows a rule to one job (see `job_key`), where several jobs share a unit.
Faults: "429" (with Retry-After), "500", "400", "401", "404", "stall" (sleep past the client
timeout, then answer), "bad_body" (HTTP 200, body not JSON), "truncated" (cut JSON,
finish_reason "length"), "not_json" (prose instead of JSON), "content" (a given content string).
The normal answer comes from `answer(messages) -> dict` (default: a plausible request/reasoning).
`keyed_answer(table)` serves a prepared answer per job instead, keyed by `job_key(messages)`
("path::unit::angle", read from the first user message as prompt.py writes it), so a run of the
real pipeline can be answered with drafts that pass its checks.

Run standalone for the bench: `python tests/llm_server.py --latency 0.05` prints the base URL;
`--answers FILE` (a JSON object {job key: {"request", "reasoning"}}) serves prepared answers.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Rule:
    fault: str
    match: str | None = None
    times: int = 1
    retry_after: str | None = None
    seconds: float = 0.0
    content: str = ""
    key: str | None = None


@dataclass
class Recorded:
    t: float
    method: str
    path: str
    body: dict | None
    status: int
    fault: str | None

    @property
    def messages(self) -> list[dict]:
        return (self.body or {}).get("messages", [])

    @property
    def text(self) -> str:
        return "\n".join(m.get("content") or "" for m in self.messages)


def default_answer(messages: list[dict]) -> dict:
    """A schema-valid answer that mentions nothing it could not have read."""
    return {
        "request": "Retries from one outage land on the endpoint together; we need a delay "
        "before the next attempt that grows and is spread randomly so they stop lining up.",
        "reasoning": "The delay grows with each attempt and is capped, then jitter spreads it "
        "so a thundering herd does not form; tokio and chrono are not needed for the arithmetic.",
    }


_UNIT_LINE = re.compile(r"`([^`\n]+)` in (\S+) \(lines \d+-\d+\)")
_ANGLE_LINE = re.compile(r"^Angle: (.+)$", re.MULTILINE)


def job_key(messages: list[dict]) -> str | None:
    """"path::unit::angle" of the job a chat is about, from its first user message (None if absent).

    Only the text before the DATA fence is read, so code that happens to hold a line starting
    with "Angle: " cannot change the key.
    """
    first = next((m.get("content") or "" for m in messages if m.get("role") == "user"), "")
    head = first.split("\nDATA", 1)[0]
    unit, angle = _UNIT_LINE.search(head), _ANGLE_LINE.search(head)
    if unit is None or angle is None:
        return None
    return f"{unit.group(2)}::{unit.group(1)}::{angle.group(1).strip()}"


def keyed_answer(
    table: dict[str, dict], fallback: Callable[[list[dict]], dict] = default_answer
) -> Callable[[list[dict]], dict]:
    """An `answer` function serving `table[job_key(messages)]`; `fallback` for unknown jobs."""

    def answer(messages: list[dict]) -> dict:
        found = table.get(job_key(messages) or "")
        return found if found is not None else fallback(messages)

    return answer


@dataclass
class LLMServer:
    latency: float = 0.0
    answer: Callable[[list[dict]], dict] = default_answer
    rules: list[Rule] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    record_bodies: bool = True

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None

    # -- scripting ------------------------------------------------------------------------
    def add(self, fault: str, match: str | None = None, times: int = 1, **kw) -> Rule:
        rule = Rule(fault, match, times, **kw)
        with self._lock:
            self.rules.append(rule)
        return rule

    def _take_rule(self, text: str, messages: list[dict]) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if (
                    rule.times > 0
                    and (rule.match is None or rule.match in text)
                    and (rule.key is None or rule.key == job_key(messages))
                ):
                    rule.times -= 1
                    return rule
        return None

    @property
    def completions(self) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self, port: int = 0) -> LLMServer:
        server = self

        class Handler(_Handler):
            owner = server

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # the default backlog of 5 drops SYNs from a burst of clients

        self._httpd = Server(("127.0.0.1", port), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()


def completion(content: str, finish: str, prompt_chars: int, model: str) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_chars // 4,
            "completion_tokens": max(1, len(content) // 4),
            "total_tokens": prompt_chars // 4 + max(1, len(content) // 4),
        },
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # with delayed ACKs, Nagle adds ~40 ms to small responses
    owner: LLMServer

    def log_message(self, format: str, *args) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self._headers_buffer.append(b"\r\n" + body)  # headers and body in one write
            self.flush_headers()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout); that is the point of a stall

    def _record(self, body: dict | None, status: int, fault: str | None, t: float) -> None:
        owner = self.owner
        with owner._lock:
            owner.requests.append(
                Recorded(t, self.command, self.path, body if owner.record_bodies else None, status, fault)
            )

    def do_GET(self) -> None:
        t = time.monotonic()
        if self.path.rstrip("/").endswith("/models"):
            self._record(None, 200, None, t)
            self._send(200, json.dumps({"object": "list", "data": [{"id": "test-model", "object": "model"}]}).encode())
        else:
            self._record(None, 404, None, t)
            self._send(404, b'{"error": {"message": "not found"}}')

    def do_POST(self) -> None:
        t = time.monotonic()
        owner = self.owner
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            self._record(None, 400, None, t)
            self._send(400, b'{"error": {"message": "request body is not JSON"}}')
            return
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._record(body, 404, None, t)
            self._send(404, b'{"error": {"message": "unknown path"}}')
            return
        messages = body.get("messages", [])
        text = "\n".join(m.get("content") or "" for m in messages)
        rule = owner._take_rule(text, messages)
        fault = rule.fault if rule else None
        status = 200
        if fault in ("429", "500", "400", "401", "404"):
            status = int(fault)
        self._record(body, status, fault, t)
        if owner.latency:  # latency counted from arrival, so our own parsing does not add to it
            time.sleep(max(0.0, owner.latency - (time.monotonic() - t)))
        model = body.get("model", "test-model")
        if status != 200:
            headers = {"Retry-After": rule.retry_after} if rule and rule.retry_after is not None else {}
            err = {"error": {"message": f"scripted {fault}", "type": "test", "code": fault}}
            self._send(status, json.dumps(err).encode(), headers)
            return
        if fault == "stall":
            time.sleep(rule.seconds)
        if fault == "bad_body":
            self._send(200, b'{"id": "chatcmpl-test", "choices": [ {"message": ')
            return
        prompt_chars = len(text)
        if fault == "truncated":
            full = json.dumps(owner.answer(messages))
            self._send(200, json.dumps(completion(full[: len(full) // 2], "length", prompt_chars, model)).encode())
            return
        if fault == "not_json":
            content = "Sure! Here is the request: we need a backoff. And the reasoning: jitter helps."
        elif fault == "content":
            content = rule.content
        else:
            content = json.dumps(owner.answer(messages))
        self._send(200, json.dumps(completion(content, "stop", prompt_chars, model)).encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--answers", help="JSON file {job key: {request, reasoning}} to serve")
    args = parser.parse_args()
    server = LLMServer(latency=args.latency, record_bodies=False)
    if args.answers:
        with open(args.answers, encoding="utf-8") as f:
            server.answer = keyed_answer(json.load(f))
    server.start(args.port)
    print(server.base_url, flush=True)
    try:
        sys.stdin.read()  # run until the parent closes our stdin
    finally:
        server.stop()


if __name__ == "__main__":
    main()
