"""Issue 32: nobody changes what other people are served, against a live ``tarjama serve`` (fixture model).

A correction sent over HTTP is served to everyone only when it comes with an
API key the operator marked ``--curate``; any other is refused (403) or, with
``--suggestions``, kept apart for the operator (``tarjama cache suggestions``,
``accept ID``) and served only once accepted. Loopback is not "local" when a
proxy says it forwarded the request. The keys file holds hashes, mode 0600.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from pathlib import Path

import httpx
import pytest
from chromium import CHROMIUM
from fixture_model import seed_sentences
from serving import Running, serving

from translate.cli import main
from translate.memory import TranslationMemory
from translate.normalize import normalize_for_model

SEED = seed_sentences()
SCAM = "Visit scam.example for the real news."
PROXIED = {"X-Forwarded-For": "203.0.113.5"}
"""What nginx in front of the server (README's configuration) adds to every visitor's request."""


@pytest.mark.parametrize(
    ("client", "headers", "local"),
    [
        ("127.0.0.1", [], True),
        ("127.8.0.1", ["host", "content-type"], True),
        ("::1", [], True),
        ("::ffff:127.0.0.1", [], True),
        ("127.0.0.1", ["X-Forwarded-For"], False),
        ("127.0.0.1", ["x-forwarded-proto"], False),
        ("127.0.0.1", ["Forwarded"], False),
        ("127.0.0.1", ["x-real-ip"], False),
        ("127.0.0.1", ["via"], False),
        ("203.0.113.5", [], False),
        ("::ffff:203.0.113.5", [], False),
        (None, [], False),
    ],
)
def test_from_this_machine_means_loopback_through_no_proxy(client: str | None, headers: list[str], local: bool) -> None:
    from translate.local import from_this_machine

    assert from_this_machine(client, headers) is local


def _post(server: Running, path: str, **kwargs) -> httpx.Response:
    return httpx.post(server.url + path, timeout=120, **kwargs)


def _translated(server: Running, arabic: str, **fields: str) -> str:
    """What another client, from elsewhere, is served for ``arabic``."""
    reply = _post(
        server,
        "/translate",
        json={"q": arabic, "source": "ar", "target": "en", **fields},
        headers={"X-Forwarded-For": "198.51.100.7"},
    )
    assert reply.status_code == 200, reply.text
    return str(reply.json()["translatedText"])


def _correct(server: Running, arabic: str, english: str, **fields: str) -> httpx.Response:
    return _post(server, "/v1/corrections", json={"source": arabic, "target": english, **fields}, headers=PROXIED)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_no_correction_without_a_curators_key_is_served_even_after_a_restart(model_dir: Path, tmp_path: Path) -> None:
    """Issue 32's attack, as deployed (the defaults; then the operator's `yes`): refused, and every other client
    still gets the model's English, also from the same memory after a restart. Whatever a proxy says, and
    straight from loopback too: the HTTP API has no owner, only keys."""
    arabic, english = SEED[0]
    memory = tmp_path / "memory.sqlite3"
    sent_as = [PROXIED, {"Forwarded": "for=203.0.113.5"}, {"X-Real-IP": "203.0.113.5"}, {}]
    for choice in ("auto", "yes"):
        options = ("--cache", str(memory), "--no-reader", "--remember-corrections", choice)
        with serving(model_dir, *options, log=tmp_path / f"{choice}.log") as server:
            assert _translated(server, arabic) == english  # from the memory, after the restart
            for headers in sent_as:
                reply = _post(server, "/v1/corrections", json={"source": arabic, "target": SCAM}, headers=headers)
                assert reply.status_code == 403 and "curate" in reply.json()["error"], (headers, reply.text)
            assert _translated(server, arabic) == english
    assert TranslationMemory(memory).human_translations() == []


def test_suggestions_are_off_as_in_libretranslate(model_dir: Path, tmp_path: Path) -> None:
    arabic, english = SEED[1]
    memory = tmp_path / "memory.sqlite3"
    with serving(model_dir, "--cache", str(memory), "--no-reader", log=tmp_path / "log") as server:
        reply = _post(server, "/suggest", json={"q": arabic, "s": SCAM, "source": "ar", "target": "en"})
        assert (reply.status_code, reply.json()) == (403, {"error": "Suggestions are disabled on this server."})
        assert httpx.get(server.url + "/frontend/settings").json()["suggestions"] is False
        assert _translated(server, arabic) == english
    stored = TranslationMemory(memory)
    assert stored.suggestions() == [] and stored.human_translations() == []


def test_suggestions_are_kept_apart_until_the_operator_accepts_one(
    model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (first, first_english), (second, second_english) = SEED[0], SEED[1]
    memory = tmp_path / "memory.sqlite3"
    with serving(model_dir, "--cache", str(memory), "--no-reader", "--suggestions", log=tmp_path / "log") as server:
        assert httpx.get(server.url + "/frontend/settings").json()["suggestions"] is True
        # LibreTranslate's route, as its web page sends it (a form), and tarjama's own.
        form = {"q": first, "s": SCAM, "source": "ar", "target": "en"}
        suggested = _post(server, "/suggest", data=form, headers=PROXIED)
        assert (suggested.status_code, suggested.json()) == (200, {"success": True})
        kept = _correct(server, second, "A better English.")
        assert kept.status_code == 202 and kept.json()["stored"] is False
        assert _post(server, "/suggest", json={"q": first, "source": "ar", "target": "en"}).status_code == 400
        # Nobody is served a suggestion, the sender included.
        assert _translated(server, first) == first_english and _translated(server, second) == second_english

        code, listed = _run(capsys, "cache", "suggestions", "--cache", str(memory))
        rows = [line.split("\t") for line in listed.splitlines()]
        assert code == 0 and rows[0] == ["id", "created", "who", "source", "target"]
        assert [(row[3], row[4]) for row in rows[1:]] == [
            (normalize_for_model(first), SCAM),
            (normalize_for_model(second), "A better English."),
        ]
        assert all("203.0.113.5" in row[2] for row in rows[1:])  # who: the address, and what the proxy said
        assert kept.json()["suggestion"] == int(rows[2][0])

        # Accepted, the second is everyone's translation; the first, rejected, is gone.
        assert main(["cache", "accept", rows[2][0], "--cache", str(memory)]) == 0
        assert main(["cache", "reject", rows[1][0], "--cache", str(memory)]) == 0
        assert _translated(server, second) == "A better English."
        assert _translated(server, first) == first_english
    assert main(["cache", "accept", rows[1][0], "--cache", str(memory)]) == 1  # no such suggestion any more
    assert TranslationMemory(memory).suggestions() == []


def test_a_curators_key_changes_what_everyone_is_served_and_no_other_key_does(
    model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys" / "keys.sqlite3"
    code, curator = _run(capsys, "serve", "keys", "add", "--api-keys", str(keys), "--curate", "--name", "editor")
    assert code == 0
    code, reader = _run(capsys, "serve", "keys", "add", "--api-keys", str(keys), "--name", "client")
    curator, reader = curator.strip(), reader.strip()
    (first, first_english), (second, second_english) = SEED[0], SEED[1]
    options = ("--cache", str(tmp_path / "memory.sqlite3"), "--api-keys", str(keys))
    with serving(model_dir, *options, log=tmp_path / "log") as server:
        refused = _correct(server, first, SCAM, api_key=reader)
        assert refused.status_code == 403 and "curate" in refused.json()["error"]
        assert _correct(server, first, SCAM, api_key="wrong").json() == {"error": "Invalid API key"}
        assert _translated(server, first, api_key=reader) == first_english
        assert _translated(server, second, api_key=reader) == second_english
        stored = _correct(server, second, "The editor's English.", api_key=curator)
        assert (stored.status_code, stored.json()) == (200, {"stored": True})
        assert _translated(server, second, api_key=reader) == "The editor's English."
        # Removed by its id (as `list` shows it), the curator's key is refused from then on.
        code, listed = _run(capsys, "serve", "keys", "list", "--api-keys", str(keys))
        rows = [line.split("\t") for line in listed.splitlines()]
        assert rows[0] == ["id", "req_limit", "char_limit", "curate", "name"]
        assert [(row[3], row[4]) for row in rows[1:]] == [("yes", "editor"), ("no", "client")]
        assert curator not in listed and reader not in listed
        assert main(["serve", "keys", "remove", rows[1][0], "--api-keys", str(keys)]) == 0
        assert _correct(server, second, SCAM, api_key=curator).status_code == 403
    # The file is its owner's alone and holds no key as it is: neither in a cell nor anywhere in its bytes.
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    with sqlite3.connect(keys) as db:
        cells = [str(cell) for table in ("keys",) for row in db.execute(f"SELECT * FROM {table}") for cell in row]
    assert cells and not any(key in cell for cell in cells for key in (curator, reader))
    assert curator.encode() not in keys.read_bytes() and reader.encode() not in keys.read_bytes()


def test_a_keys_file_of_the_first_schema_is_migrated_and_its_key_still_works(model_dir: Path, tmp_path: Path) -> None:
    keys = tmp_path / "keys.sqlite3"
    old_key = "0ld-k3y-kept-as-it-was-in-plain-text"
    with sqlite3.connect(keys) as db:  # the schema tarjama wrote before: the key itself, readable by anyone
        db.execute(
            "CREATE TABLE keys (key TEXT PRIMARY KEY, req_limit INTEGER NOT NULL DEFAULT 0, "
            "char_limit INTEGER NOT NULL DEFAULT 0, name TEXT NOT NULL DEFAULT '', created REAL NOT NULL)"
        )
        db.execute("INSERT INTO keys VALUES (?, 1, 0, 'old client', ?)", (old_key, time.time()))
    os.chmod(keys, 0o644)
    arabic, english = SEED[2]
    with serving(model_dir, "--no-cache", "--no-reader", "--api-keys", str(keys), log=tmp_path / "log") as server:
        assert _translated(server, arabic, api_key=old_key) == english
        slow = _post(server, "/translate", json={"q": arabic, "source": "ar", "target": "en", "api_key": old_key})
        assert slow.status_code == 429  # its own limit (1 a minute) came along
        assert _post(server, "/translate", json={"q": arabic, "source": "ar", "target": "en"}).status_code == 403
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    assert old_key.encode() not in keys.read_bytes()
    with sqlite3.connect(keys) as db:
        assert [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["keys"]
        assert db.execute("SELECT name, req_limit, curate FROM keys").fetchall() == [("old client", 1, 0)]


def test_without_a_memory_corrections_and_suggestions_are_refused(model_dir: Path, tmp_path: Path) -> None:
    """--suggestions needs the memory to keep them in: refused at start, in one line that says what to drop."""
    with serving(model_dir, "--no-cache", "--suggestions", log=tmp_path / "log", ready=False) as server:
        assert server.process.wait(120) == 2
    assert "--suggestions" in (tmp_path / "log").read_text()


def test_the_mounted_reader_treats_a_proxied_visitor_as_a_visitor(model_dir: Path, tmp_path: Path) -> None:
    """`tarjama serve` as the README deploys it (loopback, auto, the reader at /), nginx in front: the owner's
    corrections are the owner's page's, a visitor through the proxy gets the model's English (and, the reader's
    unit tests show, cannot write any)."""
    from gradio_client import Client

    arabic, english = SEED[3]
    memory = tmp_path / "memory.sqlite3"
    TranslationMemory(memory).store_human(normalize_for_model(arabic), "The owner's English.")

    def read(server: Running, headers: dict[str, str]) -> str:
        client = Client(server.url + "/", verbose=False, download_files=False, headers=headers)
        txt = client.predict(arabic, str(model_dir), api_name="/reader_translate")[7]
        with httpx.Client(timeout=30) as http:
            return http.get(txt["value"]["url"]).text.strip()

    with serving(model_dir, "--cache", str(memory), log=tmp_path / "log") as server:
        assert read(server, {}) == "The owner's English."
        assert read(server, PROXIED) == english
        assert read(server, {"X-Real-IP": "203.0.113.5"}) == english


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed (apt-get install -y chromium)")
def test_in_a_browser_through_a_proxy_a_correction_stays_in_the_page(model_dir: Path, tmp_path: Path, browser) -> None:
    """The reader of `tarjama serve` (loopback, auto) opened through nginx, then by the owner on the machine."""
    arabic, english = SEED[0]
    memory = tmp_path / "memory.sqlite3"
    with serving(model_dir, "--cache", str(memory), log=tmp_path / "log") as server:
        for headers, remembered in ((PROXIED, False), ({}, True)):
            context = browser.new_context(extra_http_headers=headers)
            page = context.new_page()
            page.goto(server.url + "/")
            scope = "remembered in the translation memory" if remembered else "stay in this browser session"
            page.wait_for_selector(f"#tj-scope:has-text('{scope}')")
            page.locator("#tj-text textarea").fill(arabic)
            page.click("#tj-translate")
            page.wait_for_selector("#tj-status:has-text('1 / 1 sentences')", timeout=60_000)
            cell = page.locator(".tj-doc[aria-busy='false'] .tj-row[data-pair='0'] .tj-en[contenteditable]")
            assert cell.inner_text().rstrip(" ✎") == english
            cell.click()
            page.keyboard.press("Control+A")
            page.keyboard.type("Corrected in the page.")
            page.keyboard.press("Enter")
            said = "also remembered for next time" if remembered else "kept in this document only"
            page.wait_for_selector(f"#tj-status:has-text('{said}')")
            context.close()
            stored = [h.target for h in TranslationMemory(memory).human_translations()]
            assert stored == (["Corrected in the page."] if remembered else []), headers
