"""The web console in a real browser (Debian's chromium, headless, through chromium-driver and
python3-selenium): it loads without console errors, a fault applied in the Faults view shows up
live in a session sent with smtplib, clearing works, a message shows its raw source, hostile
transcript bytes stay text, and the Learn view runs the probe and the typed prompt. One browser and one mock for the module; screenshots of each view go
under the build tree (tests/artifacts/console)."""

import os
import re
import shutil
import smtplib
import struct
import tempfile
import time

import pytest

from mock_process import MockProcess

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROMIUM = "/usr/bin/chromium"
DRIVER = "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def console():
    if not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)):
        pytest.fail("chromium and chromium-driver are needed: run ./ci/setup")
    mock = MockProcess()
    profile = tempfile.mkdtemp(prefix="smtph-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-extensions", "--window-size=1400,900",
                f"--user-data-dir={profile}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # The console is ready when it says "live" (open_view waits for that), not when every
    # resource has loaded; a busy machine must not fail the page load itself.
    options.page_load_strategy = "eager"
    service = Service(executable_path=DRIVER)
    browser = webdriver.Chrome(service=service, options=options)
    browser.set_page_load_timeout(60)
    try:
        yield mock, browser
    finally:
        browser.quit()
        mock.stop()
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(browser, name):
    """Saves the page as NAME.png under the build tree; returns its path."""
    folder = os.path.join(os.environ.get("SMTPH_BINARY_DIR", tempfile.gettempdir()), "tests",
                          "artifacts", "console")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{name}.png")
    browser.save_screenshot(path)
    return path


SOURCE = os.environ.get("SMTPH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
# The README shows the session-with-fault screenshot; refresh it by copying the one this module
# saves under the build tree (tests/artifacts/console/session-with-fault.png) over it.
README_SCREENSHOT = "docs/console-session-with-fault.png"


def png_size(path):
    """(width, height) of a PNG file, from its IHDR chunk (RFC 2083 section 4.1.1)."""
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", path
    return struct.unpack(">II", head[16:24])


def assert_readme_screenshot_matches(fresh):
    """The README shows the screenshot this module takes: the same view at the same size, and
    not a blank page (which compresses to a small fraction of a real one)."""
    readme = open(os.path.join(SOURCE, "README.md"), encoding="utf-8").read()
    assert f"]({README_SCREENSHOT})" in readme, "README.md must show " + README_SCREENSHOT
    committed = os.path.join(SOURCE, README_SCREENSHOT)
    assert png_size(committed) == png_size(fresh), (committed, fresh)
    assert os.path.getsize(committed) > os.path.getsize(fresh) / 3, (committed, fresh)


def wait(browser, condition, timeout=5):
    """What `condition(browser)` returns once it is true; the page re-renders live, so an
    element that went stale is looked up again."""
    return WebDriverWait(browser, timeout, poll_frequency=0.05,
                         ignored_exceptions=(NoSuchElementException, StopIteration,
                                             StaleElementReferenceException)).until(condition)


def click(browser, css, timeout=5):
    wait(browser, lambda b: b.find_element(By.CSS_SELECTOR, css).click() or True, timeout)


def live(browser):
    return browser.find_element(By.ID, "live").text == "live"


def open_view(browser, mock, view):
    browser.get(mock.ready["console"] + f"#{view}")
    wait(browser, live, timeout=20)


def severe_logs(browser):
    return [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]


@pytest.fixture
def fresh(console):
    """The module's mock and browser, the mock as after a fresh start."""
    mock, browser = console
    mock.api_json("POST", "/api/v1/reset", {})
    return mock, browser


def test_the_console_loads_without_errors_and_the_ready_line_names_it(fresh):
    mock, browser = fresh
    assert mock.ready["console"] == f"http://{mock.control}/"
    for view in ("sessions", "faults", "messages", "metrics"):
        open_view(browser, mock, view)
        assert browser.find_element(By.ID, f"view-{view}").is_displayed()
        screenshot(browser, view)
    seed = mock.api_json("GET", "/api/v1/health")["seed"]
    assert browser.find_element(By.ID, "active-seed").text == f"seed {seed}"
    assert severe_logs(browser) == []


def test_a_fault_applied_in_the_faults_view_shows_live_at_rcpt_and_clears(fresh):
    mock, browser = fresh
    open_view(browser, mock, "faults")
    click(browser, '[data-apply="rcpt-550-unknown-user"]')
    wait(browser, lambda b: "rcpt-550-unknown-user" in b.find_element(By.ID, "active-scenario").text)
    assert mock.api_json("GET", "/api/v1/scenario")["name"] == "rcpt-550-unknown-user"
    browser.get(mock.ready["console"] + "#sessions")
    wait(browser, live)
    sent = time.monotonic()
    with smtplib.SMTP(mock.host, mock.port, timeout=5) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("a@example.org", ["nobody@example.org"], "Subject: x\r\n\r\nx\r\n")
    wait(browser, lambda b: b.find_element(By.CSS_SELECTOR, "#session-list li.has-fault"),
         timeout=1.0)
    assert time.monotonic() - sent < 1.5
    click(browser, "#session-list li.has-fault")
    phase, text = wait(browser, lambda b: (lambda r: (r.get_attribute("data-phase"), r.text))(
        b.find_element(By.CSS_SELECTOR, "#transcript tr.fault")))
    assert phase == "rcpt" and "fired at rcpt" in text, (phase, text)
    command = wait(browser, lambda b: next(r for r in b.find_elements(
        By.CSS_SELECTOR, "#transcript tr.dir-C") if "rcpt TO:" in r.text))
    assert command.get_attribute("data-phase") == "rcpt"
    rejected = wait(browser, lambda b: [r.text for r in b.find_elements(
        By.CSS_SELECTOR, "#transcript tr.dir-S") if " 550 " in f" {r.text} "])
    assert "mailbox unavailable" in rejected[0], rejected
    wait(browser, lambda b: "quit" in b.find_element(By.ID, "session-end").text)
    assert_readme_screenshot_matches(screenshot(browser, "session-with-fault"))

    open_view(browser, mock, "faults")
    click(browser, "#clear-scenario")
    wait(browser, lambda b: b.find_element(By.ID, "active-scenario").text == "scenario: healthy")
    assert mock.api_json("GET", "/api/v1/scenario")["name"] in ("", "healthy")
    assert severe_logs(browser) == []


def test_a_message_shows_its_raw_source(fresh):
    mock, browser = fresh
    body = "Subject: console check\r\nX-Check: raw-source\r\n\r\nHello from the test.\r\n"
    with smtplib.SMTP(mock.host, mock.port, timeout=5) as client:
        client.sendmail("a@example.org", ["b@example.org"], body)
    open_view(browser, mock, "messages")
    click(browser, "#message-list li")
    raw = wait(browser, lambda b: b.find_element(By.ID, "message-raw").text)
    assert "X-Check: raw-source" in raw and "Hello from the test." in raw
    assert "X-Check: raw-source" in browser.find_element(By.ID, "message-headers").text
    assert browser.find_element(By.ID, "download-eml").get_attribute("download").endswith(".eml")
    screenshot(browser, "message")


def test_hostile_transcript_bytes_are_shown_inert(fresh):
    mock, browser = fresh
    open_view(browser, mock, "sessions")
    with mock.connect() as s:
        s.recv(1024)
        s.sendall(b"HELO <script>window.pwned=1</script>\x00<img src=x onerror=window.pwned=2>\r\n")
        s.recv(1024)
        s.sendall(b"QUIT\r\n")
        s.recv(1024)
    status = mock.api_json("GET", "/api/v1/stats")
    newest = status["sessions"]["total"]
    click(browser, f'[data-session="{newest}"]')
    row = wait(browser, lambda b: next(r.text for r in b.find_elements(
        By.CSS_SELECTOR, "#transcript tr.dir-C") if "<script>" in r.text))
    assert "<img src=x" in row
    assert browser.execute_script("return window.pwned === undefined")
    assert browser.find_elements(By.CSS_SELECTOR, "#transcript script, #transcript img") == []
    screenshot(browser, "hostile-transcript")


def test_the_learn_view_probes_banner_missing_and_shows_the_timeout_at_banner(fresh):
    mock, browser = fresh
    open_view(browser, mock, "learn")
    Select(browser.find_element(By.ID, "learn-scenario")).select_by_value("banner-missing")
    click(browser, "#learn-run")
    # The scenario's probe waits 2 s for the banner.
    failure = wait(browser, lambda b: b.find_element(By.CSS_SELECTOR, "#learn-runs tr.failure"),
                   timeout=20)
    assert failure.get_attribute("data-phase") == "banner"
    text = failure.text
    # How long it waited is measured: 2 s and what a busy machine adds.
    waited = re.search(r"timeout at banner: no reply within (\d+\.\d{3})s, received nothing", text)
    assert waited and 2.0 <= float(waited.group(1)) < 5.0, text
    assert "nothing (or not enough) came before the deadline" in text, text
    assert "the server speaks first, with 220" in text and "§4.5.3.2.1" in text, text
    observed = browser.find_element(By.CSS_SELECTOR, "#learn-runs .observed").text
    assert observed == "CRITICAL: timeout at banner (as expected)", observed
    expected = browser.find_element(By.CSS_SELECTOR, "#learn-runs .expected").text
    assert expected == "CRITICAL: timeout at banner", expected
    assert mock.api_json("GET", "/api/v1/scenario")["name"] == "banner-missing"
    wait(browser, lambda b: "banner-missing" in b.find_element(By.ID, "active-scenario").text)
    screenshot(browser, "learn")
    assert severe_logs(browser) == []


def test_the_learn_view_sends_typed_lines_to_a_fresh_connection(fresh):
    mock, browser = fresh
    open_view(browser, mock, "learn")
    Select(browser.find_element(By.ID, "learn-scenario")).select_by_value("rcpt-550-unknown-user")
    click(browser, 'input[name="learn-client"][value="talk"]')
    lines = browser.find_element(By.ID, "learn-lines")
    lines.clear()
    lines.send_keys("EHLO learner.example\nMAIL FROM:<me@example.org>\nRCPT TO:<you@example.org>"
                    "\nQUIT")
    click(browser, "#learn-run")
    rejected = wait(browser, lambda b: b.find_element(
        By.CSS_SELECTOR, '#learn-runs tr.dir-S[data-phase="rcpt"]'), timeout=10)
    back = rejected.find_element(By.CSS_SELECTOR, "td.back").text
    meaning = rejected.find_element(By.CSS_SELECTOR, "td.meaning").text
    assert back.startswith("550 5.1.1"), back
    assert "mailbox unavailable" in meaning and "bad destination mailbox address" in meaning
    closing = browser.find_element(By.CSS_SELECTOR, '#learn-runs tr.dir-S[data-phase="quit"]')
    assert closing.find_element(By.CSS_SELECTOR, "td.back").text.startswith("221")
    assert mock.api_json("GET", "/api/v1/stats")["faults_fired"] >= 1
    assert severe_logs(browser) == []
