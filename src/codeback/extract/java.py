"""Java: Javadoc and touching comments above a declaration belong to it; annotations sit inside
the declaration's modifiers, so the unit's span has them already. JUnit-annotated methods are
test code even outside `src/test/` (the path rule lives in `is_test_path`)."""

from __future__ import annotations

import re

import tree_sitter_java

from .engine import LangSpec
from .kotlin import doc_or_touching

TEST_ANNOTATION = re.compile(
    r"@(org\.junit\.(jupiter\.api\.)?)?(Test|ParameterizedTest|RepeatedTest|TestFactory|TestTemplate"
    r"|BeforeEach|AfterEach|BeforeAll|AfterAll|Before|After|BeforeClass|AfterClass)\b"
)

SPEC = LangSpec(
    name="java",
    language=tree_sitter_java.language,
    attached=frozenset({"line_comment", "block_comment"}),
    attached_ok=doc_or_touching,
    test_unit=lambda kind, name, head: bool(TEST_ANNOTATION.search(head)),
    separator=".",
)
