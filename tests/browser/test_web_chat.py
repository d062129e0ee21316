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


def wait_final(page, needle: str, timeout: float = 120) -> str:
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
    end = time.time() + 120
    while time.time() < end:
        text = last_bot_text(page)
        if text and text != "…":
            lengths.append(len(text))
        if "not a diagnosis" in text:
            break
        time.sleep(0.05)
    final = last_bot_text(page)
    assert "not a diagnosis" in final
    assert len(set(lengths)) >= 3, f"answer did not stream: {lengths[:20]}"
    assert "PMID:" in page.locator("#sources").inner_text()
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
    page.goto(server.url)
    page.wait_for_selector("#question textarea")
    page.wait_for_function("document.querySelectorAll('[data-testid=\"user\"]').length > 0", timeout=30000)
    assert "Is aspirin useful after a heart attack?" in page.locator('[data-testid="user"]').first.inner_text()
    context.close()
