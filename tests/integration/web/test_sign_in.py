"""The web sign-in (issue 7): the same service as the JSON API, the session cookie, login CSRF,
the session-fixation defence, and the first sign-in (password change, then TOTP enrolment)."""

from __future__ import annotations

import pytest
from litestar import Litestar

from gateway.auth import totp
from gateway.auth.rules import Role
from gateway.auth.sessions import SECURE_COOKIE
from kernel.clock import FixedClock
from tests.fixtures.auth import make_token, make_user, next_code, signed_in
from tests.integration.web.pages import Client, csrf_of, get_page, post_form, web_sign_in

pytestmark = pytest.mark.db


async def test_the_sign_in_page_is_a_labelled_form_under_the_strict_csp(http: Client) -> None:
    page = await get_page(http, "/sign-in")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "worker-src 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert page.headers["cache-control"] == "no-store"
    for field in ("email", "password", "code"):
        assert f'<label for="{field}">' in page.text
        assert f'id="{field}"' in page.text
    assert '"allowEval":false' in page.text
    assert "<script>" not in page.text  # no inline script anywhere
    assert "__Host-roi_signin=" in page.headers["set-cookie"]


async def test_signing_in_with_password_and_code_opens_the_home_page(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock, role=Role.ADMIN)
    signed = await web_sign_in(http, user.email, user.password, next_code(user, clock))
    assert signed.status_code == 303
    assert signed.headers["location"] == "/"
    assert SECURE_COOKIE in http.cookies
    home = await get_page(http, "/")
    assert home.status_code == 200
    assert "<title>Home · ROI Gateway</title>" in home.text
    assert 'href="/schema/swagger"' in home.text
    assert (await get_page(http, "/schema/swagger")).status_code == 200  # the link works


async def test_a_requester_home_page_offers_only_what_works(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock, role=Role.ATTORNEY)
    await web_sign_in(http, user.email, user.password, next_code(user, clock))
    home = await get_page(http, "/")
    assert home.status_code == 200
    assert "/schema/swagger" not in home.text
    assert 'action="/sign-out"' in home.text


async def test_a_wrong_code_is_refused_with_the_generic_message(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock)
    wrong = "000000" if next_code(user, clock) != "000000" else "111111"
    refused = await web_sign_in(http, user.email, user.password, wrong)
    assert refused.status_code == 401
    assert "The e-mail address, password or code is not right." in refused.text
    assert SECURE_COOKIE not in http.cookies


async def test_an_enrolled_account_cannot_sign_in_without_a_code(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock)  # password already chosen
    refused = await web_sign_in(http, user.email, user.password, "")
    assert refused.status_code == 401


async def test_the_sign_in_form_refuses_a_post_without_its_token(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock)
    await get_page(http, "/sign-in")  # the pre-session cookie is there, the field is not
    fields = {"email": user.email, "password": user.password, "code": next_code(user, clock)}
    refused = await post_form(http, "/sign-in", **fields)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    wrong = await post_form(http, "/sign-in", csrf_token="x" * 64, **fields)
    assert wrong.status_code == 403
    assert SECURE_COOKIE not in http.cookies


async def test_R18_a_planted_session_cookie_is_replaced_at_sign_in(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock)
    http.cookies.set(SECURE_COOKIE, "planted-by-an-attacker", domain="testserver.local")
    signed = await web_sign_in(http, user.email, user.password, next_code(user, clock))
    assert signed.status_code == 303
    issued = signed.cookies[SECURE_COOKIE]
    assert issued
    assert issued != "planted-by-an-attacker"


async def test_R21_sign_out_needs_the_csrf_token_of_the_session(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock)
    await web_sign_in(http, user.email, user.password, next_code(user, clock))
    home = await get_page(http, "/")
    assert (await post_form(http, "/sign-out")).status_code == 403
    assert (await post_form(http, "/sign-out", csrf_token="0" * 64)).status_code == 403
    assert (await get_page(http, "/")).status_code == 200  # still signed in
    out = await post_form(http, "/sign-out", csrf_token=csrf_of(home))
    assert out.status_code == 303
    assert out.headers["location"] == "/sign-in"
    again = await get_page(http, "/")
    assert again.status_code == 303
    assert again.headers["location"] == "/sign-in"


async def test_first_sign_in_changes_the_password_then_enrols_totp(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock, role=Role.PAYER, ready=False)
    signed = await web_sign_in(http, user.email, user.password)  # one-time password, no code
    assert signed.headers["location"] == "/account/password"
    blocked = await get_page(http, "/")
    assert blocked.headers["location"] == "/account/password"
    form = await get_page(http, "/account/password")
    new_password = "three unrelated words here"
    changed = await post_form(
        http,
        "/account/password",
        csrf_token=csrf_of(form),
        current_password=user.password,
        new_password=new_password,
        confirm_password=new_password,
    )
    assert changed.status_code == 303
    assert changed.headers["location"] == "/account/totp"
    assert (await get_page(http, "/")).headers["location"] == "/account/totp"
    enrol = await get_page(http, "/account/totp")
    assert enrol.status_code == 200
    assert 'src="data:image/svg+xml' in enrol.text
    assert "".join(user.secret[i : i + 4] + " " for i in range(0, 32, 4)).strip() in enrol.text
    refused = await post_form(http, "/account/totp", csrf_token=csrf_of(enrol), code="12345x")
    assert refused.status_code == 401
    code = totp.current_code(user.secret, clock.now())
    done = await post_form(http, "/account/totp", csrf_token=csrf_of(refused), code=code)
    assert done.status_code == 303
    assert done.headers["location"] == "/"
    assert (await get_page(http, "/")).status_code == 200
    assert (await get_page(http, "/account/totp")).headers["location"] == "/"  # never shown again


async def test_an_integration_token_never_sees_a_second_factor_secret(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    admin = await make_user(auth_app, clock, role=Role.ADMIN)  # not enrolled: never signed in
    token = await make_token(auth_app, clock, admin, Role.ADMIN)
    response = await http.get("/account/totp", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert admin.secret not in response.text


async def test_a_session_without_an_enrolled_authenticator_reaches_only_self_service(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    admin = await make_user(auth_app, clock, role=Role.ADMIN, ready=False)
    await web_sign_in(http, admin.email, admin.password)
    form = await get_page(http, "/account/password")
    new_password = "three unrelated words here"
    await post_form(
        http,
        "/account/password",
        csrf_token=csrf_of(form),
        current_password=admin.password,
        new_password=new_password,
        confirm_password=new_password,
    )
    refused = await http.get("/api/v1/tokens")
    assert refused.status_code == 403
    assert refused.json()["code"] == "MFA_ENROLMENT_REQUIRED"
    assert (await http.get("/api/v1/auth/session")).status_code == 200


async def test_R17_repeated_failures_show_the_throttle_message_on_the_form(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    user = await make_user(auth_app, clock)
    for _ in range(10):
        refused = await web_sign_in(http, user.email, "not the password", "000000")
        assert refused.status_code == 401
    throttled = await web_sign_in(http, user.email, user.password, next_code(user, clock))
    assert throttled.status_code == 429
    assert "Too many attempts. Wait" in throttled.text
    assert SECURE_COOKIE not in http.cookies


async def test_an_oversized_field_is_a_400_page_that_echoes_nothing(http: Client) -> None:
    form = await get_page(http, "/sign-in")
    huge = "canary-" + "x" * 400
    refused = await post_form(http, "/sign-in", csrf_token=csrf_of(form), email=huge)
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("text/html")
    assert "canary-" not in refused.text


async def test_a_rotated_secret_is_confirmed_on_the_enrolment_page(
    http: Client, auth_app: Litestar, clock: FixedClock
) -> None:
    admin = await make_user(auth_app, clock, role=Role.ADMIN)
    csrf = await signed_in(http, admin, clock)
    rotated = await http.post(
        "/api/v1/auth/totp",
        json={"password": admin.password, "code": next_code(admin, clock)},
        headers={"X-CSRF-Token": csrf},
    )
    assert rotated.status_code == 200
    new_secret = rotated.json()["provisioning_uri"].split("secret=")[1].split("&")[0]
    limited = await http.get("/api/v1/tokens")
    assert limited.json()["code"] == "MFA_ENROLMENT_REQUIRED"
    page = await get_page(http, "/account/totp")
    assert page.status_code == 200
    code = totp.current_code(new_secret, clock.now())
    done = await post_form(http, "/account/totp", csrf_token=csrf_of(page), code=code)
    assert done.headers["location"] == "/"
    assert (await http.get("/api/v1/tokens")).status_code == 200
