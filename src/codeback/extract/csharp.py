"""C#: `///` XML doc comments (and touching comments, and `#pragma` lines between them and the
declaration) belong to the declaration below; attributes are inside it. xUnit/NUnit/MSTest
attributes mark test code; test projects are a path rule in `is_test_path`."""

from __future__ import annotations

import re

import tree_sitter_c_sharp
from tree_sitter import Node

from .engine import LangSpec, adjacent

_TEST_ATTRIBUTE = re.compile(
    r"\[\s*(Xunit\.|NUnit\.Framework\.)?(Test|Fact|Theory|TestMethod|TestCase|TestCaseSource|TestFixture"
    r"|TestClass|SetUp|TearDown|OneTimeSetUp|OneTimeTearDown|TestInitialize|TestCleanup)\b"
)


def _attached_ok(node: Node, below: Node, src: bytes) -> bool:
    if node.type != "comment":
        return True
    return src[node.start_byte:node.start_byte + 3] == b"///" or adjacent(node, below, src)


SPEC = LangSpec(
    name="csharp",
    language=tree_sitter_c_sharp.language,
    attached=frozenset({"comment", "preproc_pragma"}),
    attached_ok=_attached_ok,
    test_unit=lambda kind, name, head: bool(_TEST_ATTRIBUTE.search(head)),
    separator=".",
)
