"""What reading a list gives (ParsedFile: its valid rows and every problem), and the report
the CLI prints about it."""

from __future__ import annotations

from dataclasses import dataclass, field

from directory_api.errors import InvalidRow
from directory_api.models import ProviderRow
from directory_api.versions.values import Identity


@dataclass
class ParsedFile:
    rows: list[ProviderRow] = field(default_factory=list)  # valid rows only
    identities: list[Identity] = field(default_factory=list)  # lists.identity_keys of each row
    problems: list[InvalidRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checksum: str = ""  # sha256 hex of the raw bytes
    encoding: str = ""
    delimiter: str = ""
    total_rows: int = 0  # data rows seen
    # Lines whose only problem is their opening hours: their rows are in `rows`, with the
    # hours unknown, and are imported so when invalid rows are skipped (keep_unknown_hours).
    unknown_hours: set[int] = field(default_factory=set)

    def problem(self, line: int, column: str | None, reason: str) -> None:
        self.problems.append(InvalidRow(line, column, reason))

    def keep_unknown_hours(self) -> None:
        """For an import that skips invalid rows: the rows whose only problem is their
        opening hours stay, with the hours unknown, and their problems become warnings."""
        kept = self.unknown_hours
        if not kept:
            return
        self.warnings += [
            f"{p}; imported with the opening hours unknown" for p in self.problems if p.line in kept
        ]
        self.problems = [p for p in self.problems if p.line not in kept]


def format_report(parsed: ParsedFile, *, skipped: bool = False) -> str:
    """Human-readable import report for the CLI: a summary, warnings, one line per problem."""
    delimiter = {"\t": "tab", "": "none"}.get(parsed.delimiter, repr(parsed.delimiter))
    lines = [
        f"{parsed.total_rows} data rows read (encoding {parsed.encoding or 'unknown'}, "
        f"delimiter {delimiter}): {len(parsed.rows)} valid, {len(parsed.problems)} "
        + ("problem" if len(parsed.problems) == 1 else "problems")
    ]
    if skipped:
        lines.insert(
            0, f"unchanged since the last import (sha256 {parsed.checksum[:12]}…): nothing imported"
        )
    lines += [f"warning: {w}" for w in parsed.warnings]
    lines += [str(p) for p in parsed.problems]
    return "\n".join(lines)
