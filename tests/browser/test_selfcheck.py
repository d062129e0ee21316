"""The patient's self-checks in headless Chromium at a phone's width (390 px), on the scripted LLM:
PHQ-9 filled question by question, the crisis line as soon as item 9 is answered above 0 (before
the total), the total with its band and source, the result kept for the signed-in user only and
deleted from the page, nothing of it in the audit trail, and the forms hidden for clinicians.

Set MEDBOT_TEST_SCREENSHOTS=DIR to keep screenshots (docs/screenshots/selfcheck-*.png are from it).
"""

from __future__ import annotations

import time

import pytest

from browser_pages import PHONE, shot, sign_in

pytestmark = pytest.mark.browser

ANSWER = ("Not at all", "Several days", "More than half the days", "Nearly every day")


def choose(page, key: str, n: int, value: int) -> None:
    page.locator(f"#{key}-q{n}").get_by_label(ANSWER[value], exact=True).check()


def wait_text(locator, needle: str, timeout: float = 20) -> str:
    end = time.time() + timeout
    text = ""
    while time.time() < end:
        text = locator.inner_text() if locator.count() else ""
        if needle in text:
            return text
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} not shown; text: {text!r}")


def open_form(page, key: str) -> None:
    page.locator(f"#selfcheck-{key} button").first.click()
    page.locator(f"#{key}-q1").wait_for(state="visible", timeout=10000)


def test_phq9_at_phone_width_crisis_line_at_once_total_and_deletion(browser, scripted_server):
    context, page = sign_in(browser, scripted_server, "dave", viewport=PHONE)
    try:
        assert page.get_by_text("Check your mood (PHQ-9)").is_visible()
        assert page.get_by_text("Check for anxiety (GAD-7)").is_visible()
        open_form(page, "phq9")
        shot(page, "selfcheck-form-390.png", full_page=False)
        for n, value in enumerate((2, 1, 2, 1, 1, 0, 1, 0), 1):
            choose(page, "phq9", n, value)
        crisis = page.locator("#phq9-crisis")
        assert not crisis.is_visible()
        choose(page, "phq9", 9, 1)  # "Several days": thoughts of being better off dead or of self-harm
        text = wait_text(crisis, "988")  # shown at once, before the total is asked for
        assert "not alone" in text and "911" in text
        assert page.locator("#phq9-result").inner_text().strip() == ""
        crisis.scroll_into_view_if_needed()
        shot(page, "selfcheck-crisis-390.png", full_page=False)
        # the form goes on: the total, its band and source, and the screening note
        page.locator("#phq9-submit").click()
        result = wait_text(page.locator("#phq9-result"), "PHQ-9 total")
        assert "9 of 27" in result and "Mild" in result and "Kroenke" in result
        assert "not a diagnosis" in result and "better off dead" in result
        assert crisis.is_visible() and "988" in crisis.inner_text()  # still shown above the total
        page.locator("#phq9-result").scroll_into_view_if_needed()
        shot(page, "selfcheck-result-390.png", full_page=False)
        # the page fits the phone: nothing wider than the viewport
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # kept for dave, listed, then deleted from the page
        page.locator("#selfcheck-history button").first.click()
        saved = page.locator("#selfcheck-list")
        wait_text(saved, "PHQ-9 · 9 (mild)")
        saved.get_by_text("PHQ-9 · 9 (mild)").click()
        page.locator("#selfcheck-delete").click()
        page.locator("#selfcheck-delete-yes").click()
        end = time.time() + 20
        while "PHQ-9" in saved.inner_text() and time.time() < end:
            time.sleep(0.1)
        assert "PHQ-9" not in saved.inner_text()
        # "Start again" clears the answers, the crisis box and the total
        page.locator("#phq9-again").click()
        crisis.wait_for(state="hidden", timeout=10000)
        assert page.locator("#phq9-result").inner_text().strip() == ""
        assert not page.locator("#phq9-q9").get_by_label(ANSWER[1], exact=True).is_checked()
    finally:
        context.close()


def test_results_are_the_users_own_and_stay_out_of_the_audit_trail(browser, scripted_server):
    from bot.safety.audit import audit_path
    from bot.store import Store

    context, page = sign_in(browser, scripted_server, "erin", viewport=PHONE)
    try:
        open_form(page, "gad7")
        for n, value in enumerate((3, 3, 2, 2, 1, 1, 0), 1):
            choose(page, "gad7", n, value)
        page.locator("#gad7-submit").click()
        result = wait_text(page.locator("#gad7-result"), "GAD-7 total")
        assert "12 of 21" in result and "Moderate" in result and "Spitzer" in result
        assert "988" not in result and not page.locator("#gad7-crisis").is_visible()
    finally:
        context.close()
    store = Store(scripted_server.home)
    try:
        assert [(r["questionnaire"], r["total"]) for r in store.selfchecks("erin")] == [("gad7", 12)]
        assert all(r["questionnaire"] != "gad7" for r in store.selfchecks("carol"))
    finally:
        store.close()
    # carol signs in: her saved list does not hold erin's result
    context, page = sign_in(browser, scripted_server, "carol", viewport=PHONE)
    try:
        page.locator("#selfcheck-history button").first.click()
        page.wait_for_timeout(1500)
        assert "GAD-7" not in page.locator("#selfcheck-list").inner_text()
    finally:
        context.close()
    audit = audit_path(scripted_server.home)
    raw = audit.read_text().lower() if audit.exists() else ""
    for word in ("phq", "gad", "selfcheck", "anxiety", "depressive"):
        assert word not in raw


def test_clinicians_do_not_see_the_self_checks(browser, scripted_server):
    context, page = sign_in(browser, scripted_server, "bob")
    try:
        assert page.locator("#selfcheck").is_visible()
        page.locator("#role").get_by_label("clinician").check()
        page.locator("#selfcheck").wait_for(state="hidden", timeout=10000)
        page.locator("#role").get_by_label("patient").check()
        page.locator("#selfcheck").wait_for(state="visible", timeout=10000)
    finally:
        context.close()
