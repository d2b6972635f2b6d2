"""Browsers get HTML error pages; API clients keep problem+json; the vendored assets are served
by the gateway itself with JavaScript types."""

from __future__ import annotations

import pytest
from litestar import Litestar

from tests.integration.web.pages import HTML, Client, get_page

pytestmark = pytest.mark.db


async def test_an_unknown_page_is_an_html_404_for_a_browser(http: Client) -> None:
    page = await get_page(http, "/no-such-page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "<title>Page not found · ROI Gateway</title>" in page.text
    assert "no-such-page" not in page.text  # the path is not echoed


async def test_api_errors_stay_problem_json_even_for_a_browser(http: Client) -> None:
    response = await http.get("/api/v1/tokens", headers=HTML)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_page_without_a_session_sends_the_browser_to_sign_in(http: Client) -> None:
    page = await get_page(http, "/")
    assert page.status_code == 303
    assert page.headers["location"] == "/sign-in"
    assert (await http.get("/")).status_code == 401  # a non-browser client: problem+json


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/static/vendor/htmx/htmx.min.js", "text/javascript"),
        ("/static/vendor/pdfjs/pdf.min.mjs", "text/javascript"),
        ("/static/vendor/pdfjs/pdf.worker.min.mjs", "text/javascript"),
        ("/static/web/site.css", "text/css"),
    ],
)
async def test_vendored_assets_are_served_by_the_gateway(
    http: Client, auth_app: Litestar, path: str, media_type: str
) -> None:
    response = await http.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert response.headers["x-content-type-options"] == "nosniff"
