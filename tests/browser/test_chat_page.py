"""The chat page in headless Chromium on the scripted LLM: the title, example questions per role,
the conversation list (resume, rename, delete; each signed-in user sees only their own), the
knowledge sources in words, when the report panel shows, and a phone's width.

Set MEDBOT_TEST_SCREENSHOTS=DIR to keep screenshots of the page (docs/screenshots holds the current ones).
"""

from __future__ import annotations

import time

import pytest

from bot.ui.examples import EXAMPLES

from browser_pages import PHONE, shot, sign_in

pytestmark = pytest.mark.browser

BOT, USER = '[data-testid="bot"]', '[data-testid="user"]'


def ask(page, text: str) -> None:
    box = page.locator("#question textarea")
    box.fill(text)
    box.press("Enter")


def wait_answer(page, n: int, timeout: float = 60) -> str:
    """The text of the `n`-th answer of the open conversation, once the turn is done (the sources
    panel is blank while an answer streams)."""
    end = time.time() + timeout
    while time.time() < end:
        bots = page.locator(BOT)
        if bots.count() >= n:
            text = bots.nth(n - 1).inner_text()
            if text.strip() not in ("", "…") and page.locator("#sources").inner_text().strip():
                return text
        time.sleep(0.1)
    raise AssertionError(f"no answer {n}; bot messages: {page.locator(BOT).all_inner_texts()!r}")


def listed(page) -> list[str]:
    return [t.strip() for t in page.locator("#conversation-list label").all_inner_texts()]


def wait_listed(page, count: int, timeout: float = 30) -> list[str]:
    end = time.time() + timeout
    while time.time() < end:
        rows = listed(page)
        if len(rows) == count:
            return rows
        time.sleep(0.1)
    raise AssertionError(f"expected {count} conversations, listed: {listed(page)!r}")


def examples(page) -> list[str]:
    return [t.strip() for t in page.locator("#chat button.example").all_inner_texts()]


def test_empty_chat_offers_examples_per_role_and_states_the_sources(scripted_server, browser):
    context, page = sign_in(browser, scripted_server, "alice")
    assert "health assistant" in page.title()
    assert "health assistant" in page.locator("#header").inner_text()
    assert "literature assistant" not in page.content()
    assert examples(page) == list(EXAMPLES["patient"])
    status = page.locator("#index-status")
    status.get_by_text("NIH answers").wait_for(timeout=30000)
    words = status.inner_text()
    assert "NIH answers (2): searchable, meaning search 50% ready" in words
    assert "Guideline summaries (1): searchable, meaning search ready" in words
    assert "Medical literature (3): searchable, meaning search 0% ready" in words
    assert "about 13 min left" in words and "/6" not in words
    assert not page.locator("#report-panel").is_visible()  # a patient with nothing to report
    shot(page, "chat-empty.png")

    page.get_by_role("radio", name="clinician").check()
    page.wait_for_function("document.querySelector('#chat button.example')?.innerText.includes('first-line')")
    assert examples(page) == list(EXAMPLES["clinician"])
    page.locator("#report-panel").wait_for(state="visible", timeout=10000)
    page.get_by_role("radio", name="patient").check()
    page.locator("#report-panel").wait_for(state="hidden", timeout=10000)

    page.locator("#chat button.example").first.click()  # asks it
    answer = wait_answer(page, 1)
    assert page.locator(USER).first.inner_text().strip() == EXAMPLES["patient"][0]
    assert "warning signs of stroke" in answer
    assert "Stroke" in page.locator("#sources").inner_text()
    assert page.locator("#sources a[href*='medlineplus']").count() == 1
    assert wait_listed(page, 1)[0].startswith(EXAMPLES["patient"][0])
    assert page.locator("#chat button.example").count() == 0  # examples only while the chat is empty
    shot(page, "chat-answer.png")
    context.close()


def test_conversations_resume_rename_delete_and_report_panel(scripted_server, browser, tmp_path):
    context, page = sign_in(browser, scripted_server, "bob")
    ask(page, "What are the warning signs of a stroke?")
    wait_answer(page, 1)
    wait_listed(page, 1)
    page.locator("#new-conversation").click()
    page.wait_for_function("document.querySelectorAll('[data-testid=\"user\"]').length === 0")
    notes = tmp_path / "home-readings.txt"
    notes.write_text("Home blood pressure readings this week: 150/95, 148/92, 152/96.\n")
    page.locator("#uploads input[type=file]").set_input_files(str(notes))
    page.wait_for_function("document.querySelector('#uploads').innerText.includes('home-readings')")
    ask(page, "Here are my readings: how can I lower my blood pressure?")
    wait_answer(page, 1)
    rows = wait_listed(page, 2)
    assert rows[0].startswith("Here are my readings") and rows[1].startswith("What are the warning")
    page.locator("#report-panel").wait_for(state="visible", timeout=10000)  # an uploaded file: something to report
    page.locator("#report-button").click()
    page.locator("#report-file a").first.wait_for(timeout=30000)
    assert "report-" in page.locator("#report-file").inner_text()
    shot(page, "chat-conversations.png")
    page.locator('#chat button[aria-label="Clear"]').click()  # the chat's clear button starts a new conversation
    page.wait_for_function("document.querySelectorAll('#chat button.example').length > 0")
    assert len(wait_listed(page, 2)) == 2
    page.wait_for_function("document.querySelectorAll('#conversation-list input:checked').length === 0")

    page.locator("#conversation-list label", has_text="What are the warning").click()  # resume
    page.wait_for_function("document.querySelector('[data-testid=\"user\"]')?.innerText.includes('warning signs of a stroke')")
    page.locator("#report-panel").wait_for(state="hidden", timeout=10000)  # a question alone: nothing to report

    page.locator("#conversation-edit").get_by_text("Rename or delete").click()
    title = page.locator("#conversation-title input")
    assert title.input_value() == "What are the warning signs of a stroke?"
    title.fill("Stroke signs")
    page.locator("#rename-conversation").click()
    page.wait_for_function("[...document.querySelectorAll('#conversation-list label')]"
                           ".some(l => l.innerText.startsWith('Stroke signs'))")
    page.reload()  # the new title is stored
    page.wait_for_selector("#question textarea")
    page.wait_for_function("[...document.querySelectorAll('#conversation-list label')]"
                           ".some(l => l.innerText.startsWith('Stroke signs'))")
    assert page.locator(USER).first.inner_text().strip() == "What are the warning signs of a stroke?"  # still open

    page.locator("#conversation-edit").get_by_text("Rename or delete").click()
    page.locator("#delete-conversation").click()
    page.locator("#delete-no").click()  # kept
    page.locator("#delete-confirm").wait_for(state="hidden")
    assert len(listed(page)) == 2
    page.locator("#delete-conversation").click()
    page.locator("#delete-yes").click()
    rows = wait_listed(page, 1)
    assert rows[0].startswith("Here are my readings")
    page.wait_for_function("document.querySelectorAll('#chat button.example').length > 0")  # an empty chat again
    context.close()


def test_each_signed_in_user_sees_only_their_own_conversations(scripted_server, browser):
    carol, page = sign_in(browser, scripted_server, "carol")
    ask(page, "Carol's question about stroke warning signs")
    wait_answer(page, 1)
    wait_listed(page, 1)
    dave, other = sign_in(browser, scripted_server, "dave")
    time.sleep(1)  # the list fills right after the page loads
    assert listed(other) == [] and other.locator(USER).count() == 0
    assert "Carol" not in other.content()
    ask(other, "Dave's question about stroke warning signs")
    wait_answer(other, 1)
    assert [r.split(" · ")[0] for r in wait_listed(other, 1)] == ["Dave's question about stroke warning signs"]
    page.reload()
    page.wait_for_selector("#question textarea")
    assert [r.split(" · ")[0] for r in wait_listed(page, 1)] == ["Carol's question about stroke warning signs"]
    carol.close()
    dave.close()


def test_the_page_fits_a_phone(scripted_server, browser):
    context, page = sign_in(browser, scripted_server, "erin", viewport=PHONE)
    page.wait_for_function("!document.querySelector('#conversations').classList.contains('open')")  # folded away
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for sel in ("#question textarea", "#chat", "#chat button.example"):
        box = page.locator(sel).first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (sel, box)
    shot(page, "phone-empty.png")
    page.locator("#chat button.example").nth(1).click()
    wait_answer(page, 1)
    assert page.locator("#question textarea").input_value() == ""  # asked directly, not left in the box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "phone-answer.png")
    folded = "!document.querySelector('#conversations').classList.contains('open')"
    page.locator("#conversations .toggle-button").click()  # the list slides in
    page.wait_for_function("document.querySelector('#conversations').getBoundingClientRect().left >= 0")
    page.wait_for_timeout(500)  # the end of the slide
    assert wait_listed(page, 1)[0].startswith(EXAMPLES["patient"][1])
    shot(page, "phone-conversations.png", full_page=False)
    page.locator("#new-conversation").click()  # starting one folds the list away
    page.wait_for_function(folded)
    page.wait_for_function("document.querySelectorAll('[data-testid=\"user\"]').length === 0")
    page.locator("#conversations .toggle-button").click()
    page.locator("#conversation-list label").first.click()  # so does resuming one
    page.wait_for_function(folded)
    page.wait_for_function("document.querySelectorAll('[data-testid=\"user\"]').length === 1")
    context.close()
