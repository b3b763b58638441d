"""The page in a real (headless Debian) Chromium: live updates and status changes."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.app.ticket_helpers import TicketTree, serve_in_thread, wait_until

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

pytestmark = pytest.mark.browser


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    # Fail, not skip: a browser test that silently skips in CI proves nothing.
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.fail("needs Debian's chromium and chromedriver; run: make browser-deps")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page_url(make_app: Callable[..., Flask]) -> Iterator[str]:
    with serve_in_thread(make_app(watch=True)) as url:
        yield url


def row_text(driver, ticket_id: str) -> str:
    """Read in one script call, so a re-render in between cannot leave a stale element."""
    script = "const row = document.querySelector(`#tickets tr[data-id='${arguments[0]}']`);"
    return driver.execute_script(script + " return row ? row.textContent : '';", ticket_id)


def wait_for(driver, condition: Callable[[object], object], timeout: float = 5) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout, poll_frequency=0.05).until(condition)


def open_page(driver, url: str) -> None:
    driver.get(url + "/")
    wait_for(driver, lambda d: "Ticket T-1" in row_text(d, "T-1"))
    wait_for(
        driver,
        lambda d: (
            d.execute_script("return document.querySelector('#live').dataset.state") == "live"
        ),
    )


def test_edit_on_disk_shows_up_without_reload(browser, page_url: str, ticket_tree: TicketTree):
    open_page(browser, page_url)
    browser.execute_script("window.notReloaded = true;")

    ticket_tree.add("T-1.md", "T-1", title="Renamed on disk", priority="high")

    wait_for(browser, lambda d: "Renamed on disk" in row_text(d, "T-1"))
    assert browser.execute_script("return window.notReloaded === true")


def test_status_select_changes_the_file(browser, page_url: str, ticket_tree: TicketTree):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    open_page(browser, page_url)
    select = browser.find_element(By.CSS_SELECTOR, '#tickets tr[data-id="T-1"] select')

    Select(select).select_by_value("review")

    assert wait_until(lambda: b"\nstatus: review\n" in ticket_tree.read("T-1.md"), timeout=5)
    wait_for(browser, lambda d: "T-1 is now review" in d.find_element(By.ID, "message").text)
