"""The small exception tree of briefing.

Stages raise these; only the CLI turns them into messages and exit codes.
A ``ContentError`` always knows the file and line, so every message starts
``path:line:`` like a compiler's, and editors can jump to it.
"""

from __future__ import annotations


class BriefingError(Exception):
    """Base of every error briefing reports to the user."""


class ConfigError(BriefingError):
    """A setting or command-line option is wrong."""


class ContentError(BriefingError):
    """A content file is wrong; points at the file and line."""

    def __init__(self, path: str, line: int, message: str, *, warning: bool = False) -> None:
        self.path = path
        self.line = line
        self.message = message
        self.warning = warning
        super().__init__(f"{path}:{line}: {message}")


class ContentErrors(BriefingError):
    """Several content problems, collected so that all are reported at once."""

    def __init__(self, problems: list[ContentError]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
