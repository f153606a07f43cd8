"""The walk over a unit's syntax tree that turns calls, operators and literals into facts."""

from __future__ import annotations

import re

from tree_sitter import Node

from ..route import IDENT
from .sheet import (CALLS, LOOPS, RANDOM, SLEEPS, FactSheet, _Eval, _nums, _t, _walk,
                    fmt_num, human_seconds, readable)


FACTOR = re.compile(r"(?i)(factor|multiplier)$")
"""A growth factor by name (`self.factor`, `b.Multiplier`); a randomisation factor is jitter."""
DELAYISH = re.compile(r"(?i)(delay|interval|back_?off|wait|sleep|duration|\bcur|current|next|prev|last)")
IFS = {"if_expression", "if_statement"}


def _factor(text: str) -> bool:
    last = re.split(r"[.:>]+", text.strip().strip("()&*"))[-1]
    return bool(FACTOR.search(last)) and not re.search(r"(?i)random|jitter", last)


MEMBER = {"attribute": ("object", "attribute"), "selector_expression": ("operand", "field"),
          "member_expression": ("object", "property"),
          "member_access_expression": ("expression", "name")}
STATIC_HOSTS = re.compile(r"^(Math|math|time|asyncio|random|rand|Thread|TimeUnit|Task|LockSupport|"
                          r"Duration|TimeSpan|ThreadLocalRandom|std|cmp|tokio|chrono|Utc|Random)$")


def _callee(src: bytes, call: Node) -> tuple[str, Node | None]:
    """(callee name, receiver) in every grammar's spelling. A method on a value is `.name` with
    the value as receiver; a path or a well-known host (`Math.min`, `time.Sleep`) stays whole."""
    if call.type == "method_invocation":  # Java: object.name(args)
        obj, name = call.child_by_field_name("object"), call.child_by_field_name("name")
        if obj is not None and name is not None:
            host = _t(src, obj)
            return (f"{host}.{_t(src, name)}", None) if STATIC_HOSTS.match(host) else \
                ("." + _t(src, name), obj)
        return (_t(src, name) if name is not None else ""), None
    fn = call.child_by_field_name("function") or call.child_by_field_name("name") \
        or call.child_by_field_name("method")
    if fn is None:
        fn = call.named_children[0] if call.named_children else None
        if fn is None:
            return "", None
    if fn.type == "field_expression":
        field_node = fn.child_by_field_name("field")
        return "." + (_t(src, field_node) if field_node else ""), fn.child_by_field_name("value")
    if fn.type in MEMBER:
        obj_f, name_f = MEMBER[fn.type]
        obj, name = fn.child_by_field_name(obj_f), fn.child_by_field_name(name_f)
        if obj is not None and name is not None:
            host = _t(src, obj)
            if STATIC_HOSTS.match(host):
                return f"{host}.{_t(src, name)}", None
            return "." + _t(src, name), obj
    if fn.type == "generic_function":
        fn = fn.child_by_field_name("function") or fn
    return _t(src, fn), None


def _args(call: Node) -> list[Node]:
    args = call.child_by_field_name("arguments")
    return list(args.named_children) if args is not None else []


def _spread_const(src: bytes, node: Node) -> tuple[str, str] | None:
    """`1.0 - X .. 1.0 + X` anywhere inside a range: the X that spreads it symmetrically."""
    minus, plus = set(), set()
    for n in _walk(node):
        if n.type in ("binary_expression", "binary_operator") and n.child_count == 3:
            left, op, right = (_t(src, c) for c in n.children)
            if left in ("1.0", "1"):
                (minus if op == "-" else plus if op == "+" else set()).add(right)
    both = sorted(minus & plus)
    return (both[0], "1.0") if both else None


def _walk_body(sheet: FactSheet, node: Node, src: bytes, ev: _Eval) -> None:
    add = sheet.add
    for n in _walk(node):
        t = n.type
        if t in CALLS:
            name, recv = _callee(src, n)
            short = re.split(r"::|\.", name)[-1]
            args = _args(n)
            if short in ("min", "Min", "minOf", "coerceAtMost"):
                bound = args[-1] if args else None
                if recv is not None and bound is not None and ev.seconds(bound) is None \
                        and (ev.seconds(recv) is not None or ev.number(recv) is not None):
                    bound = recv  # `MAX.min(x)`: the constant receiver is the cap
                _bound(sheet, "cap", bound, n, src, ev)
            elif short in ("max", "Max", "maxOf", "coerceAtLeast"):
                bound = next((a for a in args if ev.seconds(a) is not None), args[-1] if args else None)
                _bound(sheet, "floor", bound, n, src, ev)
            elif short == "clamp" and len(args) == 2:
                lo, hi = (_t(src, a) for a in args)
                factor = ""
                if args[1].type == "binary_expression" and _t(src, args[1].children[0]) == lo:
                    factor = _t(src, args[1].children[2])
                add("clamp", lo, hi, n, src, (*_nums([factor]), *IDENT.findall(lo + " " + hi)),
                    lo=lo, hi=hi, factor=factor, target=_t(src, recv) if recv else "")
            elif short in ("pow", "saturating_pow", "checked_pow", "powi", "powf", "Pow"):
                base = _t(src, recv) if recv is not None else (_t(src, args[0]) if args else "")
                base = re.sub(r"^\w+\((.*)\)$", r"\1", base)  # float64(2) → 2
                add("growth", "power", base, n, src, (short, *_nums([base])),
                    base=re.sub(r"[a-z]+\d*$", "", base), safe="yes" if "saturating" in short or "checked" in short else "")
            elif short == "successors":
                first = args[0] if args else None
                if first is not None and first.type in CALLS and _args(first):
                    first = _args(first)[0]  # Some(x)
                secs = ev.seconds(first) if first is not None else None
                forms = human_seconds(secs) if secs is not None else []
                add("growth", "successors", _t(src, n).split("(", 1)[0], n, src,
                    ("successors", *_nums(forms)), seed="|".join(forms),
                    seed_seconds=fmt_num(secs) if secs is not None else "")
            elif short in ("saturating_mul", "checked_mul"):
                add("overflow", short, _t(src, n), n, src, (short,))
                _factor_growth(sheet, n, [_t(src, a) for a in args] + ([_t(src, recv)] if recv else []), src)
            elif short in ("mul_f64", "mul_f32"):
                add("scale", short, _t(src, args[0]) if args else "", n, src, (short,))
                _factor_growth(sheet, n, [_t(src, a) for a in args] + ([_t(src, recv)] if recv else []), src)
            elif SLEEPS.search(name) and "Task.Delay" not in name or short in ("setTimeout", "parkNanos"):
                arg = _t(src, args[0]) if args else ""
                add("sleep", name, arg, n, src, tuple(name.replace(".", "::").split("::")) + (arg,))
            elif short == "timeout" and "time" in name:
                add("timeout", name, "", n, src, tuple(name.split("::")))
            elif RANDOM.search(name) and short not in ("thread_rng",) and _feeds_delay(n, src):
                _jitter(sheet, n, name, args, src, ev)
            elif short in ("parse_from_rfc2822", "parse_from_rfc3339", "parsedate_to_datetime"):
                add("retry_after", "http-date", short, n, src, (short, "2822") if "2822" in short else (short,))
            elif short == "ceil":
                add("retry_after", "ceil", short, n, src, ("ceil",))
            elif short in ("to_std", "from_std"):
                add("chrono", short, name, n, src, (short,))
            elif name in ("Utc::now", "chrono::Utc::now"):
                add("chrono", "now", name, n, src, ("Utc", "now"))
            elif short == "unwrap_or" and args and ev.seconds(_deref(args[0])) is not None:
                forms = human_seconds(ev.seconds(_deref(args[0])))
                sheet.add("fallback", _t(src, args[0]), forms[0], n, src,
                          (*IDENT.findall(_t(src, args[0])), *_nums(forms)), forms="|".join(forms))
            elif short in ("collect", "to_string", "to_owned", "clone", "new") and name.startswith((".", "Vec", "String")):
                add("alloc", short, name, n, src, (short,))
            elif short == "take" and args:
                add("take", _t(src, args[0]), "", n, src, IDENT.findall(_t(src, args[0])))
            elif name.endswith("seconds") and "chrono" in name:
                add("chrono", "seconds", name, n, src, ("chrono", "seconds"))
        elif (t in LISTS or (t in CALLS and re.search(r"(List\.of|listOf|Arrays\.asList|arrayOf)$",
                                                     _callee(src, n)[0]))) and n.named_child_count >= 2:
            schedule(sheet, n, src, ev)
        elif t == "generic_function":
            fn = n.child_by_field_name("function")
            targs = n.child_by_field_name("type_arguments")
            if fn is not None and _t(src, fn).endswith("parse") and targs is not None:
                add("retry_after", "parse", _t(src, targs).strip("<>"), n, src,
                    (_t(src, targs).strip("<>"),))
        elif t in ("binary_expression", "binary_operator") and n.child_count == 3:
            left, op, right = (_t(src, c) for c in n.children)
            if op == "*" and ("2" in (right, left) or re.fullmatch(r"2(u\d+|i\d+)?", right)):
                if _grows(n, src, left):
                    add("growth", "doubling", _t(src, n), n, src, ("2",))
                else:
                    add("multiple", _t(src, n), "2", n, src, ("2", *IDENT.findall(left)))
            elif op == "*":
                _factor_growth(sheet, n, [left, right], src)
            elif op in ("<<", "shl"):
                add("growth", "shift", _t(src, n), n, src, _nums([right]))
            elif op in ("<", "<=", ">", ">=") and re.fullmatch(r"[45]\d\d", right):
                add("status", right, f"{op} {right}", n, src, (right,), op=op)
        elif t in IFS:
            _clamped_by_if(sheet, n, src, ev)
        elif t == "macro_invocation" and _t(src, n).startswith("matches!"):
            body = _t(src, n)
            for variant in re.findall(r"\b([A-Z]\w*(?:::[A-Z]\w*)+)(\(\s*\d+\s*\))?", body):
                add("error_case", variant[0] + variant[1], body, n, src,
                    (*variant[0].split("::"), *_nums([variant[1]])))
            for code in re.findall(r"\b(TOO_MANY_REQUESTS|SERVICE_UNAVAILABLE|[45]\d\d)\b", body):
                add("status", code, body, n, src, (code, "429") if code == "TOO_MANY_REQUESTS" else (code,))
        elif t == "match_arm":
            pat = n.child_by_field_name("pattern")
            if pat is not None:
                add("arm", _t(src, pat), "", n, src, tuple(IDENT.findall(_t(src, pat))))
        elif t in LOOPS:
            has_sleep = any((c.type in CALLS and "sleep" in _callee(src, c)[0]) or
                            (c.type == "macro_invocation" and "sleep" in _t(src, c)) for c in _walk(n))
            exits = any(c.type in ("return_expression", "break_expression", "return_statement",
                                   "break_statement") for c in _walk(n))
            add("loop", t.split("_")[0], "sleep" if has_sleep else "", n, src, (),
                exits="yes" if exits or t != "loop_expression" else "")
        elif t in ("string_literal", "string", "interpreted_string_literal") and "idempotency" in _t(src, n).lower():
            add("idempotency", _t(src, n).strip("\"'"), "", n, src, ())
        elif t == "macro_invocation" and _t(src, n).startswith(("tokio::select!", "select!")) and \
                "cancelled" in _t(src, n):
            cancel = re.search(r"(\w+(?:\.\w+)*\.cancelled\(\))", _t(src, n))
            add("cancel", cancel.group(1) if cancel else "cancelled()", _t(src, n).split("!")[0] + "!", n, src, ())
            for callee, arg in re.findall(r"((?:\w+::)*sleep)\s*\(([^()]*)\)", _t(src, n)):
                add("sleep", callee, arg.strip(), n, src, (*callee.split("::"), arg.strip()))
        elif t == "macro_invocation" and not _t(src, n).startswith("matches!") and \
                re.search(r"\bsleep\s*\(", _t(src, n)):
            for callee, arg in re.findall(r"((?:\w+::)*sleep)\s*\(([^()]*)\)", _t(src, n)):
                add("sleep", callee, arg.strip(), n, src, (*callee.split("::"), arg.strip()))
        elif t == "macro_invocation" and _t(src, n).startswith(("format!", "vec!")):
            add("alloc", _t(src, n).split("!")[0] + "!", "", n, src, ())
        elif t == "assignment_expression" and _t(src, n.children[-1]) == "0":
            cond = n.parent
            while cond is not None and cond.type != "if_expression":
                cond = cond.parent
            c = cond.child_by_field_name("condition") if cond is not None else None
            if c is not None and "elapsed" in _t(src, c):
                var = _t(src, n.children[0])
                add("reset", var, _t(src, c), c, src, (var, *IDENT.findall(_t(src, c)), *_nums([_t(src, c)])))
        elif t == "try_expression":
            add("early_exit", "?", _t(src, n), n, src, (),
                in_loop="yes" if _inside(n, LOOPS) else "")
        elif t in ("compound_assignment_expr", "augmented_assignment") and _t(src, n).replace(" ", "").endswith("+=1"):
            add("counter", _t(src, n.children[0]), "+= 1", n, src, (_t(src, n.children[0]),))
        elif t in ("identifier", "constant") and _t(src, n) == "RETRY_AFTER":
            add("retry_after", "header", "RETRY_AFTER", n, src, ("RETRY_AFTER", "Retry-After"))
        elif t == "scoped_identifier" and _t(src, n).startswith("StatusCode::"):
            name = _t(src, n).split("::")[-1]
            add("status", name, _t(src, n), n, src, (name, "429") if name == "TOO_MANY_REQUESTS" else (name,))


def _factor_growth(sheet: FactSheet, n: Node, operands: list[str], src: bytes) -> None:
    """`delay * factor`, `saturating_mul(cur, self.factor)`, `d.mul_f64(multiplier)`: growth by a
    named factor (not called doubling), when the other operand is a delay."""
    factor = next((o for o in operands if _factor(o)), None)
    if factor is not None and any(DELAYISH.search(o) for o in operands if o is not factor):
        sheet.add("growth", "factor", factor.strip(), n, src, tuple(IDENT.findall(factor)),
                  factor=factor.strip())


def _clamped_by_if(sheet: FactSheet, n: Node, src: bytes, ev: _Eval) -> None:
    """`if cur > max { cur = max }`: a cap written as a comparison; `<` … `=` a floor."""
    cond, body = n.child_by_field_name("condition"), n.child_by_field_name("consequence")
    if cond is None or body is None:
        return
    cmp = next((c for c in _walk(cond) if c.child_count == 3 and _t(src, c.children[1]) in
                (">", ">=", "<", "<=")), None)
    if cmp is None:
        return
    left, op, right = cmp.children
    var, bound = _t(src, left).strip("*& "), _t(src, right).strip()
    if not re.fullmatch(r"[\w.]+", var) or not re.fullmatch(r"[\w.:]+", bound):
        return
    if re.search(rf"(?<![\w.]){re.escape(var)}\s*=\s*{re.escape(bound)}(?![\w.(])", _t(src, body)):
        _bound(sheet, "cap" if ">" in _t(src, op) else "floor", right, n, src, ev)


def _bound(sheet: FactSheet, kind: str, bound: Node | None, call: Node, src: bytes, ev: _Eval):
    if bound is None:
        return
    text = _t(src, bound)
    secs = ev.seconds(bound)
    forms = human_seconds(secs) if secs is not None else []
    sheet.add(kind, text, forms[0] if forms else "", call, src,
              (*IDENT.findall(text), *_nums(forms), *_nums([text])), forms="|".join(forms))


def _jitter(sheet: FactSheet, call: Node, name: str, args: list[Node], src: bytes, ev: _Eval):
    rng = next((a for a in args if a.type == "range_expression"), None)
    spread = _spread_const(src, call)
    if rng is None and spread is None and len(args) == 2 and re.search(r"(uniform|randint|nextDouble|nextLong|NextDouble|random_int|mt_rand|rand)$", name):
        lo, hi = (_t(src, a) for a in args)
        kind = "full" if lo in ("0", "0.0") else "range"
        sheet.add("jitter", kind, f"{lo}..{hi}", call, src, (*IDENT.findall(hi), *_nums([lo, hi])),
                  lo=lo, hi=hi, call=name)
        return
    if spread is not None:
        const = spread[0]
        frac = ev.number(_ident_node(call, const, src)) if _ident_node(call, const, src) else None
        pct = fmt_num(round(frac * 100, 6)) if frac is not None else ""
        lo = fmt_num(round(1 - frac, 6)) if frac is not None else ""
        hi = fmt_num(round(1 + frac, 6)) if frac is not None else ""
        bounds = rng.named_children if rng is not None and rng.named_child_count == 2 else []
        scaled = [b for b in bounds if re.search(r"\.mul_f(32|64)\(|\*", _t(src, b)) and
                  not re.fullmatch(r"[\d.]+\s*[-+]\s*\w+", _t(src, b).strip())]
        over = "durations" if len(scaled) == 2 else "factors"
        sheet.add("jitter", "symmetric", const, call, src,
                  (const, pct, fmt_num(frac) if frac is not None else "", "1.0", lo, hi),
                  percent=pct, fraction=fmt_num(frac) if frac is not None else "", call=name,
                  lo=lo, hi=hi, over=over,
                  lo_code=_t(src, bounds[0]) if bounds else "", hi_code=_t(src, bounds[1]) if bounds else "")
    elif rng is not None and rng.named_child_count == 2:
        lo, hi = (_t(src, c) for c in rng.named_children)
        kind = "full" if lo in ("0", "0.0", "Duration::ZERO") else "range"
        sheet.add("jitter", kind, f"{lo}..{hi}", call, src, (*IDENT.findall(hi), *_nums([lo, hi])),
                  lo=lo, hi=hi, call=name)
    else:
        sheet.add("jitter", "draw", name, call, src, tuple(name.replace(".", "::").split("::")),
                  call=name)


def _grows(expr: Node, src: bytes, left: str) -> bool:
    """`x * 2` is growth when it feeds the next delay: assigned back to `x`, returned from a
    successor closure, or capped by min; a comparison against `MAX * 2` is not."""
    var = left.lstrip("*(").strip()
    p = expr.parent
    while p is not None and p.type not in ("block", "expression_statement", "let_declaration"):
        if p.type == "closure_expression":
            return True
        if p.type in ("assignment_expression", "compound_assignment_expr"):
            return _t(src, p.children[0]).strip() == var
        name, recv = _callee(src, p) if p.type in CALLS else ("", None)
        if re.split(r"::|\.", name)[-1] in ("min", "Min", "clamp", "minOf", "coerceAtMost"):
            if recv is None:  # min(x * 2, cap): the doubled value is an argument
                return True
            return recv.start_byte <= expr.start_byte and expr.end_byte <= recv.end_byte
        p = p.parent
    return False


def _inside(n: Node, types) -> bool:
    p = n.parent
    while p is not None and p.type not in ("function_item", "closure_expression"):
        if p.type in types:
            return True
        p = p.parent
    return False


def _deref(n: Node) -> Node:
    return n.named_children[-1] if n.type == "reference_expression" and n.named_children else n


LISTS = {"array_expression", "list", "array", "literal_value", "array_creation_expression",
         "collection_literal", "collection_expression", "initializer_expression"}


def _unwrap(n: Node) -> Node:
    """An element wrapper (`array_element_initializer`, `collection_element`, ...) down to its
    one expression."""
    while n.named_child_count == 1 and n.type.endswith(("element", "initializer", "element_initializer")):
        n = n.named_children[0]
    return n


def schedule(sheet: FactSheet, arr: Node, src: bytes, ev: _Eval, unit: str = "",
             unit_from: str = "") -> None:
    """A literal list of durations is a retry schedule: its values, and whether it doubles.
    Bare numbers count only when a comment gives their unit (`# Seconds to wait ...`)."""
    if arr.type in CALLS:
        arr = arr.child_by_field_name("arguments") or arr
    items = [c for c in arr.named_children if c.type not in ("comment", "line_comment")]
    items = [_unwrap(c) for c in items]
    secs = []
    bare = False
    for c in items:
        if c.type == "scoped_identifier" and _t(src, c) == "Duration::ZERO":
            secs.append(0.0)
            continue
        v = ev.seconds(c)
        if v is None and unit:
            num = ev.number(c)
            v = num * (1e-3 if unit == "ms" else 1.0) if num is not None else None
            bare = bare or v is not None
        secs.append(v)
    if len(secs) < 2 or any(s is None for s in secs):
        return
    forms = [readable(s) if s else "0" for s in secs]
    ratios = {round(b / a, 6) for a, b in zip(secs, secs[1:]) if a}
    shape = ("doubles" if ratios == {2.0} else "rises" if all(b > a for a, b in zip(secs, secs[1:]))
             else "grows" if all(b >= a for a, b in zip(secs, secs[1:])) else "varies")
    total = readable(sum(secs)) if sum(secs) else "0"
    sheet.add("schedule", "array", ", ".join(forms), arr, src,
              _nums(forms) + (str(len(secs)),) + _nums([total]),
              shape=shape, count=str(len(secs)), forms="|".join(forms), total=total,
              seconds="|".join(fmt_num(x) for x in secs),
              unit_from=unit_from if bare else "", unit=unit if bare else "")


def _feeds_delay(call: Node, src: bytes) -> bool:
    """A random draw is jitter only when it shapes a delay (not a request id or a token)."""
    stmt = call
    while stmt.parent is not None and not stmt.parent.type.endswith(
            ("block", "body", "statement_list", "statement_block", "compound_statement", "module")):
        stmt = stmt.parent
    text = _t(src, stmt) + " " + _t(src, call)
    return bool(re.search(r"(?i)(delay|duration|backoff|sleep|wait|jitter|millis|secs|spread|range)", text))


def _ident_node(node: Node, name: str, src: bytes) -> Node | None:
    return next((n for n in _walk(node) if n.type == "identifier" and _t(src, n) == name), None)
