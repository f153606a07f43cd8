"""The process pool: same results as in-process, in input order, and cheap, faithful pickling."""

from __future__ import annotations

import functools
import pickle
from pathlib import Path

from codeback.extract import extract_file
from codeback.extract.codec import REGISTERED
from codeback.extract.parallel import map_files

ROOT = Path(__file__).parent / "fixtures" / "polyglot"
PATHS = sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file())


def _size(path: str, data: bytes) -> tuple[str, int]:
    return path, len(data)


def test_pool_matches_in_process_and_keeps_input_order() -> None:
    paths = list(reversed(PATHS)) * 3  # enough files for the pool, in a non-sorted order
    fn = functools.partial(extract_file, exclude_tests=True)
    pooled = list(map_files(ROOT, paths, fn, workers=2, in_process_below=1, chunksize=2))
    local = list(map_files(ROOT, paths, fn, workers=1))
    assert [fu.path for fu in pooled] == paths
    assert pooled == local
    assert sum(len(fu.units) for fu in pooled) > 3 * 40


def test_small_inputs_run_in_process_and_lazily() -> None:
    calls: list[str] = []

    def record(path: str, data: bytes) -> str:  # a closure: not picklable, so must stay local
        calls.append(path)
        return path

    it = map_files(ROOT, PATHS[:3], record)
    assert calls == []  # nothing read before the caller asks
    assert next(it) == PATHS[0] and calls == PATHS[:1]
    assert list(it) == PATHS[1:3]


def test_unreadable_file_becomes_a_skip_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text("X = 1\n")
    out = list(map_files(tmp_path, ["ok.py", "missing.py"], extract_file, workers=1))
    assert [u.name for u in out[0].units] == ["X"]
    assert [s.reason for s in out[1].skips] == ["binary file"]


def test_reads_bytes_verbatim() -> None:
    got = dict(map_files(ROOT, PATHS, _size, workers=1))
    assert got == {p: (ROOT / p).stat().st_size for p in PATHS}


def test_codec_round_trips_and_shrinks_nested_units() -> None:
    assert REGISTERED
    fus = [extract_file(p, (ROOT / p).read_bytes()) for p in PATHS]
    fus.append(extract_file("u.py", "class Ünï:\n    def f(self):\n        return 'é'\n".encode()))
    for fu in fus:
        back = pickle.loads(pickle.dumps(fu))
        assert back == fu
        assert [u.text for u in back.units] == [u.text for u in fu.units]
    cls = next(fu for fu in fus if fu.path == "java/src/main/java/dev/example/Backoff.java")
    # A method's text is sent as a reference into its class's text, not a second copy.
    method_text = next(u.text for u in cls.units if u.name == "Backoff.callWithRetry")
    assert pickle.dumps(cls).count(method_text.encode()) == 1


def _touch(marks: str, path: str, data: bytes) -> str:
    (Path(marks) / path.replace("/", "_")).touch()
    return path


def test_workers_do_not_run_far_ahead_of_a_slow_consumer(tmp_path: Path) -> None:
    import time

    root = tmp_path / "repo"
    marks = tmp_path / "marks"
    root.mkdir()
    marks.mkdir()
    paths = [f"f{i:04}.py" for i in range(400)]
    for p in paths:
        (root / p).write_text("X = 1\n")
    it = map_files(root, paths, functools.partial(_touch, str(marks)), workers=2, chunksize=1,
                   in_process_below=1, window_per_worker=5)
    assert next(it) == paths[0]
    time.sleep(0.5)  # a consumer busy elsewhere: workers must stop at the window
    assert len(list(marks.iterdir())) <= 2 * 5 + 2
    assert list(it) == paths[1:]
    assert len(list(marks.iterdir())) == len(paths)


def test_consumer_stopping_early_tears_down_cleanly() -> None:
    paths = PATHS * 10
    it = map_files(ROOT, paths, _size, workers=2, in_process_below=1, chunksize=1)
    first = [next(it) for _ in range(3)]
    it.close()
    assert [p for p, _ in first] == paths[:3]
