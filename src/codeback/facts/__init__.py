"""Facts: what a unit's code does, read from its syntax tree, as checkable statements."""

from .read import read_facts
from .sheet import FactSheet, fmt_num, human_seconds

__all__ = ["FactSheet", "fmt_num", "human_seconds", "read_facts"]
