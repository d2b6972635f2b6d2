"""The Jinja environment of the pages: autoescaping on, undefined names an error."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template import TemplateConfig

TEMPLATES = Path(__file__).resolve().parent / "templates"
# ES modules (pdf.js) must be served as JavaScript: browsers refuse a module of another type.
mimetypes.add_type("text/javascript", ".mjs")


def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


ENVIRONMENT = environment()


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(ENVIRONMENT))


def render(name: str, **context: Any) -> str:
    """A page as a string, for responses built outside a route handler (error pages)."""
    return ENVIRONMENT.get_template(name).render(**context)
