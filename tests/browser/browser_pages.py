"""Helpers shared by the browser tests: signing in at a viewport, and keeping screenshots."""

from __future__ import annotations

import os
from pathlib import Path

DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


def sign_in(browser, server, user: str, viewport=DESKTOP):
    """A new browser context signed in as `user` (password `pw-<user>`), on the chat page."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(server.url)
    page.locator('input[data-testid="textbox"]').fill(user)
    page.locator('input[data-testid="password"]').fill(f"pw-{user}")
    page.get_by_role("button", name="Login").click()
    page.wait_for_selector("#question textarea", timeout=30000)
    return context, page


def shot(page, name: str, full_page: bool = True) -> None:
    """Keep a screenshot in $MEDBOT_TEST_SCREENSHOTS when it is set."""
    folder = os.environ.get("MEDBOT_TEST_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=full_page)
