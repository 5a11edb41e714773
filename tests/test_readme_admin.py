"""The README's admin commands run as written: every `directory-api` line of "Importing the
CAK's lists" and "Keeping lists up to date", then every `curl` line of "Admin import over
HTTP" against a live server with the token that `directory-api token` printed."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from directory_api import create_app
from tests.helpers import LiveServer

README = Path(__file__).resolve().parent.parent / "README.md"
ADMIN_SECTIONS = ("## Importing the CAK's lists", "## Keeping lists up to date")
CLI = ".venv/bin/directory-api"
# The files the commands name: a list with names and places only (no category or contract
# column: the flags give them, and a re-import reuses what the source remembers).
LIST = (
    "naam;adres;huisnummer;postcode;plaats;lat;lon\n"
    "Apotheek Domplein;Domplein;1;3512 JE;Utrecht;52,0908;5,1215\n"
    "Apotheek Oost;Biltstraat;30;3572 AB;Utrecht;52,0940;5,1350\n"
)
NEW = LIST + "Apotheek Zuid;Laan;2;3521 AB;Utrecht;52,0800;5,1100\n"
FILES = {"gecontracteerde-apotheken.csv": LIST, "new.csv": NEW, "apotheken.csv": NEW}


def blocks(heading: str, until: str = "\n## ") -> list[str]:
    """Shell lines of the ```sh blocks under `heading` (continuations joined)."""
    text = README.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split(until, 1)[0]
    lines: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        lines += [line.strip() for line in joined.splitlines() if line.strip()]
    return lines


def cli_lines() -> list[str]:
    return [line for h in ADMIN_SECTIONS for line in blocks(h) if line.startswith(CLI)]


def curl_lines() -> list[str]:
    return [line for line in blocks("### Admin import over HTTP") if line.startswith("curl")]


def command(line: str) -> list[str]:
    """The line's argv, its comment cut off, with the installed CLI for .venv/bin's."""
    argv = shlex.split(line, comments=True)
    exe = Path(sys.executable).with_name("directory-api")
    head = [str(exe)] if exe.exists() else [sys.executable, "-m", "directory_api.cli"]
    return head + argv[1:] if argv[0] == CLI else argv


def test_the_readme_shows_the_admin_commands():
    assert len(cli_lines()) >= 6 and any("sources remove" in line for line in cli_lines())
    assert any("-X DELETE" in line for line in curl_lines())
    assert len(curl_lines()) >= 4


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_admin_commands_run_as_written(database_url, tmp_path, geodata_dir):
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DIRECTORY_INSTANCE_PATH": str(tmp_path / "instance"),
        "DIRECTORY_GEODATA_PATH": str(geodata_dir),
        "PYTHONPATH": str(README.parent),
    }

    def run(line: str) -> str:
        done = subprocess.run(
            command(line), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, (line, done.stdout, done.stderr)
        return done.stdout

    outputs = {line: run(line) for line in cli_lines() if " token" not in line}
    assert any("WARNING" not in out and "dry run" in out for out in outputs.values())
    assert (
        "cak-apotheken\tv-\t" in outputs[next(x for x in outputs if x.endswith("v- : not served"))]
    )

    printed = run(next(line for line in blocks("### Admin import over HTTP") if " token" in line))
    token = re.search(r"token \(.*?\): (\S+)", printed).group(1)  # type: ignore[union-attr]
    hashed = re.search(r"hash \(.*?\):\s+(\S+)", printed).group(1)  # type: ignore[union-attr]
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "DIRECTORY_INSTANCE_PATH": str(tmp_path / "instance"),
            "DIRECTORY_GEODATA_PATH": str(geodata_dir),
            "DIRECTORY_VERSION_CHECK_SECONDS": 0.0,
            "DIRECTORY_ADMIN_TOKEN_HASHES": hashed,
        }
    )
    try:
        with LiveServer(app) as live:
            for line in curl_lines():
                argv = [
                    arg.replace("$TOKEN", token).replace("http://127.0.0.1:5000", live.url)
                    for arg in command(line)
                ]
                done = subprocess.run(
                    [*argv, "-s", "-w", "\n%{http_code}"],
                    cwd=tmp_path,
                    capture_output=True,
                    text=True,
                    timeout=60,
                )
                assert done.returncode == 0, (line, done.stderr)
                body_text, status = done.stdout.rsplit("\n", 1)
                body = json.loads(body_text)
                assert status in {"200", "201"}, (line, status, body)
                if "-F dry_run=true" in line:  # the re-import reused category and contract
                    assert body["diff"]["unchanged"] == 3 and body["warnings"] == [], body
    finally:
        app.extensions["directory"].store.dispose()
