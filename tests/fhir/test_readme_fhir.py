"""The README's FHIR calls run, as tests/test_readme.py runs the tour: each curl line against
a live server with the bundled data, each answer valid FHIR and not empty."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from directory_api.fhir.resources import DISTANCE_EXT
from directory_api.imports.bundled import seed
from tests.conftest import needs_geodata
from tests.helpers import LiveServer

README = Path(__file__).resolve().parents[2] / "README.md"


def fhir_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## FHIR R4", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]
    return [line for line in block.splitlines() if line.startswith("curl")]


def test_readme_shows_three_fhir_calls():
    commands = fhir_commands()
    assert len(commands) == 3
    assert all("127.0.0.1:5000/fhir/" in c for c in commands)


@needs_geodata
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_fhir_calls_run_against_a_live_server(app):
    for _ in seed(app.extensions["directory"]):
        pass
    with LiveServer(app) as live:
        for command in fhir_commands():
            argv = shlex.split(command.replace("http://127.0.0.1:5000", live.url))
            out = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=True)
            body = json.loads(out.stdout)
            assert body["resourceType"] != "OperationOutcome", (command, body)
            if body["resourceType"] == "CapabilityStatement":
                CapabilityStatement.model_validate(body)
                continue
            Bundle.model_validate(body)
            assert body["entry"], command
            if "near" in command:
                assert all(
                    e["search"]["extension"][0]["url"] == DISTANCE_EXT for e in body["entry"]
                )
