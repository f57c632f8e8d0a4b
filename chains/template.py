"""Loading templates: built-in ones from prompts/templates, a company's own from
JDW_TEMPLATES_DIR or a path, each checked against the Template schema."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from chains.models import RoleSpec, Section, Template
from chains.resources import AssetError, extra_template_dirs, load_asset, prompts_dir

DEFAULT_TEMPLATE = "standard"


class TemplateError(AssetError):
    """A template that is missing or malformed."""


def load_template_file(path: Path) -> Template:
    return load_asset(path, Template, "template")


def _template_files() -> dict[str, Path]:
    files: dict[str, Path] = {}
    for folder in (prompts_dir() / "templates", *extra_template_dirs()):
        if folder.is_dir():
            for path in sorted(folder.glob("*.y*ml")):
                files[path.stem] = path
    return files


def template_names() -> list[str]:
    return sorted(_template_files())


@lru_cache(maxsize=64)
def _cached(path: Path, mtime: float) -> Template:
    return load_template_file(path)


def get_template(name: str | Path = DEFAULT_TEMPLATE) -> Template:
    """A template by name (built-in or JDW_TEMPLATES_DIR) or by YAML file path."""
    text = str(name)
    path = Path(text)
    if not (text.endswith((".yaml", ".yml")) and path.is_file()):
        files = _template_files()
        if text not in files:
            raise TemplateError(f"template {text!r} not found; available: {', '.join(sorted(files))}")
        path = files[text]
    return _cached(path.resolve(), path.stat().st_mtime)


def section_heading(section: Section, role: RoleSpec | None) -> str:
    """The heading as shown, with {title} and {company} filled from the role."""
    if role is None:
        return section.heading
    return section.heading.replace("{title}", role.title).replace("{company}", role.company)


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9{}]+", " ", text.lower()).strip()


def heading_matches(section: Section, heading: str) -> bool:
    """Whether a heading found in a posting names this section (any title or company)."""
    wanted = _norm(heading)
    for candidate in (section.heading, *section.aliases):
        pattern = re.escape(_norm(candidate)).replace(r"\{title\}", ".+").replace(r"\{company\}", ".+")
        pattern = pattern.replace(r"\ ", " ")
        if re.fullmatch(pattern, wanted):
            return True
    return False
