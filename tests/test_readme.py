"""The README's tour runs, command by command, against a live server with the bundled data."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from directory_api.imports.bundled import seed
from tests.conftest import needs_geodata
from tests.helpers import LiveServer

README = Path(__file__).resolve().parent.parent / "README.md"


def tour_commands() -> list[tuple[str, str]]:
    """(comment, curl command) pairs from the tour's shell block."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## A 5-minute tour", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
    pairs, comment = [], ""
    for line in block.splitlines():
        if line.startswith("#"):
            comment = line
        elif line.startswith("curl"):
            pairs.append((comment, line))
    return pairs


def test_readme_starts_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    first_block = re.search(r"```sh\n(.*?)```", text, re.S).group(1)  # type: ignore[union-attr]
    assert first_block.splitlines()[0].startswith("make run")
    assert first_block.splitlines()[1].startswith("make test")
    assert len(tour_commands()) >= 6


@needs_geodata
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_tour_runs_against_a_live_server(app):
    for _ in seed(app.extensions["directory"]):
        pass
    with LiveServer(app) as live:
        for comment, command in tour_commands():
            argv = shlex.split(command.replace("http://127.0.0.1:5000", live.url))
            out = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=True)
            body = json.loads(out.stdout)
            if "422" in comment:
                assert body["code"] == 422 and body["errors"], command
                continue
            assert "code" not in body, (command, body)
            if "/v1/search" in command:
                assert body["results"], f"no results for: {command}"
            if "/v1/providers" in command:
                assert body["total"] > 0, command
