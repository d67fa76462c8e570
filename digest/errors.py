"""Errors as values: a Problem knows where it happened and how to fix it.

Nothing here prints or exits; the command line decides how to show problems.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_SHOWN = 50


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one input, located as precisely as we can."""

    path: str
    message: str
    line: int | None = None
    hint: str = ""
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        hint = f" — {self.hint}" if self.hint else ""
        kind = "warning: " if self.warning else ""
        return f"{where}: {kind}{self.message}{hint}"


class DigestError(Exception):
    """A user-facing failure carrying one or more problems; exit code 1."""

    exit_code = 1

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, (Problem, str)):
            problems = [problems]
        self.problems = [p if isinstance(p, Problem) else Problem("digest", p) for p in problems]
        super().__init__(self.format())

    def __reduce__(self):
        """Pickled with its problems (a worker process's error reaches the build whole)."""
        return type(self), (self.problems,)

    def format(self) -> str:
        shown = [str(p) for p in self.problems[:MAX_SHOWN]]
        hidden = len(self.problems) - len(shown)
        if hidden > 0:
            shown.append(f"… and {hidden} more problems")
        return "\n".join(shown)


def display_path(path: Path | str) -> str:
    """Paths relative to the working directory read best in messages."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
