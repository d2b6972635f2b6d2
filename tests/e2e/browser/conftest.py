"""Browser tests: Debian's chromium driven by pytest-playwright (never a downloaded browser),
against one live gateway subprocess per module. Without chromium they fail under CI=true and
skip elsewhere (`make debs` installs it)."""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pyotp
import pytest
from click.testing import CliRunner
from playwright.sync_api import ConsoleMessage, Page, expect

from gateway.cli import main
from gateway.settings import Settings
from tests.conftest import in_ci
from tests.fixtures.app import LiveGateway, settings_env, start_gateway
from tests.fixtures.db import migrated_settings

T = TypeVar("T")
SESSION_COOKIE = "__Host-roi_session"
NEW_PASSWORD = "correct horse battery staple"

# The sign-in pages use neither durable workflows nor the PDF workers: the gateway starts
# without them (less to start on CI's two cores); the release pages will need them.
LIGHT_GATEWAY = {"ROI_WORKFLOW__ENABLED": "false", "ROI_PDF__EAGER_START": "false"}
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        if in_ci():
            pytest.fail(f"{CHROMIUM} is missing: `make debs` installs chromium")
        pytest.skip(f"{CHROMIUM} is missing: run `make debs`")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def base_url() -> None:
    """Replaces pytest-playwright's fallback fixture (a plugin-class method that pytest 9
    deprecates, an error under our warnings policy); tests use absolute URLs."""
    return


@dataclass
class Site:
    gateway: LiveGateway
    settings: Settings

    @property
    def url(self) -> str:
        return self.gateway.url

    def add_user(self, role: str = "specialist", organisation: str | None = None) -> Account:
        """A user as an administrator invites one: ``roi users add`` (one-time password)."""
        email = f"{role}-{uuid.uuid4().hex[:8]}@example.test"
        args = ["users", "add", "--email", email, "--role", role]
        if organisation:
            args += ["--organisation", organisation]
        result = off_loop(CliRunner().invoke, main, args, env=settings_env(self.settings))
        assert result.exit_code == 0, result.output
        password = re.search(r"one-time password: (\S+)", result.output)
        assert password is not None
        return Account(email=email, password=password.group(1))


@dataclass
class Account:
    email: str
    password: str


def off_loop(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``function`` in a thread of its own: Playwright's sync API keeps an event loop
    running in this one, and the migrations and the CLI start loops of their own."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("web")
    database = migrated_settings(root / "data")
    settings = off_loop(database.__enter__)
    gateway = start_gateway(settings, root / "gateway.log", env=LIGHT_GATEWAY)
    try:
        yield Site(gateway, settings)
    finally:
        gateway.process.terminate()
        try:
            gateway.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            gateway.process.kill()
            gateway.process.wait()
        off_loop(database.__exit__, None, None, None)


@pytest.fixture
def console(page: Page) -> list[str]:
    """Every console error and page error of the test; a CSP violation shows up here."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def sign_in(page: Page, site: Site, account: Account, code: str = "") -> None:
    page.goto(f"{site.url}/sign-in")
    page.get_by_label("E-mail address").fill(account.email)
    page.get_by_label("Password", exact=True).fill(account.password)
    if code:
        page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Sign in").click()


def first_sign_in(page: Page, site: Site, account: Account) -> str:
    """One-time password, then a new password, then the authenticator; returns its secret."""
    sign_in(page, site, account)
    expect(page).to_have_url(f"{site.url}/account/password")
    page.get_by_label("Current password").fill(account.password)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the password").click()
    expect(page).to_have_url(f"{site.url}/account/totp")
    expect(page.get_by_role("img", name="QR code of your authenticator key")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(f"{site.url}/")
    account.password = NEW_PASSWORD
    return secret


def session_cookie(page: Page) -> str | None:
    values = [c["value"] for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
    return values[0] if values else None
