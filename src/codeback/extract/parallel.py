"""Fan files out over every core, results back in input order.

A whole-repository scan is CPU-bound tree-sitter work on thousands of small files; threads do not
help (the Python side of extraction holds the GIL), so each worker process reads and handles its
own files and sends back only the small result (units, not trees). Results stream: `imap` yields
them in input order as they finish, so the caller's memory does not grow with the repository.

Below a threshold the pool costs more than it saves (start-up plus importing the grammars in each
worker), so small inputs run in-process.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

IN_PROCESS_BELOW = 64
"""Fewer files than this run in the calling process."""


def cpu_count() -> int:
    """Cores this process may use (respects CPU affinity and container limits)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


class _Apply:
    """Picklable worker callable: read one file, hand its bytes to `fn` (reading happens in the
    worker, so the parent never holds the repository's bytes)."""

    __slots__ = ("root", "fn")

    def __init__(self, root: Path, fn: Callable[[str, bytes], T]) -> None:
        self.root, self.fn = root, fn

    def __call__(self, path: str) -> T:
        return self.fn(path, _read(self.root, path))


_installed: _Apply | None = None


def _install(apply: _Apply) -> None:
    """Pool initializer: the worker keeps `apply` (with its router, topics and compiled
    patterns) for its whole life instead of receiving a pickled copy with every chunk."""
    global _installed
    _installed = apply


def _run_installed(path: str):
    return _installed(path)


def _read(root: Path, path: str) -> bytes:
    try:
        with open(root / path, "rb") as fh:
            return fh.read()
    except OSError:
        return b"\0unreadable"  # counted by extract_file as a binary-file skip, never a traceback


def map_files(root: Path, paths: list[str], fn: Callable[[str, bytes], T],
              workers: int | None = None, chunksize: int | None = None,
              in_process_below: int = IN_PROCESS_BELOW,
              window_per_worker: int = 256) -> Iterator[T]:
    """Yield `fn(path, bytes)` for each repository-relative path, in the order given.

    `fn` must be picklable (a top-level function or a `functools.partial` of one) when a pool is
    used. `workers=None` uses every available core; `workers=1` forces in-process work. At most
    `window_per_worker` files per worker are in flight ahead of the consumer.
    """
    apply = _Apply(Path(root), fn)
    n_workers = workers if workers is not None else cpu_count()
    if n_workers <= 1 or len(paths) < in_process_below:
        yield from map(apply, paths)
        return
    import multiprocessing  # deferred: only whole-repository scans pay for it

    if chunksize is None:
        # Small chunks keep cores busy to the end (file sizes vary by 1000x); ~16 per worker
        # keeps the per-chunk IPC overhead negligible.
        chunksize = max(1, min(32, len(paths) // (n_workers * 16)))
    import threading

    # `imap` has no back-pressure: with a slow consumer the workers would run ahead and the
    # parent would buffer every result. A window of in-flight files keeps memory flat.
    window = threading.Semaphore(max(window_per_worker, 2 * chunksize) * n_workers)
    stop = threading.Event()

    def feed() -> Iterator[str]:
        for path in paths:
            while not window.acquire(timeout=0.05):
                if stop.is_set():
                    return
            yield path

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    with ctx.Pool(n_workers, initializer=_install, initargs=(apply,)) as pool:
        try:
            for result in pool.imap(_run_installed, feed(), chunksize):
                window.release()
                yield result
        finally:
            stop.set()  # lets the pool's feeder thread finish before the pool is torn down
