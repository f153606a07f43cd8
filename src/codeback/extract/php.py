"""PHP: a `/** */` docblock or touching comment belongs to the declaration below; `#[...]`
attributes are inside it. PHPUnit `#[Test]` attributes and `@test` docblock tags mark test code;
`tests/` folders and `*Test.php` files are a path rule in `is_test_path`."""

from __future__ import annotations

import re

import tree_sitter_php

from .engine import LangSpec
from .kotlin import doc_or_touching

_TEST_MARK = re.compile(r"#\[\s*(\\?PHPUnit\\Framework\\Attributes\\)?Test\b|@test\b")

SPEC = LangSpec(
    name="php",
    language=tree_sitter_php.language_php,
    attached=frozenset({"comment"}),
    attached_ok=doc_or_touching,
    test_unit=lambda kind, name, head: bool(_TEST_MARK.search(head)),
    separator=".",
)
