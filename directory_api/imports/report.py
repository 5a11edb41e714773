"""What reading a list gives (ParsedFile: its valid rows and its problems), and the report
the CLI prints about it.

A report is bounded: the first `max_problems` problems are kept in detail (line, column,
reason); every problem is counted, in total and per kind (the column it names, or "(row)"
for a problem of a whole row). Once the detail is full the checkers stop wording problems
(ParsedFile.full) and only count them; and unless every row must be checked (check_all:
an import that skips invalid rows imports the others) they stop checking the rows after
the chunk that filled it, counting them as unchecked: the import is rejected anyway. So a
file of 200,000 bad rows costs less than a file of good rows, in time and memory.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from directory_api.errors import InvalidRow
from directory_api.models import ProviderRow
from directory_api.text import terminal_safe

MAX_PROBLEMS = 1000  # problems kept in detail per import (DIRECTORY_IMPORT_MAX_PROBLEMS)
ROW_KIND = "(row)"  # the kind of a problem that names no column


@dataclass
class ParsedFile:
    rows: list[ProviderRow] = field(default_factory=list)  # valid rows only
    keys: list[str] = field(default_factory=list)  # versions.identity.identity_key of each row
    problems: list[InvalidRow] = field(default_factory=list)  # the first max_problems
    warnings: list[str] = field(default_factory=list)
    checksum: str = ""  # sha256 hex of the raw bytes
    encoding: str = ""
    delimiter: str = ""
    total_rows: int = 0  # data rows seen
    # Lines whose only problem is their opening hours: their rows are in `rows`, with the
    # hours unknown, and are imported so when invalid rows are skipped (keep_unknown_hours).
    unknown_hours: set[int] = field(default_factory=set)
    max_problems: int = MAX_PROBLEMS
    problem_counts: Counter[str] = field(default_factory=Counter)  # kind -> problems
    check_all: bool = True  # False: once the detail is full, the other rows are not checked
    unchecked_rows: int = 0  # data rows not checked (check_all False)

    def problem(self, line: int, column: str | None, reason: str) -> None:
        self.problem_counts[column or ROW_KIND] += 1
        if len(self.problems) < self.max_problems:
            self.problems.append(InvalidRow(line, column, reason))

    def count(self, column: str | None) -> None:
        """A problem counted but not worded (the detail is full)."""
        self.problem_counts[column or ROW_KIND] += 1

    @property
    def done(self) -> bool:
        """May the reader skip the other rows? (the detail is full, check_all is False)"""
        return not self.check_all and len(self.problems) >= self.max_problems

    @property
    def full(self) -> bool:
        """Is the detail full? (then problems are only counted)"""
        return len(self.problems) >= self.max_problems

    @property
    def problem_total(self) -> int:
        return sum(self.problem_counts.values()) if self.problem_counts else len(self.problems)

    def problem_summary(self) -> dict[str, object]:
        """{'total', 'shown', 'by_kind'} for the HTTP answers."""
        return {
            "total": self.problem_total,
            "shown": len(self.problems),
            "by_kind": dict(self.problem_counts.most_common()),
            "unchecked_rows": self.unchecked_rows,
        }

    def keep_unknown_hours(self) -> None:
        """For an import that skips invalid rows: the rows whose only problem is their
        opening hours stay, with the hours unknown, and their problems become warnings."""
        kept = self.unknown_hours
        if not kept:
            return
        self.warnings += [
            f"{p}; imported with the opening hours unknown" for p in self.problems if p.line in kept
        ]
        for p in self.problems:
            if p.line in kept:
                self.problem_counts[p.column or ROW_KIND] -= 1
        self.problem_counts += Counter()  # drop the kinds counted down to nothing
        self.problems = [p for p in self.problems if p.line not in kept]


def count_lines(parsed: ParsedFile) -> list[str]:
    """'… problems in all; the first N in detail' and the counts per kind, when cut."""
    total = parsed.problem_total
    if total <= len(parsed.problems) and not parsed.unchecked_rows:
        return []
    kinds = ", ".join(
        f"{kind if kind == ROW_KIND else repr(kind)}: {n}"
        for kind, n in parsed.problem_counts.most_common()
    )
    lines = [
        f"{total} problems in all; the first {len(parsed.problems)} are shown "
        f"(problems per column: {kinds})"
    ]
    if parsed.unchecked_rows:
        lines.append(
            f"the last {parsed.unchecked_rows} rows were not checked (the report was full "
            "and the file is rejected anyway; --skip-invalid checks every row)"
        )
    return lines


def format_report(parsed: ParsedFile, *, skipped: bool = False) -> str:
    """Human-readable import report for the CLI: a summary, warnings, one line per problem
    (the first max_problems), and the counts per kind when there were more."""
    delimiter = {"\t": "tab", "": "none"}.get(parsed.delimiter, repr(parsed.delimiter))
    total = parsed.problem_total
    lines = [
        f"{parsed.total_rows} data rows read (encoding {parsed.encoding or 'unknown'}, "
        f"delimiter {delimiter}): {len(parsed.rows)} valid, {total} "
        + ("problem" if total == 1 else "problems")
    ]
    if skipped:
        lines.insert(
            0, f"unchanged since the last import (sha256 {parsed.checksum[:12]}…): nothing imported"
        )
    lines += [f"warning: {w}" for w in parsed.warnings]
    lines += [str(p) for p in parsed.problems]
    lines += count_lines(parsed)
    return "\n".join(map(terminal_safe, lines))
