"""Fact sheets and the small evaluator that resolves constants to quantities.
Facts: what a unit's code does, read from its syntax tree, as checkable statements.

Every fact names the code it came from (text and line) and the terms a sentence built on it may
state. Generators write only from facts, and the grounding checker accepts a number, identifier
or crate in the prose only when some fact, the context or the spec carries it.

Constants are resolved through the unit's context: `Duration::from_millis(250)` is 250 ms,
`JITTER_SPREAD = 0.15` used as `1.0 ± JITTER_SPREAD` is a ±15 % spread. The walk is over node
types, with per-language spellings in small tables; Rust is read most deeply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from tree_sitter import Node

from ..extract import LANGS
from ..extract.engine import _compiled
from ..model import CodeUnit, Fact

CALLS = {"call_expression", "call", "method_invocation", "invocation_expression",
         "function_call_expression", "member_call_expression", "scoped_call_expression"}
LOOPS = {"loop_expression", "while_expression", "for_expression", "for_statement",
         "for_range_loop", "while_loop",
         "while_statement", "for_in_statement", "do_statement", "for_each_statement",
         "enhanced_for_statement", "foreach_statement", "until", "while", "for"}
UNITS = {"ofSeconds": ("s", 1.0), "ofMillis": ("ms", 1.0), "FromSeconds": ("s", 1.0),
         "FromMilliseconds": ("ms", 1.0), "ofMinutes": ("min", 1.0), "FromMinutes": ("min", 1.0),
         "from_secs": ("s", 1.0), "from_millis": ("ms", 1.0), "from_micros": ("µs", 1.0),
         "from_nanos": ("ns", 1.0), "from_secs_f64": ("s", 1.0), "from_secs_f32": ("s", 1.0),
         "seconds": ("s", 1.0), "milliseconds": ("ms", 1.0), "minutes": ("min", 1.0),
         "hours": ("h", 1.0)}
TIME_TYPES = {"Duration": "a duration", "DateTime": "a wall-clock timestamp",
              "Instant": "a monotonic instant", "Utc": "UTC time", "SystemTime": "a system time"}
SLEEPS = re.compile(r"(^|[.:])(sleep|usleep|Sleep)$|^(Task\.Delay|Thread\.sleep|time\.Sleep)$")
RANDOM = re.compile(r"(random_range|gen_range|thread_rng|random|uniform|randint|Float64|Int63n|"
                    r"nextDouble|NextDouble|rand|mt_rand|random_int)$")
NUMBERS = {"integer_literal", "float_literal", "integer", "float", "number", "int_literal",
           "decimal_integer_literal", "decimal_floating_point_literal", "real_literal"}
GO_UNITS = {"time.Nanosecond": 1e-9, "time.Microsecond": 1e-6, "time.Millisecond": 1e-3,
            "time.Second": 1.0, "time.Minute": 60.0, "time.Hour": 3600.0}


@dataclass(slots=True)
class FactSheet:
    unit: CodeUnit
    facts: list[Fact] = field(default_factory=list)
    consts: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (expr, human)
    crates: dict[str, str] = field(default_factory=dict)  # crate -> how it is used

    def of(self, kind: str) -> list[Fact]:
        return [f for f in self.facts if f.kind == kind]

    def terms(self) -> set[str]:
        out: set[str] = set()
        for f in self.facts:
            out.update(f.terms)
        return out

    def add(self, kind: str, key: str, value: str, node: Node | None, src: bytes,
            terms: tuple[str, ...] = (), **data: str) -> None:
        code = _t(src, node) if node is not None else ""
        line = node.start_point[0] + 1 if node is not None else 0
        if any(f.kind == kind and f.key == key and f.value == value for f in self.facts):
            return
        if node is not None and kind in GUARDED and "guard" not in data:
            guard = _guard(node, src)
            if guard:
                data["guard"] = guard
        self.facts.append(Fact(kind, key, value, code, line, tuple(terms),
                               tuple(sorted(data.items()))))


GUARDED = frozenset({"growth", "cap", "floor", "clamp", "take", "jitter", "schedule", "fallback"})


def _guard(node: Node, src: bytes) -> str:
    """The match arm a fact sits in, as `scrutinee => pattern` (empty when unconditional): a
    claim read inside one arm holds only there."""
    p = node.parent
    while p is not None and p.type not in ("function_item", "closure_expression_"):
        if p.type == "match_arm":
            pat = p.child_by_field_name("pattern")
            m = p.parent.parent if p.parent is not None else None
            scrut = m.child_by_field_name("value") if m is not None and m.type == "match_expression" else None
            if pat is not None and scrut is not None:
                return f"{_t(src, scrut)} => {_t(src, pat)}"
        p = p.parent
    return ""


def _t(src: bytes, node: Node) -> str:
    return src[node.start_byte:node.end_byte].decode("utf-8")


@lru_cache(maxsize=64)
def _tree(lang: str, src: bytes):
    parser, _ = _compiled(LANGS[lang])
    return parser.parse(src)


def _walk(node: Node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def human_seconds(secs: float) -> list[str]:
    """Ways to say a duration; every form's numbers are derived from the code's value."""
    if secs == 0:
        return ["zero"]
    forms = [f"{fmt_num(secs)} s" if secs >= 1 else f"{fmt_num(secs * 1000)} ms" if secs >= 1e-3
             else f"{fmt_num(round(secs * 1e6, 6))} µs"]
    if 120 <= secs < 7200 and (secs / 60 * 100).is_integer():
        forms.append(f"{fmt_num(secs / 60)} minutes")
    if secs >= 3600 and (secs / 3600 * 100).is_integer():
        forms.append(f"{fmt_num(secs / 3600)} hour{'s' if secs != 3600 else ''}")
    return forms


def readable(secs: float) -> str:
    """The form a person would pick for one duration: hours, then minutes, then seconds/ms;
    a long total that is no round number is given to a tenth of an hour."""
    forms = human_seconds(secs)
    if secs >= 36000 and not any("hour" in f for f in forms):
        return f"about {fmt_num(round(secs / 3600, 1))} hours"
    for unit in ("hour", "minutes"):
        hit = next((f for f in forms if unit in f), None)
        if hit:
            return hit
    return forms[0]


class _Eval:
    """Evaluates the small constant expressions that define delays, through known constants."""

    def __init__(self, src: bytes, consts: dict[str, float], units: dict[str, float]):
        self.src, self.consts, self.units = src, consts, units

    def number(self, n: Node) -> float | None:
        t = n.type
        if t in NUMBERS:
            txt = re.sub(r"(_|[a-zA-Z]+\d*$)", "", _t(self.src, n)) or "0"
            try:
                return float(txt)
            except ValueError:
                return None
        if t in ("identifier", "constant", "name") and _t(self.src, n) in self.consts:
            return self.consts[_t(self.src, n)]
        if t in ("binary_expression", "binary_operator") and n.child_count == 3:
            a, op, b = (self.number(n.children[0]), _t(self.src, n.children[1]),
                        self.number(n.children[2]))
            if a is None or b is None:
                return None
            return {"*": a * b, "+": a + b, "-": a - b, "/": a / b if b else None}.get(op)
        if t in ("parenthesized_expression", "arguments", "argument_list", "expression_list",
                 "value_argument", "argument") and n.named_child_count == 1:
            return self.number(n.named_children[0])
        return None

    def seconds(self, n: Node) -> float | None:
        """A duration expression in seconds: `Duration::from_millis(250)`, a known constant ..."""
        if n.type in ("identifier", "scoped_identifier") and _t(self.src, n) in self.units:
            return self.units[_t(self.src, n)]
        if n.type == "scoped_identifier" and _t(self.src, n).endswith("Duration::ZERO"):
            return 0.0
        if n.type in ("binary_expression", "binary_operator") and n.child_count == 3 \
                and _t(self.src, n.children[1]) == "*":
            # Go: `50 * time.Microsecond` is 50 µs, whatever the author may have meant.
            for k, unit in ((0, n.children[2]), (2, n.children[0])):
                per = GO_UNITS.get(_t(self.src, unit))
                if per is not None:
                    v = self.number(n.children[k])
                    return v * per if v is not None else None
        if n.type in CALLS:
            fn = n.child_by_field_name("function")
            args = n.child_by_field_name("arguments")
            name = _t(self.src, fn).rsplit("::", 1)[-1].rsplit(".", 1)[-1] if fn else ""
            if name in UNITS and args is not None and args.named_child_count == 1:
                v = self.number(args.named_children[0])
                unit = UNITS[name][0]
                if v is not None:
                    return v * {"s": 1, "ms": 1e-3, "µs": 1e-6, "ns": 1e-9, "min": 60,
                                "h": 3600}[unit]
        return None


def _nums(texts) -> tuple[str, ...]:
    out = []
    for t in texts:
        out += re.findall(r"\d+(?:\.\d+)?", re.sub(r"(?<=\d)_(?=\d)", "", t))
    return tuple(out)
