"""End-to-end: the Gradio chat in headless Chromium with the real embedded model."""

from __future__ import annotations

import time

import pytest

from pathlib import Path

DATA = Path(__file__).parent / "data"

pytestmark = pytest.mark.browser

BOT = '[data-testid="bot"]'


def ask(page, text: str) -> None:
    box = page.locator('#question textarea')
    box.fill(text)
    box.press("Enter")


def last_bot_text(page) -> str:
    bots = page.locator(BOT)
    return bots.nth(bots.count() - 1).inner_text() if bots.count() else ""


def wait_final(page, needle: str, timeout: float = 300) -> str:
    end = time.time() + timeout
    while time.time() < end:
        text = last_bot_text(page)
        if needle in text:
            return text
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} never appeared; last bot message: {last_bot_text(page)[:500]!r}")


def test_question_gets_a_streamed_cited_answer(server, browser):
    page = browser.new_page()
    page.goto(server.url)
    page.wait_for_selector("#question textarea")
    assert "SmolLM2" in page.content() and "Demo model" in page.content()
    ask(page, "What are the warning signs of a stroke?")
    lengths = []
    end = time.time() + 300
    while time.time() < end:
        text = last_bot_text(page)
        if text and text != "…":
            lengths.append(len(text))
        if "not a diagnosis" in text:
            break
        time.sleep(0.05)
    final = last_bot_text(page)
    assert "not a diagnosis" in final
    # the selected source sentences show first, the checked rewrite and the sources line follow
    assert len(set(lengths)) >= 2 and lengths[0] < len(final), f"answer did not stream: {lengths[:20]}"
    assert page.locator("#sources a[href*='pubmed.ncbi.nlm.nih.gov']").count() >= 1  # numbered, linked sources
    page.close()


def test_history_survives_a_server_restart(server, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(server.url)
    page.wait_for_selector("#question textarea")
    ask(page, "Is aspirin useful after a heart attack?")
    wait_final(page, "not a diagnosis")
    server.stop(hard=True)
    server.start()
    page.close()  # the old tab may reload itself when the server comes back: open a new one in the same browser
    page = context.new_page()
    page.goto(server.url)
    page.wait_for_selector("#question textarea")
    page.wait_for_function("document.querySelectorAll('[data-testid=\"user\"]').length > 0", timeout=30000)
    assert "Is aspirin useful after a heart attack?" in page.locator('[data-testid="user"]').first.inner_text()
    context.close()


@pytest.fixture(scope="module")
def fhir_bundle(tmp_path_factory):
    import shutil
    import subprocess
    import sys

    exe = Path(sys.executable).parent / "synthea"
    exe = str(exe) if exe.exists() else shutil.which("synthea")
    out = tmp_path_factory.mktemp("synthea")
    subprocess.run([exe, "-p", "1", "-s", "7", "-r", "20250101", "-o", str(out)], check=True, capture_output=True, cwd=out,
                   timeout=300)
    bundles = [p for p in sorted(out.rglob("*.json")) if "Information" not in p.name]
    return bundles[0]


def test_fhir_upload_gives_case_summary_and_report(server, browser, fhir_bundle):
    page = browser.new_page()
    page.goto(server.url)
    page.wait_for_selector("#question textarea")
    page.get_by_role("radio", name="clinician").check()
    page.locator("#uploads input[type=file]").set_input_files(str(fhir_bundle))
    page.wait_for_function("document.querySelector('#uploads').innerText.includes('.json')", timeout=30000)
    ask(page, "Summarize this case")
    text = wait_final(page, "Active problems", timeout=180)
    assert "Current medications" in text
    assert page.locator('.title:has-text("summarize_case")').count() >= 1  # collapsible tool call
    page.locator("#report-button").click()
    link = page.locator("#report-file a[download], #report-file a").first
    link.wait_for(timeout=60000)
    with page.expect_download() as dl:
        link.click()
    report = Path(dl.value.path()).read_text(encoding="utf-8")
    assert "Case summary" in report or "Active problems" in report
    assert "preliminary" in report.lower() or "not a diagnosis" in report.lower() or "disclaimer" in report.lower()
    page.close()
