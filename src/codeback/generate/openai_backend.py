"""Backend for any OpenAI-compatible chat-completions endpoint (vLLM, Ollama, llama.cpp, OpenAI).

The model writes the request and the reasoning; every answer goes through the pipeline's own
`check` (schema, grounding, diversity) and a failing one is sent back with its problems, a
bounded number of times, before the job is rejected with those problems.

Why it is shaped this way:
- `run` is a plain generator: the pipeline stays synchronous. It drives a private event loop on
  the caller's thread, in steps ("run until the next job finishes"), so the jobs iterator, `check`
  and the consumer of outcomes are only ever touched by the caller's thread, while up to
  `concurrency` jobs have requests in flight. Memory stays bounded: jobs are pulled only as
  slots free up.
- The SDK is imported lazily (`codeback --help` must not pay for it) and built with
  `max_retries=0`: retries are ours (`retrying.py`) so that spacing, Retry-After and the caps on
  attempts and total wait are one documented policy.
- Cost control: a SQLite cache makes answers already received free; a token budget is checked
  before each request against tokens used plus a reservation for requests in flight, and when
  it would be passed the run finishes what is in flight, yields it, and raises BudgetExceeded.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields, replace
from typing import Any

import orjson

from ..errors import BackendError, BudgetExceeded
from ..model import Draft
from . import prompt, secrets
from .base import Backend, Check, Job, Outcome, register
from .cache import AnswerCache, CachedAnswer, request_key
from .usage import Answer, Budget
from .openai_config import OpenAIConfig
from .retrying import EndpointError, RetryPolicy, Transient, call_with_retries

log = logging.getLogger("codeback.generate")

FATAL_STATUS = frozenset({401, 403, 404})
"""Statuses that will fail every request of the run (bad key, wrong model or URL): stop."""


class JobRefused(BackendError):
    """The endpoint refused one job's request (e.g. 400: prompt too long); other jobs go on."""


@register("openai")
class OpenAIBackend(Backend):
    """Drafts from an OpenAI-compatible endpoint, checked and fed back by the pipeline's check."""

    name = "openai"
    version = "1"

    def __init__(
        self,
        config: OpenAIConfig | None = None,
        *,
        sleep: Callable[[float], Any] | None = None,
        rng: random.Random | None = None,
        **options: Any,
    ):
        known = {f.name for f in fields(OpenAIConfig)}
        unknown = sorted(k for k in options if k not in known)
        if unknown:
            raise BackendError(
                f"openai backend: unknown option(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        given = {k: v for k, v in options.items() if v is not None}
        self.config = replace(config or OpenAIConfig(), **given).resolved()
        self.policy = RetryPolicy(
            self.config.max_attempts,
            self.config.backoff_base,
            self.config.backoff_cap,
            self.config.max_total_wait,
        )
        self._sleep = sleep or asyncio.sleep
        self._rng = rng or random.Random()
        self._structured = self.config.structured is not False
        self._cache: AnswerCache | None = None  # opened by run(): a dry run touches no file
        self._budget = Budget(self.config.max_tokens_total)
        self.usage: dict[str, int] = dict.fromkeys(
            ("prompt_tokens", "completion_tokens", "total_tokens", "requests", "cache_hits", "retries", "fix_rounds"),
            0,
        )
        self.redactions: dict[str, list[secrets.Finding]] = {}

    @property
    def generator(self) -> str:
        return f"openai:{self.config.model}"

    # ---- prompt and parameters ------------------------------------------------------------

    def _params(self, job: Job) -> dict:
        params: dict[str, Any] = {
            "temperature": self.config.temperature,
            "max_tokens": self.config.max_tokens,
        }
        if self.config.send_seed:
            params["seed"] = job.seed
        if self._structured:
            params["response_format"] = prompt.RESPONSE_FORMAT
        return params

    def preview(self, job: Job) -> str:
        """What a dry run shows: the exact messages and parameters that would be sent."""
        built = prompt.build(job)
        params = self._params(job)
        head = [
            f"POST {(self.config.base_url or 'default OpenAI endpoint').rstrip('/')}/chat/completions",
            f"model: {self.config.model}",
            "parameters: " + orjson.dumps(params, option=orjson.OPT_SORT_KEYS).decode(),
        ]
        if built.findings:
            head.append("redacted before sending: " + secrets.summary(built.findings))
        body = [f"--- {m['role']} ---\n{m['content']}" for m in built.messages]
        return "\n".join(head) + "\n\n" + "\n\n".join(body) + "\n"

    # ---- one request ------------------------------------------------------------------------

    def _client(self):
        try:
            from openai import AsyncOpenAI
        except ImportError as e:  # pragma: no cover - openai is a declared dependency
            raise BackendError(f"openai backend: the openai package is not installed ({e})") from None
        return AsyncOpenAI(
            api_key=self.config.api_key,
            base_url=self.config.base_url,
            timeout=self.config.timeout,
            max_retries=0,
        )

    async def _post(self, client, messages: list[dict], params: dict) -> Answer:
        # `client.post` (the SDK's documented way to reach any path) rather than
        # `chat.completions.create`: the typed create() spends ~2 ms of CPU per call
        # transforming params through TypedDict machinery, which caps throughput far below
        # what a vLLM server can serve. Auth, base URL, timeouts and error mapping are the same.
        body = {"model": self.config.model, "messages": messages, **params}
        async with asyncio.timeout(self.config.timeout):
            text = await client.post("/chat/completions", cast_to=bytes, body=body)
        try:
            data = orjson.loads(text)
            choice = data["choices"][0]
            content = choice["message"].get("content") or ""
            finish = choice.get("finish_reason") or "stop"
            usage = data.get("usage") or {}
        except (orjson.JSONDecodeError, KeyError, IndexError, TypeError, AttributeError):
            raise Transient(f"response is not a chat completion: {text[:80]!r}") from None
        if not isinstance(content, str):
            raise Transient("response message content is not text")
        prompt_chars = sum(len(m["content"]) for m in messages)
        return Answer(
            content,
            str(finish),
            int(usage.get("prompt_tokens") or prompt_chars // 4),
            int(usage.get("completion_tokens") or len(content) // 4),
        )

    def _on_retry(self, attempt: int, delay: float, failure) -> None:
        self.usage["retries"] += 1

    async def _complete(self, client, messages: list[dict], params: dict, what: str) -> Answer | None:
        """One answer for `messages`: from the cache, else from the endpoint. None = no budget."""
        key = request_key(self.config.model, params, messages)
        if self._cache is not None and (hit := self._cache.get(key)) is not None:
            self.usage["cache_hits"] += 1
            return Answer(hit.content, hit.finish_reason, 0, 0, cached=True, key=key)
        reserve = sum(len(m["content"]) for m in messages) // 3 + self.config.max_tokens
        if not self._budget.reserve(reserve):
            return None
        actual = 0
        try:
            answer = await call_with_retries(
                lambda: self._post(client, messages, params),
                self.policy,
                sleep=self._sleep,
                rng=self._rng,
                on_retry=self._on_retry,
                what=what,
            )
            actual = answer.prompt_tokens + answer.completion_tokens
        except EndpointError as e:
            if e.status == 400 and "response_format" in params and self.config.structured is None:
                log.info("endpoint refused response_format; asking for JSON in text from now on")
                self._structured = False
                self._budget.settle(reserve, 0)
                reserve = 0
                params = {k: v for k, v in params.items() if k != "response_format"}
                return await self._complete(client, messages, params, what)
            if e.status in FATAL_STATUS or e.exhausted:
                raise
            raise JobRefused(str(e)) from None
        finally:
            self._budget.settle(reserve, actual)
        self.usage["requests"] += 1
        self.usage["prompt_tokens"] += answer.prompt_tokens
        self.usage["completion_tokens"] += answer.completion_tokens
        self.usage["total_tokens"] += actual
        answer.key = key
        return answer

    def _remember(self, answer: Answer) -> None:
        """Cache an answer that passed its reader's checks (one that failed is asked again)."""
        if self._cache is not None and not answer.cached:
            self._cache.put(answer.key, self.config.model, CachedAnswer(
                answer.content, answer.finish_reason, answer.prompt_tokens, answer.completion_tokens))

    # ---- one job ----------------------------------------------------------------------------

    async def _job(self, client, job: Job, check: Check) -> Outcome | None:
        """The feedback loop for one job. None means unfinished (budget): a re-run resumes it."""
        built = prompt.build(job)
        if built.findings:
            if not self.config.allow_secrets_in_output:
                return Outcome(
                    job,
                    None,
                    [
                        "not sent: the code holds what looks like a credential ("
                        f"{secrets.summary(built.findings)}); the spec does not allow secrets in output"
                    ],
                )
            self.redactions[job.id] = built.findings
        messages = built.messages
        usage = dict.fromkeys(("prompt_tokens", "completion_tokens", "requests", "cache_hits"), 0)
        problems: list[str] = []
        for round_ in range(self.config.max_fix_rounds + 1):
            if round_:
                self.usage["fix_rounds"] += 1
            try:
                answer = await self._complete(client, messages, self._params(job),
                                              f"openai request for {job.unit.name}")
            except JobRefused as e:
                return Outcome(job, None, [str(e)])
            if answer is None:
                return None
            usage["prompt_tokens"] += answer.prompt_tokens
            usage["completion_tokens"] += answer.completion_tokens
            usage["cache_hits" if answer.cached else "requests"] += 1
            parsed, problems = prompt.parse_answer(answer.content, job.code_block, answer.finish_reason)
            if parsed is not None:
                self._remember(answer)
                draft = Draft(
                    parsed.request,
                    parsed.reasoning,
                    job.style,
                    self.generator,
                    _facts_used(job, parsed),
                    dict(usage),
                )
                problems = list(check(job, draft))
                if not problems:
                    return Outcome(job, draft)
            messages = messages + [
                {"role": "assistant", "content": answer.content},
                {"role": "user", "content": prompt.fix_message(problems)},
            ]
        return Outcome(job, None, problems)

    # ---- the run ----------------------------------------------------------------------------

    def run(self, jobs: Iterable[Job], check: Check) -> Iterator[Outcome]:
        loop = asyncio.new_event_loop()
        client = None
        pending: set[asyncio.Task] = set()
        finished: deque[asyncio.Task] = deque()
        wake: list[asyncio.Future | None] = [None]
        unfinished = delivered = 0
        fatal: BaseException | None = None

        def on_done(task: asyncio.Task) -> None:
            # O(1) per completion; asyncio.wait would re-register on every pending task
            finished.append(task)
            if wake[0] is not None and not wake[0].done():
                wake[0].set_result(None)

        try:
            client = self._open(loop)
            it = iter(jobs)
            more = True
            while True:
                while more and fatal is None and not self._budget.exhausted and len(pending) < self.config.concurrency:
                    job = next(it, None)
                    if job is None:
                        more = False
                        break
                    task = loop.create_task(self._job(client, job, check))
                    task.add_done_callback(on_done)
                    pending.add(task)
                if not pending:
                    break
                if not finished:
                    wake[0] = loop.create_future()
                    loop.run_until_complete(wake[0])
                    wake[0] = None
                while finished:
                    task = finished.popleft()
                    pending.discard(task)
                    if task.cancelled():
                        continue
                    try:
                        outcome = task.result()
                    except BackendError as e:
                        fatal = fatal or e
                        continue
                    if outcome is None:
                        unfinished += 1
                    else:
                        delivered += 1
                        yield outcome
                if fatal is not None:
                    break
            if fatal is not None:
                # One line that says what stopped the run and that the work before it stands.
                stop = type(fatal)(
                    f"{fatal}; the run stopped there with {delivered} job(s) finished, "
                    "and a re-run resumes after them"
                )
                for attr in ("status", "exhausted"):  # EndpointError's fields, for callers
                    if hasattr(fatal, attr):
                        setattr(stop, attr, getattr(fatal, attr))
                raise stop from fatal
            if self._budget.exhausted:
                raise BudgetExceeded(
                    f"token budget of {self.config.max_tokens_total} reached ({self._budget.used} used); "
                    f"{unfinished} started job(s) and any not yet started are left for a re-run, "
                    "which resumes for free from the answer cache"
                )
        finally:
            _shut(loop, client, pending)

    def ask(self, questions: list[tuple[str, list[dict]]], params: dict,
            valid: Callable[[str], bool] = lambda _: True) -> dict[str, tuple[str | None, str]]:
        """Plain chat requests outside the drafting loop (the routing judge's), with this backend's
        retries, cache, budget and concurrency: per name, (the answer's content, "") or (None,
        why not). Only answers that are `valid` are cached, so a re-run asks again for the rest.
        An endpoint that refuses one request costs that request only; a fatal status (bad key,
        wrong model or URL) or exhausted retries raise, as they do for drafts, and stop the
        requests still waiting."""
        loop = asyncio.new_event_loop()
        client = None
        out: dict[str, tuple[str | None, str]] = {}
        tasks: list[asyncio.Task] = []
        try:
            client = self._open(loop)
            gate = asyncio.Semaphore(self.config.concurrency)
            stopped: list[BackendError] = []  # once one request fails for good, send no more

            async def one(name: str, messages: list[dict]) -> None:
                async with gate:
                    if stopped:
                        return
                    try:
                        answer = await self._complete(client, messages, params, f"judge request for {name}")
                    except JobRefused as e:
                        out[name] = (None, str(e))
                        return
                    except BackendError as e:
                        stopped.append(e)
                        raise
                if answer is None:
                    out[name] = (None, "token budget reached")
                    return
                if valid(answer.content):
                    self._remember(answer)
                out[name] = (answer.content, "")

            tasks = [loop.create_task(one(n, m)) for n, m in questions]
            if tasks:
                done, _ = loop.run_until_complete(asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION))
                if fatal := next((t.exception() for t in done if t.exception() is not None), None):
                    raise fatal
        finally:
            _shut(loop, client, [t for t in tasks if not t.done()])  # a fatal error, or Ctrl-C
        return out

    def _open(self, loop: asyncio.AbstractEventLoop):
        """The answer cache (opened once) and a client made in `loop`, for `run` and `ask`."""
        if self.config.cache and self._cache is None:
            self._cache = AnswerCache(self.config.cache_path)
        return loop.run_until_complete(_make(self._client))

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
            self._cache = None


async def _make(factory):
    """Build the client inside the loop that will use it (its connections belong to it)."""
    return factory()


def _shut(loop: asyncio.AbstractEventLoop, client, pending) -> None:
    """End a `run` or `ask` session: cancel what is still in flight, close the client, the loop."""
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    if client is not None:
        loop.run_until_complete(client.close())
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()


def _facts_used(job: Job, parsed: prompt.Parsed) -> list[str]:
    """Keys of facts whose terms the text states: a hint for the grounding report."""
    text = parsed.request + "\n" + parsed.reasoning
    return [f.key for f in job.facts if f.terms and any(t and t in text for t in f.terms)]
