"""Hostile input (issue 14), as an attacker sent it: terminal escapes for the admin's
terminal, right-to-left overrides and zero-width characters in names, a mailto: link that
copies a third party, a phone cell with an onclick, deeply nested JSON, search answers kept
by shared caches, /docs in someone's frame, a stray NUL byte, and 200,000 bad rows.
Figures go to tests/artifacts/reliability.json (docs/reliability.md quotes them)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from directory_api.cli import main
from tests.helpers import assert_error_shape
from tests.reliability.conftest import AUTH, record_figures, snapshot

# Every control character a terminal acts on, and the bidi and zero-width characters
TERMINAL_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)
HEADER = b"naam,categorie,plaats,telefoon,email,lat,lon\n"
ESCAPES = "Apotheek \x1b[2J\x1b]0;owned\x07\x1b]8;;https://evil.example\x07klik\x08\x08"


def _post(admin, slug: str, data: bytes, **form: str):
    return admin.post(
        f"/v1/sources/{slug}/imports",
        data={"file": (io.BytesIO(data), "x.csv"), **form},
        headers=AUTH,
    )


def test_terminal_escapes_never_reach_the_admins_terminal(admin, cli_env, tmp_path):
    f = tmp_path / "escapes.csv"
    fine = b"".join(b"Apotheek %d,apotheek,Utrecht,,,52.09,5.12\n" % i for i in range(20))
    f.write_bytes(HEADER + fine + f'"{ESCAPES}",apotheek,Utrecht,,,52.09,5.12\n'.encode())
    result = CliRunner().invoke(main, ["import", str(f)], env=cli_env)
    assert result.exit_code == 1
    out = result.output  # stdout and stderr
    assert "U+001B" in out and "line 22, column 'naam'" in out
    assert not TERMINAL_UNSAFE.search(out), out
    # the list's own name is refused too; the escape is shown, not sent
    f.write_bytes(HEADER + b"Apotheek Eerlijk,apotheek,Utrecht,,,52.09,5.12\n")
    result = CliRunner().invoke(
        main, ["import", str(f), "--source", "Lijst\x1b]0;x\x07"], env=cli_env
    )
    assert result.exit_code == 1 and "U+001B" in result.output
    assert not TERMINAL_UNSAFE.search(result.output)
    # every output path escapes: sources, versions and diff print what the store holds
    from directory_api.cli import _echo

    runner = CliRunner()
    with runner.isolation() as (stdout, _stderr, *_):
        _echo(ESCAPES)
    assert not TERMINAL_UNSAFE.search(stdout.getvalue().decode())
    listed = CliRunner().invoke(main, ["sources"], env=cli_env)
    # (its fields are separated by tabs: the command's, not the data's)
    assert listed.exit_code == 0 and not TERMINAL_UNSAFE.search(listed.output.replace("\t", " "))


@pytest.mark.parametrize(
    "name",
    [
        "Apotheek \u202edlrow\u202c",  # "Apotheek world" shown right to left
        "Apotheek \u2067RTL\u2069",
        "Apo\u200btheek Zero",
        "Apotheek\u200d Joiner",
        "Apotheek\ufeff Bom",
        "Apotheek \u200fMark",
    ],
)
def test_bidi_and_zero_width_names_are_refused_naming_line_and_column(admin, name):
    before = snapshot(admin)
    data = (
        HEADER
        + b"Apotheek Gewoon,apotheek,Utrecht,,,52.09,5.12\n"
        + f"{name},apotheek,Utrecht,,,52.1,5.1\n".encode()
    )
    body = assert_error_shape(_post(admin, "vreemde-tekens", data), 422, "line 3")
    assert body["problems"][0]["line"] == 3 and body["problems"][0]["column"] == "naam"
    assert "refused" in body["problems"][0]["reason"]
    assert snapshot(admin) == before
    r = _post(admin, "vreemde-tekens", data, skip_invalid="true")
    assert r.status_code == 201, r.get_json()
    names = {
        p["name"]
        for p in admin.get("/v1/providers", query_string={"page_size": 100}).get_json()["items"]
    }
    assert "Apotheek Gewoon" in names and not any(TERMINAL_UNSAFE.search(n) for n in names)


@pytest.mark.parametrize(
    "email",
    [
        "a@b.nl?cc=spy@evil.example",
        "a@b.nl&bcc=spy@evil.example",
        "a?cc=spy@evil.example@b.nl",
        "a@b.nl%0ABcc:spy@evil.example",
        "Info <a@b.nl>",
    ],
)
def test_mailto_injection_is_refused(admin, email):
    data = HEADER + f'Apotheek Post,apotheek,Utrecht,,"{email}",52.09,5.12\n'.encode()
    body = assert_error_shape(_post(admin, "post", data), 422, "line 2")
    assert [(p["line"], p["column"]) for p in body["problems"]] == [(2, "email")]


def test_phone_with_an_onclick_is_refused_and_phones_are_served_in_e164(admin):
    data = (
        HEADER + b'Apotheek Klik,apotheek,Utrecht,"0301234567"" onclick=""alert(1)",,52.09,5.12\n'
    )
    body = assert_error_shape(_post(admin, "bellen", data), 422, "line 2")
    assert [(p["line"], p["column"]) for p in body["problems"]] == [(2, "telefoon")]
    data = HEADER + b"Apotheek Bel,apotheek,Utrecht,030 - 123 45 67,,52.09,5.12\n"
    assert _post(admin, "bellen", data).status_code == 201
    served = admin.get("/v1/providers?q=apotheek%20bel").get_json()["items"]
    assert [p["phone"] for p in served] == ["+31301234567"]
    # what the widget's tel: link makes of it ("tel:" + the digits and "+") is the same number
    assert "tel:" + re.sub(r"[^\d+]", "", served[0]["phone"]) == "tel:+31301234567"


def test_deeply_nested_json_is_a_400_in_the_error_shape(admin):
    for depth in (33, 1000, 100_000):
        body = "[" * depth + "]" * depth
        for path in ("/v1/sources/diep/imports", "/v1/sources/diep/rollback"):
            r = admin.post(path, data=body, content_type="application/json", headers=AUTH)
            assert_error_shape(r, 400, "json")
    rows = {"rows": [{"naam": "Apotheek Diep", "categorie": "apotheek", "lat": 52.1, "lon": 5.1}]}
    r = admin.post("/v1/sources/diep/imports?dry_run=true", json=rows, headers=AUTH)
    assert r.status_code == 200, r.get_json()


def test_search_answers_are_private_other_reads_public(admin):
    r = admin.get("/v1/search", query_string={"care": "pharmacy", "near": "3511 AB"})
    assert r.headers["Cache-Control"].startswith("private") or r.status_code != 200
    r = admin.get("/v1/search", query_string={"care": "pharmacy", "lat": 52.09, "lon": 5.12})
    assert r.status_code == 200, r.get_json()
    r = admin.get("/v1/search", query_string={"care": "pharmacy", "lat": 52.09, "lon": 5.12})
    assert r.headers["Cache-Control"].startswith("private")
    for path in ("/v1/providers", "/v1/sources"):
        assert admin.get(path).headers["Cache-Control"].startswith("public")


def test_docs_and_html_pages_cannot_be_framed_by_others_but_embed_can(admin):
    for path in ("/docs",):
        r = admin.get(path)
        assert r.status_code == 200 and r.mimetype == "text/html"
        assert "frame-ancestors 'self'" in r.headers["Content-Security-Policy"]
    embed = admin.get("/embed")
    assert embed.status_code == 200
    assert "frame-ancestors" not in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers


def test_a_nul_byte_is_reported_with_its_line(admin):
    data = (
        HEADER
        + b"Apotheek Een,apotheek,Utrecht,,,52.09,5.12\n"
        + b"Apotheek\x00Twee,apotheek,Utrecht,,,52.1,5.1\n"
        + b"Apotheek Drie,apotheek,Utrecht,,,52.11,5.11\n"
    )
    body = assert_error_shape(_post(admin, "nul", data), 422, "line 3")
    assert [p["line"] for p in body["problems"]] == [3] and "NUL" in body["problems"][0]["reason"]
    r = _post(admin, "nul", data, skip_invalid="true")
    assert r.status_code == 201 and r.get_json()["rows"] == 2


# --- 200,000 bad rows ------------------------------------------------------------------

BAD_ROWS = 200_000


def bad_rows_csv(path: Path, n: int = BAD_ROWS) -> Path:
    """n rows, each with three bad cells (postcode, e-mail, latitude)."""
    with path.open("w", encoding="utf-8") as out:
        out.write("naam,categorie,postcode,plaats,telefoon,email,lat,lon\n")
        for i in range(n):
            out.write(
                f"Apotheek {i},apotheek,{i:05d},Utrecht,030 123 {i % 10000:04d},"
                f"x{i}@b,99.{i % 100},5.1\n"
            )
    return path


MEASURE = textwrap.dedent(
    """
    import io, json, sys, time
    mode, path, url = sys.argv[1:4]
    data = open(path, "rb").read()
    start = time.perf_counter()
    if mode.startswith("cli"):
        from click.testing import CliRunner
        from directory_api.cli import main
        args = ["import", path] + (["--skip-invalid"] if mode.endswith("all") else [])
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        status, size = result.exit_code, len(result.output.encode())
        lines = result.output.count("\\n")
    else:
        from directory_api import create_app
        from directory_api.web.auth import token_hash
        app = create_app({"DATABASE_URL": url, "DIRECTORY_ADMIN_TOKEN_HASHES": token_hash("t")})
        r = app.test_client().post(
            "/v1/sources/bad/imports",
            data={"file": (io.BytesIO(data), "bad.csv"), "skip_invalid": mode.endswith("all")},
            headers={"Authorization": "Bearer t"})
        status, size = r.status_code, len(r.get_data())
        body = r.get_json()
        lines = len(body["problems"])
        counts = body["problem_counts"]
        if mode.endswith("all"):  # every row checked: every problem counted
            assert counts["total"] == 3 * ROWS and not counts["unchecked_rows"], counts
        else:  # the rows after the chunk that filled the report were not checked
            assert counts["total"] >= 1000 and counts["unchecked_rows"] > ROWS * 0.9, counts
    seconds = time.perf_counter() - start
    # VmHWM: this process's own peak (ru_maxrss would carry the forking parent's peak over
    # exec: the pytest process's, late in a full run).
    hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0]
    rss = int(hwm.split()[1]) / 1024
    print(json.dumps({"status": status, "seconds": seconds, "bytes": size, "lines": lines,
                      "peak_rss_mib": rss}))
    """
).replace("ROWS", str(BAD_ROWS))


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["cli", "http", "cli-check-all", "http-check-all"])
def test_200k_bad_rows_answer_in_seconds_and_bounded_memory(mode, tmp_path, cli_env):
    path = bad_rows_csv(tmp_path / "bad.csv")
    url = f"sqlite:///{tmp_path / 'bad.sqlite3'}"
    env = {**cli_env, "DATABASE_URL": url}
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, mode, str(path), url],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    record_figures(
        f"test_200k_bad_rows[{mode}]",
        None,
        rows=BAD_ROWS,
        file_mib=round(path.stat().st_size / 2**20, 1),
        **{k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()},
    )
    assert figures["status"] == (1 if mode.startswith("cli") else 422)
    assert figures["lines"] <= 1010  # the first 1,000 problems, a summary, the counts
    assert figures["bytes"] < 400_000  # was 12 MB (CLI) and 565 MB (HTTP)
    # was 57 s over HTTP; checking every row (--skip-invalid) costs ~6 s on an idle core
    assert figures["seconds"] < (60 if mode.endswith("all") else 15)
    assert figures["peak_rss_mib"] < 400  # was 3.8 GB
