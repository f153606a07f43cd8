"""`read_facts`: the fact sheet of one unit, with its context's constants resolved."""

from __future__ import annotations

import re

from tree_sitter import Node

from ..model import CodeUnit, Fact, Piece
from .body import LISTS, _walk_body, schedule
from .sheet import CALLS, TIME_TYPES, FactSheet, _Eval, _nums, _t, _tree, _walk, fmt_num, human_seconds


def _def_node(root: Node, unit: CodeUnit) -> Node:
    """The definition node a unit was cut from (its span may start at attached docs)."""
    end = unit.span.end_byte
    node = root.descendant_for_byte_range(max(end - 1, 0), end)
    while node.parent is not None and node.parent.end_byte == end \
            and node.parent.start_byte >= unit.span.start_byte and node.parent.parent is not None:
        node = node.parent
    return node


def read_facts(unit: CodeUnit, pieces: list[Piece], src: bytes,
               callers: list[str] = ()) -> FactSheet:
    """The fact sheet of a unit; `src` is its whole file, `pieces` its code block's pieces."""
    sheet = FactSheet(unit)
    root = _tree(unit.lang, src).root_node
    node = _def_node(root, unit)
    numbers: dict[str, float] = {}
    durations: dict[str, float] = {}
    ev = _Eval(src, numbers, durations)
    # Constants of the context and nested ones, resolved in source order (later ones may use
    # earlier ones).
    const_nodes = [_def_node(root, CodeUnit(p.path, unit.lang, "", "", p.span, ""))
                   for p in pieces if p.role == "const"]
    const_nodes += [n for n in _walk(node) if n.type in ("const_item", "static_item")]
    if unit.kind in ("const", "static", "var", "field", "assign", "config", "let") and node not in const_nodes:
        const_nodes.append(node)
    for cn in const_nodes:
        name_n, value_n = _name_value(cn)
        if name_n is None or value_n is None:
            continue
        name, expr = _t(src, name_n), _t(src, value_n)
        secs, num = ev.seconds(value_n), ev.number(value_n)
        sched = next((n for n in _walk(value_n) if n.type in LISTS or (
            n.type in CALLS and re.search(r"(List\.of|listOf|Arrays\.asList|arrayOf)", _t(src, n)))), None)
        if sched is not None:
            head = src[cn.start_byte:value_n.start_byte].decode() + "".join(
                p.text[:300] for p in pieces if p.span.contains(_span_of(cn)))
            hint = _unit_hint(head, name)
            schedule(sheet, sched, src, ev, hint,
                     "name" if hint and _unit_hint("", name) == hint else "comment" if hint else "")
        typ = cn.child_by_field_name("type")
        if secs is not None:
            durations[name] = secs
            forms = human_seconds(secs)
            sheet.consts[name] = (expr, forms[0])
            sheet.add("const", name, forms[0], cn, src, (name, *_nums(forms), *_nums([expr])),
                      type=_t(src, typ) if typ else "", expr=expr, seconds=fmt_num(secs),
                      forms="|".join(forms))
        elif num is not None:
            numbers[name] = num
            sheet.consts[name] = (expr, fmt_num(num))
            sheet.add("const", name, fmt_num(num), cn, src, (name, fmt_num(num), *_nums([expr])),
                      type=_t(src, typ) if typ else "", expr=expr)
        else:
            sheet.add("const", name, expr, cn, src, (name,), type=_t(src, typ) if typ else "",
                      expr=expr)
    _signature(sheet, node, src, unit)
    _walk_body(sheet, node, src, ev)
    n_own = len(sheet.facts)
    for p in pieces:
        if p.role == "helper":
            _walk_body(sheet, _def_node(root, CodeUnit(p.path, unit.lang, "", "", p.span, "")), src, ev)
    sheet.facts[n_own:] = [Fact(f.kind, f.key, f.value, f.code, f.line, f.terms,
                                f.data + (("helper", p_name(pieces, f.line)),))
                           for f in sheet.facts[n_own:]]
    _types_and_crates(sheet, node, src, pieces)
    _derived(sheet)
    if unit.parent:
        scope = unit.parent.rsplit("::", 1)[-1].rsplit(".", 1)[-1]
        sheet.add("scope", scope, unit.parent, None, src, (scope,))
    for c in callers:
        sheet.add("caller", c, c, None, src, tuple(re.findall(r"[A-Za-z_]\w*", c)))
    for n in _walk(node):
        if n.type in ("integer_literal", "float_literal", "integer", "float", "number"):
            sheet.add("literal", _t(src, n), _t(src, n), n, src, _nums([_t(src, n)]))
    return sheet


def _name_value(node: Node) -> tuple[Node | None, Node | None]:
    """A constant's name and value nodes, whatever the grammar calls them (name/value,
    left/right, a declarator inside a declaration)."""
    for n in _walk(node):
        name = n.child_by_field_name("name") or n.child_by_field_name("left") \
            or n.child_by_field_name("pattern")
        value = n.child_by_field_name("value") or n.child_by_field_name("right") \
            or n.child_by_field_name("default_value")
        if name is not None and value is not None:
            if value.type in ("expression_list", "literal_value") and value.named_child_count == 1:
                value = value.named_children[0]
            return name, value
    if node.type in ("pair", "block_mapping_pair") and node.named_child_count >= 2:  # TOML, YAML
        return node.named_children[0], node.named_children[-1]
    # A property with an initialiser but no name/value fields (PHP): its variable and its list.
    name = next((n for n in _walk(node) if n.type in ("variable_name", "identifier", "name")), None)
    value = next((n for n in _walk(node) if n.type in LISTS), None)
    return (name, value) if name is not None and value is not None else (None, None)


def _unit_hint(text: str, name: str = "") -> str:
    """The unit a comment or a name gives bare numbers: `# Seconds to wait` → s, `Delays (ms)`
    or `retryScheduleMs` → ms."""
    if re.search(r"(Ms|_ms|Millis|Milliseconds|_MS)$", name):
        return "ms"
    if re.search(r"(Secs|Seconds|_secs|_seconds|_SECS)$", name):
        return "s"
    low = text.lower()
    if re.search(r"\b(ms|millis|milliseconds?)\b", low):
        return "ms"
    if re.search(r"\b(seconds?|secs?)\b", low):
        return "s"
    return ""


def _span_of(node: Node):
    from ..model import Span

    return Span(node.start_byte, node.end_byte, node.start_point[0] + 1, node.end_point[0] + 1)


def p_name(pieces: list[Piece], line: int) -> str:
    return next((p.name.rsplit("::", 1)[-1] for p in pieces
                 if p.span.start_line <= line <= p.span.end_line), "")


def _derived(sheet: FactSheet) -> None:
    """Numbers that follow from the code's own values (a jittered floor, a schedule's total)."""
    jit = next((f for f in sheet.of("jitter") if f.key == "symmetric" and f.get("fraction")), None)
    if jit is not None:
        frac = float(jit.get("fraction"))
        for fl in sheet.of("floor"):
            secs = fl.get("forms").split("|")[0]
            m = re.match(r"([\d.]+) s$", secs)
            if m:
                low = fmt_num(round(float(m.group(1)) * (1 - frac), 6))
                sheet.add("derived", "jittered floor", f"{low} s", None, b"", (low,), of=fl.key)


def _signature(sheet: FactSheet, node: Node, src: bytes, unit: CodeUnit) -> None:
    inner = node.child_by_field_name("declaration") or node.child_by_field_name("definition")
    if inner is not None and node.child_by_field_name("parameters") is None:
        node = inner  # export / decorator wrappers
    params = node.child_by_field_name("parameters")
    ret = node.child_by_field_name("return_type") or node.child_by_field_name("result")
    is_async = any(c.type in ("function_modifiers", "async") and b"async" in src[c.start_byte:c.end_byte]
                   for c in node.children)
    sheet.add("signature", unit.short_name, unit.kind, node, src, (unit.short_name,),
              params=_t(src, params) if params else "",
              returns=_t(src, ret).lstrip(":").strip() if ret else "",
              is_async="yes" if is_async else "")
    head = src[unit.span.start_byte:node.start_byte].decode("utf-8")
    lines = [re.sub(r"\s*\*/\s*$", "", re.sub(r"^\s*(///?|//!|/\*\*?|\*(?!/)|#(?!\[))\s?", "", ln)).strip()
             for ln in head.splitlines()
             if re.match(r"\s*(//|/\*|\*|#(?!\[))", ln)]
    text = " ".join(" ".join(lines).split())
    if text:
        sheet.add("doc", unit.short_name, text, None, src, ())


def _types_and_crates(sheet: FactSheet, node: Node, src: bytes, pieces: list[Piece]) -> None:
    imports = [p.text for p in pieces if p.role == "import"]
    for n in _walk(node):
        if n.type == "type_identifier" and _t(src, n) in TIME_TYPES:
            name = _t(src, n)
            origin = next((re.match(r"\s*use\s+(\w+)", i).group(1) for i in imports
                           if re.search(rf"\b{name}\b", i) and re.match(r"\s*use\s+(\w+)", i)), "")
            sheet.add("time_type", name, origin, n, src, (name, origin) if origin else (name,))
        elif n.type == "scoped_identifier":
            parts = _t(src, n).split("::")
            if parts[-1] == "now" and len(parts) >= 2 and parts[-2] == "Instant":
                call = n.parent if n.parent is not None and n.parent.type == "call_expression" else n
                sheet.add("time_type", "Instant", parts[0] if parts[0] != "Instant" else "", call, src,
                          ("Instant", *parts))
            if parts[0] not in ("crate", "self", "super", "Self") and parts[0][:1].islower():
                sheet.crates.setdefault(parts[0], _t(src, n))
    for imp in imports:
        m = re.match(r"\s*use\s+(\w+)", imp)
        if m and m.group(1) not in ("crate", "self", "super"):
            sheet.crates.setdefault(m.group(1), imp.strip())
    for crate, how in sorted(sheet.crates.items()):
        sheet.add("crate", crate, how, None, src, (crate,))
