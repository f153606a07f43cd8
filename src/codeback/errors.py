"""The error hierarchy. Every error carries one line a user can act on; the CLI prints that line
(never a traceback) and exits 2.

    CodebackError
    ├── SpecError        a spec or topic file is missing, not TOML, or fails validation
    ├── SourceError      the repository cannot be read or cloned
    ├── OutputError      the output file cannot be written or read back
    └── BackendError     a generator backend cannot serve (bad config, endpoint down, budget)
        └── BudgetExceeded   the token budget ran out; the run stops cleanly and can resume
"""


class CodebackError(Exception):
    """Base of all errors codeback reports to the user as one line."""


class SpecError(CodebackError):
    pass


class SourceError(CodebackError):
    pass


class OutputError(CodebackError):
    pass


class BackendError(CodebackError):
    pass


class BudgetExceeded(BackendError):
    pass
