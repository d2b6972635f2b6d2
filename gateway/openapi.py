"""OpenAPI at ``/schema``: the JSON document and a Swagger UI page served from vendored files
(never a CDN), started by a static script so the strict CSP holds."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

STATIC = "/static"
SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ROI Gateway API</title>
<link rel="icon" href="{static}/vendor/swagger-ui/favicon-32x32.png">
<link rel="stylesheet" href="{static}/vendor/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{static}/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="{static}/swagger-init.js"></script></body></html>
"""


class VendoredSwagger(OpenAPIRenderPlugin):
    def __init__(self) -> None:
        super().__init__(path="/swagger")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return SWAGGER_PAGE.format(static=STATIC).encode()


def openapi_config(version: str) -> OpenAPIConfig:
    return OpenAPIConfig(
        title="ROI Gateway API",
        version=version,
        path="/schema",
        render_plugins=[VendoredSwagger()],
        openapi_router=Router(path="/schema", route_handlers=[], opt={"rule": "public"}),
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(
                    type="http", scheme="bearer", description="Integration token (roi_...)"
                )
            }
        ),
        security=[{"bearer": []}],
    )
