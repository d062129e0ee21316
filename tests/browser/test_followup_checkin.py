"""End-to-end: a headache conversation ends with an accepted follow-up; when it is due, the chat
opens with the check-in, and a worse reply escalates. Real server, real embedded model, Chromium."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

BOT = '[data-testid="bot"]'


def ask(page, text: str) -> None:
    box = page.locator('#question textarea')
    box.fill(text)
    box.press("Enter")


def bot_texts(page) -> list[str]:
    bots = page.locator(BOT)
    return [bots.nth(i).inner_text() for i in range(bots.count())]


def wait_for(page, needle: str, timeout: float = 300) -> str:
    end = time.time() + timeout
    while time.time() < end:
        for text in reversed(bot_texts(page)):
            if needle in text:
                return text
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} never appeared; bot messages: {[t[:200] for t in bot_texts(page)]!r}")


def medbot(home: Path, *argv: str):
    env = {**os.environ, "MEDBOT_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    return subprocess.run([sys.executable, "-m", "bot.cli", *argv], env=env, capture_output=True, text=True,
                          timeout=120)


def test_accepted_followup_checks_in_when_due_and_escalates(clock_server, browser, tmp_path):
    home = clock_server.home
    context = browser.new_context()
    page = context.new_page()
    page.goto(clock_server.url)
    page.wait_for_selector("#question textarea")
    ask(page, "I have had a headache since yesterday, what can I do?")
    offer = page.locator("#followup-text")
    offer.wait_for(state="visible", timeout=300000)
    assert "your headache" in offer.inner_text()
    page.locator("#followup-accept").click()
    wait_for(page, "Follow-up scheduled for", timeout=60)
    page.locator("#followup-offer").wait_for(state="hidden", timeout=30000)

    listed = medbot(home, "followups", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = [r for r in json.loads(listed.stdout) if r["subject"] == "your headache"]
    assert len(rows) == 1 and rows[0]["status"] == "scheduled"
    fu = rows[0]
    ics = tmp_path / "followups.ics"
    assert medbot(home, "followups", "export", "--ics", str(ics)).returncode == 0
    from icalendar import Calendar

    events = {str(e["uid"]): e for e in Calendar.from_ical(ics.read_bytes()).walk("VEVENT")}
    event = events[f"{fu['id']}@medbot"]
    assert str(event["summary"]) == "medbot check-in" and event.decoded("dtstart").isoformat() == fu["due"]

    # not due yet: reopening the chat shows no check-in
    page.goto(clock_server.url)
    page.wait_for_selector("#question textarea")
    time.sleep(2)
    assert not any("you asked about your headache" in t for t in bot_texts(page))

    # four days later, a fresh browser opens the chat with the check-in
    clock_server.offset.write_text("4")
    context.close()
    context = browser.new_context()
    page = context.new_page()
    page.goto(clock_server.url)
    page.wait_for_selector("#question textarea")
    text = wait_for(page, "you asked about your headache", timeout=60)
    assert text.startswith("Four days ago you asked about your headache: how is it now?")

    ask(page, "worse, and now my neck is stiff")
    wait_for(page, "This may be an emergency", timeout=300)
    assert medbot(home, "followups", "due", "--json").stdout.strip() == "[]"
    closed = [r for r in json.loads(medbot(home, "followups", "list", "--all", "--json").stdout) if r["id"] == fu["id"]]
    assert closed[0]["status"] == "done" and closed[0]["outcome"]["reply_triage"] == "emergency"
    context.close()


@pytest.fixture(scope="module")
def synthea_bundle(tmp_path_factory):
    import shutil

    exe = Path(sys.executable).parent / "synthea"
    exe = str(exe) if exe.exists() else shutil.which("synthea")
    out = tmp_path_factory.mktemp("synthea")
    subprocess.run([exe, "-p", "1", "-s", "11", "-r", "20250101", "-o", str(out)], check=True, capture_output=True,
                   cwd=out, timeout=300)
    return [p for p in sorted(out.rglob("*.json")) if "Information" not in p.name][0]


def test_letter_button_after_a_case_summary(clock_server, browser, synthea_bundle):
    page = browser.new_page()
    page.goto(clock_server.url)
    page.wait_for_selector("#question textarea")
    page.get_by_role("button", name="New conversation").click()
    assert not page.locator("#letter-button").is_visible()
    page.locator("#uploads input[type=file]").set_input_files(str(synthea_bundle))
    page.wait_for_function("document.querySelector('#uploads').innerText.includes('.json')", timeout=30000)
    ask(page, "Summarize this case")
    wait_for(page, "Active problems", timeout=420)
    page.locator("#letter-button").wait_for(state="visible", timeout=30000)
    page.locator("#letter-button").click()
    link = page.locator("#letter-file a[download], #letter-file a").first
    link.wait_for(timeout=60000)
    with page.expect_download() as dl:
        link.click()
    letter = Path(dl.value.path()).read_text(encoding="utf-8")
    assert letter.startswith("# A letter about your health record")
    assert "## What was found" in letter and "## When to come back" in letter
    page.close()
