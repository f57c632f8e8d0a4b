"""Where the text assets live, in a checkout and in an installed wheel alike."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Asset = TypeVar("Asset", bound=BaseModel)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class AssetError(ValueError):
    """A prompt, template or library file that cannot be used, named with its problem."""


@lru_cache(maxsize=1)
def prompts_dir() -> Path:
    """The prompts/ folder: beside the package in a checkout, inside it when installed."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "prompts", here / "prompts"):
        if (candidate / "templates").is_dir():
            return candidate
    raise AssetError(f"prompts folder not found next to {here}; reinstall jdwriter")


def extra_template_dirs() -> list[Path]:
    """Company template folders named by JDW_TEMPLATES_DIR (os.pathsep-separated)."""
    raw = os.environ.get("JDW_TEMPLATES_DIR", "")
    return [Path(p).expanduser() for p in raw.split(os.pathsep) if p.strip()]


def parse_yaml(text: str) -> Any:
    """YAML text to data with the C loader when PyYAML has it (same results, much faster).
    A file it refuses is parsed again by the pure-Python loader, whose error marks the line
    where the problem starts rather than where the parser gave up."""
    try:
        return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError:
        return yaml.load(text, Loader=yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AssetError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        return parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise AssetError(f"{path}: not valid YAML{where}: {problem}") from None


def load_asset(path: Path, schema: type[Asset], what: str = "file") -> Asset:
    """A YAML file validated against its schema; AssetError naming the file and every problem."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise AssetError(f"{path}: a {what} must be a mapping of fields")
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or what}: {err['msg']}" for err in exc.errors(include_url=False)
        )
        raise AssetError(f"{path}: {problems}") from None


def read_text(name: str) -> str:
    """A text asset under prompts/, e.g. read_text('draft.txt')."""
    path = prompts_dir() / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        raise AssetError(f"{path}: prompt file is missing") from None
