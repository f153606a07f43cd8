"""The language-neutral extraction engine.

One tree-sitter query per language (``queries/<lang>.scm``) names what to cut: definitions are
captured as ``@<kind>`` with their name as ``@name`` (and, for one declared outside its owner's
body, the owner as ``@owner``: JavaScript's ``Foo.prototype.bar = function``); ``@import``,
``@comment`` and ``@string`` capture context and prose. A small `LangSpec` per language adds
only what a query cannot say: which preceding siblings (attributes, doc comments, decorators)
belong to a unit, which definitions are tests, and how a container names its children.

The tree is dropped after each file: only `CodeUnit`s (plain text and spans) leave this module,
so memory stays flat however large the repository is.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from tree_sitter import Language, Node, Parser, Query, QueryCursor

from ..model import CodeUnit, FileUnits, Piece, Skip, Span

ScopeName = Callable[[Node, str, bytes], str]


@dataclass(frozen=True)
class LangSpec:
    """What a query cannot say about a language.

    attached: node types that, immediately preceding a definition, belong to it.
    attached_ok: extra filter on an attached node, given the node below it (e.g. a plain comment
        belongs only when no blank line separates it from what it annotates).
    outer: wrapper node types whose span a definition takes (decorated_definition, export ...).
    outer_of: instead of `outer`, a function choosing the wrapper (Go takes a `const` block's span
        only when the block holds a single spec).
    query: the query file's stem when several grammars share one (tsx reads typescript.scm).
    more_queries: stems of query files read after it, shared by a family of grammars.
    leading_comment: a line-comment prefix; when set, comment lines directly above a unit are
        taken by text (YAML nests a mapping's first comment inside the parent pair).
    test_unit: True when a definition (with its attached nodes' text) is test code.
    scope: how a container contributes to its members' qualified names.
    benign_error: True for an error node that is a known grammar gap in valid code (Ruby's
        anonymous block argument before a line break); a unit whose only errors are benign is
        kept instead of skipped as a parse error.
    assigned: for an `@assigned` capture (a function assigned to `<owner>.<name>`), its kind and
        owner's name read off the @owner node, or None when it is no definition; one general
        query pattern and this, rather than a pattern per shape (each costs compile time).
    """

    name: str
    language: Callable[[], object]
    attached: frozenset[str] = frozenset()
    attached_ok: Callable[[Node, Node, bytes], bool] = lambda node, below, src: True
    outer: frozenset[str] = frozenset()
    test_unit: Callable[[str, str, str], bool] = lambda kind, name, head: False
    scope: ScopeName = lambda node, name, src: name
    separator: str = "::"
    display_name: Callable[[str, Node, str, bytes], str] | None = None
    member_kind: Callable[[str, str | None], str] = lambda kind, parent_kind: kind
    scope_only: frozenset[str] = frozenset({"module"})
    outer_of: Callable[[Node], Node] | None = None
    query: str = ""
    leading_comment: bytes = b""
    more_queries: tuple[str, ...] = ()
    benign_error: Callable[[Node, bytes], bool] | None = None
    assigned: Callable[[Node, bytes], tuple[str, str | None] | None] | None = None


@cache
def _compiled(spec: LangSpec) -> tuple[Parser, Query]:
    lang = Language(spec.language())
    queries = resources.files("codeback.extract").joinpath("queries")
    stems = (spec.query or spec.name, *spec.more_queries)
    text = "\n".join(queries.joinpath(f"{stem}.scm").read_text() for stem in stems)
    return Parser(lang), Query(lang, text)


def _span(start: Node, end: Node) -> Span:
    end_row, end_col = end.end_point
    # A line comment's node ends at column 0 of the next line; the unit ends on the line before.
    end_line = end_row if end_col == 0 and end_row > start.start_point[0] else end_row + 1
    return Span(start.start_byte, end.end_byte, start.start_point[0] + 1, end_line)


def _leading(spec: LangSpec, node: Node, src: bytes) -> list[Node]:
    """Attributes and doc comments directly above a definition (no blank-line gap rules: tree
    order is what binds an attribute to its item)."""
    out: list[Node] = []
    below, prev = node, node.prev_sibling
    while prev is not None and prev.type in spec.attached and spec.attached_ok(prev, below, src):
        out.append(prev)
        below, prev = prev, prev.prev_sibling
    out.reverse()
    return out


def extract(spec: LangSpec, path: str, src: bytes, exclude_tests: bool = True) -> FileUnits:
    """Cut one file into units. `src` must be valid UTF-8 (the caller checks)."""
    parser, query = _compiled(spec)
    tree = parser.parse(src)
    out = FileUnits(path, spec.name)
    found: dict[int, tuple[int, str, Node, Node | None, str | None]] = {}
    comments: list[tuple[int, str]] = []
    strings: list[tuple[int, str]] = []
    for pattern, caps in QueryCursor(query).matches(tree.root_node):
        name_nodes, owner_nodes = caps.get("name"), caps.get("owner")
        for cap, nodes in caps.items():
            if cap in ("name", "owner") or cap[0] == "_":
                continue
            node = nodes[0]
            if cap == "import":
                out.imports.append(Piece(path, _span(node, node), _text(src, node), "import"))
            elif cap == "comment":
                comments.append((node.start_byte, _text(src, node)))
            elif cap == "string":
                strings.append((node.start_byte, _text(src, node)))
            else:
                owner = _text(src, owner_nodes[0]) if owner_nodes else None
                if cap == "assigned" and spec.assigned is not None:
                    if (resolved := spec.assigned(owner_nodes[0], src)) is None:
                        continue
                    cap, owner = resolved
                # One node may match a specific pattern and a general one (a YAML pair holding a
                # mapping is a section, any other pair a key): the earlier pattern wins.
                seen = found.get(node.id)
                if seen is None or pattern < seen[0]:
                    found[node.id] = (pattern, cap, node, name_nodes[0] if name_nodes else None, owner)
    comments.sort()
    strings.sort()
    cstarts = [c[0] for c in comments]
    sstarts = [s[0] for s in strings]

    by_id: dict[int, tuple[str, str]] = {}  # node id -> (kind, prefix its members' names take)
    skipped_scopes: set[int] = set()
    defs = [d[1:] for d in found.values()]
    defs.sort(key=lambda d: (d[1].start_byte, -d[1].end_byte))
    for kind, node, name_node, owner in defs:
        raw = _text(src, name_node) if name_node is not None else ""
        parent_id, parent_kind, parent_q = _container(node, by_id)
        sep = spec.separator
        if owner is not None:
            parent_q = f"{parent_q}{sep}{owner}" if parent_q else owner
        if parent_id in skipped_scopes:
            skipped_scopes.add(node.id)
            continue
        if spec.outer_of is not None:
            outer = spec.outer_of(node)
        elif node.parent is not None and node.parent.type in spec.outer:
            outer = node.parent
        else:
            outer = node
        attached = _leading(spec, outer, src)
        # Test markers may be siblings (Rust attributes), in a wrapper (Python decorators) or
        # inside the definition before its name (Java annotations, C# attributes).
        head_end = name_node.start_byte if name_node is not None else node.start_byte
        head = "".join(_text(src, a) for a in attached) + src[outer.start_byte:head_end].decode("utf-8")
        name = spec.display_name(kind, node, raw, src) if spec.display_name else raw
        kind = spec.member_kind(kind, parent_kind)
        qual = f"{parent_q}{sep}{name}" if parent_q else name
        scope = spec.scope(node, name, src)
        # An unnamed scope (a Kotlin companion object) lends its members its parent's prefix.
        by_id[node.id] = (kind, f"{parent_q}{sep}{scope}" if parent_q and scope else scope or parent_q)
        start = attached[0] if attached else outer
        span = _span(start, outer)
        if spec.leading_comment:
            span = _comment_lines_above(span, src, spec.leading_comment)
        if exclude_tests and spec.test_unit(kind, raw, head):
            skipped_scopes.add(node.id)
            out.skips.append(Skip(path, "test code", qual, span.start_line))
            continue
        if kind in spec.scope_only:
            continue
        if node.has_error and not _errors_benign(spec, node, src):
            out.skips.append(Skip(path, "parse error inside unit", qual, span.start_line))
            continue
        lo, hi = span.start_byte, span.end_byte
        out.units.append(CodeUnit(
            path=path, lang=spec.name, kind=kind, name=qual, span=span,
            text=src[lo:hi].decode("utf-8"), parent=parent_q or None,
            comments=tuple(c for _, c in comments[bisect.bisect_left(cstarts, lo):bisect.bisect_left(cstarts, hi)]),
            strings=tuple(s for _, s in strings[bisect.bisect_left(sstarts, lo):bisect.bisect_left(sstarts, hi)]),
        ))
    if tree.root_node.has_error and not out.units:
        out.skips.append(Skip(path, "syntax error: no well-formed unit"))
    return out


def _errors_benign(spec: LangSpec, node: Node, src: bytes) -> bool:
    """True when every error node under `node` is one its language calls benign."""
    if spec.benign_error is None:
        return False
    stack = [node]
    while stack:
        n = stack.pop()
        if n.is_error or n.is_missing:
            if not spec.benign_error(n, src):
                return False
        else:
            stack.extend(c for c in n.children if c.has_error)
    return True


def _comment_lines_above(span: Span, src: bytes, prefix: bytes) -> Span:
    """Grow a span upwards over the contiguous comment lines just above its first line."""
    start, line = span.start_byte, span.start_line
    line_start = src.rfind(b"\n", 0, start) + 1
    if src[line_start:start].strip():
        return span  # not the first thing on its line (a flow-mapping key)
    while line_start > 0:
        prev = src.rfind(b"\n", 0, line_start - 1) + 1
        text = src[prev:line_start - 1]
        stripped = text.lstrip()
        if not stripped.startswith(prefix):
            break
        start, line, line_start = prev + len(text) - len(stripped), line - 1, prev
    return Span(start, span.end_byte, line, span.end_line) if line != span.start_line else span


def _container(node: Node, by_id: dict[int, tuple[str, str]]) -> tuple[int, str | None, str]:
    """The nearest enclosing definition that was captured: its id, kind and members' prefix."""
    p = node.parent
    while p is not None:
        hit = by_id.get(p.id)
        if hit is not None:
            return p.id, hit[0], hit[1]
        p = p.parent
    return -1, None, ""


def adjacent(above: Node, below: Node, src: bytes) -> bool:
    """No blank line between two nodes (a line comment's node may include its newline)."""
    gap = src[above.end_byte:below.start_byte]
    newlines = gap.count(b"\n") + (1 if src[above.end_byte - 1:above.end_byte] == b"\n" else 0)
    return newlines <= 1


def _text(src: bytes, node: Node) -> str:
    return src[node.start_byte:node.end_byte].decode("utf-8")
