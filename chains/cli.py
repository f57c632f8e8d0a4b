"""`jdwriter`: draft one posting, grade an existing one, or draft many."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
import yaml

from chains.models import Report, RoleSpec, RoleSpecError, parse_role
from chains.quality.summary import summary
from chains.render import FORMATS
from chains.resources import AssetError, parse_yaml
from chains.validate import SEVERITY_RANK

EXIT_VALID, EXIT_ERRORS, EXIT_USAGE, EXIT_UNAVAILABLE = 0, 1, 2, 3


def fail(message: str) -> NoReturn:
    """Bad input or usage: one readable line on stderr, exit 2."""
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def read_data_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"{path}: cannot be read ({exc.strerror or exc})")
    except UnicodeDecodeError:
        fail(f"{path}: is not UTF-8 text")
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return parse_yaml(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = getattr(exc, "lineno", None) or (mark.line + 1 if mark else None)
        fail(f"{path}: is not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}" + (f" (line {line})" if line else ""))


def load_role_file(path: Path) -> RoleSpec:
    """A role from YAML or JSON; every problem as its own line naming the field and value."""
    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        fail(f"{path}: a role file must be .yaml, .yml or .json")
    try:
        return parse_role(read_data_file(path))
    except RoleSpecError as exc:
        for _, message in exc.problems:
            click.echo(f"error: {path}: {message}", err=True)
        sys.exit(EXIT_USAGE)


def echo_report(report: Report, *, verbose: bool = True) -> None:
    """The validation summary people read on stderr."""
    status = "valid" if report.valid else "NOT VALID"
    counts = {s: sum(1 for i in report.issues if i.severity == s) for s in SEVERITY_RANK}
    click.echo(
        f"{status} · score {report.score}/100 · {counts['error']} error(s), "
        f"{counts['warning']} warning(s), {counts['info']} note(s)",
        err=True,
    )
    if not verbose:
        return
    for category, part in report.breakdown.items():
        lost = f"  (-{part['lost']:g})" if part["lost"] else ""
        click.echo(f"  {category:<12} {part['score']:g}/{part['weight']:g}{lost}", err=True)
    for line in summary(report.details):
        click.echo(f"  {line}", err=True)
    for issue in sorted(report.issues, key=lambda i: SEVERITY_RANK[i.severity]):
        where = f" [{issue.section}]" if issue.section else ""
        points = f" (-{issue.points:g})" if issue.points else ""
        click.echo(f"  {issue.severity:<7} {issue.code}{where}: {issue.message}{points}", err=True)
        if issue.suggestion:
            click.echo(f"          → {issue.suggestion}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="jdwriter")
def main() -> None:
    """Write complete, validated job postings with the exact salary range.

    Offline by default (the template engine); point it at OpenAI or any
    OpenAI-compatible server with --engine openai.
    """


def template_option(func: Any) -> Any:
    return click.option(
        "--template",
        "-t",
        "template_name",
        default="standard",
        show_default=True,
        help="Template name (see `jdwriter templates`) or a path to a template YAML file.",
    )(func)


def engine_options(func: Any) -> Any:
    """--engine and the model options, shared by every command that drafts."""
    options = [
        click.option("--engine", "-e", type=click.Choice(["template", "openai"]), default="template", show_default=True,
                     help="template: offline and instant. openai: OpenAI or any OpenAI-compatible server."),
        click.option("--model", "-m", help="Model name (default: JDW_MODEL, else gpt-4o-mini)."),
        click.option("--base-url", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1 for Ollama "
                                        "(default: OPENAI_BASE_URL, else OpenAI)."),
        click.option("--structured-output", type=click.Choice(["json_schema", "function_calling", "json_mode"]),
                     help="How the model returns the draft (default: JDW_STRUCTURED_OUTPUT, else json_schema; "
                          "function_calling for llama.cpp's server)."),
        click.option("--no-fallback", is_flag=True,
                     help="Fail (exit 3) instead of using the template engine when the model stays unavailable."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def engine_settings(engine: str, model: str | None, base_url: str | None, structured_output: str | None,
                    no_fallback: bool) -> Any:
    """Settings for --engine openai from the environment and the options; None for the template engine."""
    if engine == "template":
        return None
    from chains.settings import SettingsError, load_settings

    try:
        return load_settings(model=model, base_url=base_url, structured_output=structured_output,
                             fallback=False if no_fallback else None)
    except SettingsError as exc:
        fail(str(exc))


def echo_usage(posting: Any, verbose: bool) -> None:
    """What the model did for this posting: calls, tokens, time, cost, and what was re-asked or replaced."""
    meta = posting.meta
    if meta.model is None:
        return
    usage = meta.usage
    cost = f"${usage.cost_usd:.4f}" if usage.cost_usd is not None else "cost not in the price table"
    click.echo(
        f"model {meta.model}: {usage.calls} call(s), {usage.prompt_tokens:,} prompt + {usage.completion_tokens:,} "
        f"completion tokens, {usage.latency_s:.2f} s, {cost}",
        err=True,
    )
    if verbose:
        for note in meta.notes:
            click.echo(f"  {note}", err=True)


@main.command()
@click.argument("role_file", metavar="ROLE.yaml|ROLE.json", type=click.Path(path_type=Path, dir_okay=False))
@template_option
@engine_options
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="md",
    show_default=True,
    help="Output format.",
)
@click.option("--out", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write here instead of stdout.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary line, not every issue.")
def draft(role_file: Path, template_name: str, engine: str, model: str | None, base_url: str | None,
          structured_output: str | None, no_fallback: bool, fmt: str, out: Path | None, quiet: bool) -> None:
    """Draft one posting from a role file.

    The posting goes to stdout (or --out); the validation summary, and with --engine openai
    the model's calls, tokens, time and cost, go to stderr. The key comes from
    OPENAI_API_KEY. Exit status: 0 valid, 1 drafted with errors, 2 bad input or usage,
    3 model unavailable with --no-fallback.

    \b
    Role fields: title, company (required), salary_min, salary_max (required),
    level, company_description, team, location, workplace, remote_regions,
    employment_type, currency, pay_period, must_have_skills, nice_to_have_skills,
    responsibilities, years_experience, education, benefits, how_to_apply,
    application_deadline, tone, id.
    """
    from chains.engines import draft as run_draft
    from chains.llm import LlmUnavailable
    from chains.render import render_bytes
    from chains.settings import SettingsError

    role = load_role_file(role_file)
    if fmt == "docx" and out is None:
        fail("--format docx is binary: give --out FILE.docx")
    settings = engine_settings(engine, model, base_url, structured_output, no_fallback)
    try:
        result = run_draft(role, template_name, engine, settings)
    except (AssetError, SettingsError) as exc:
        fail(str(exc))
    except LlmUnavailable as exc:
        click.echo(f"error: model unavailable: {exc}", err=True)
        sys.exit(EXIT_UNAVAILABLE)
    data = render_bytes(result.posting, fmt)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        click.echo(f"wrote {out}", err=True)
    else:
        click.echo(data.decode("utf-8"), nl=not data.endswith(b"\n"))
    echo_report(result.report, verbose=not quiet)
    echo_usage(result.posting, verbose=not quiet)
    sys.exit(EXIT_VALID if result.report.valid else EXIT_ERRORS)


@main.command()
@click.argument("posting_file", metavar="POSTING.md", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--role", "role_file", type=click.Path(path_type=Path, dir_okay=False), help="The role it was written for: enables salary and skill checks.")
@template_option
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Report format; json is for tooling.")
def check(posting_file: Path, role_file: Path | None, template_name: str, fmt: str) -> None:
    """Grade a Markdown posting written anywhere.

    Reports every issue with its stable code and the score. Exit status: 0 no
    error, 1 any error, 2 bad input or usage.
    """
    from chains.engines import resolve_template
    from chains.parse import parse_markdown
    from chains.validate import validate

    role = load_role_file(role_file) if role_file else None
    try:
        text = posting_file.read_text(encoding="utf-8")
        template = resolve_template(template_name)
    except OSError as exc:
        fail(f"{posting_file}: cannot be read ({exc.strerror or exc})")
    except UnicodeDecodeError:
        fail(f"{posting_file}: is not UTF-8 text")
    except AssetError as exc:
        fail(str(exc))
    posting = parse_markdown(text, template, role)
    report = validate(posting, template, role)
    if fmt == "json":
        click.echo(report.model_dump_json(indent=2))
        echo_report(report, verbose=False)
    else:
        echo_report(report)
    sys.exit(EXIT_VALID if report.valid else EXIT_ERRORS)


@main.command()
def templates() -> None:
    """List the templates and their sections."""
    from chains.template import get_template, template_names

    for name in template_names():
        try:
            tpl = get_template(name)
        except AssetError as exc:
            click.echo(f"{name}: {exc}", err=True)
            continue
        sections = ", ".join(s.heading + ("" if s.required else " (optional)") for s in tpl.sections)
        click.echo(f"{tpl.key:<12} {tpl.name}: {sections}")


@main.command()
@click.argument("title", required=False)
def roles(title: str | None) -> None:
    """List the role library's families, or show which family a TITLE matches."""
    from chains.library import get_library

    library = get_library()
    if title:
        family = library.match(title)
        click.echo(f"{title!r} -> {family.key} ({family.name})")
        return
    for family in sorted(library.families.values(), key=lambda f: f.key):
        click.echo(f"{family.key:<24} {family.name}")


import chains.batch_cli  # noqa: E402,F401  (registers `jdwriter batch` on main)

if __name__ == "__main__":
    main()
