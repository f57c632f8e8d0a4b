"""Renderers: one JobPosting out as Markdown, HTML, plain text, JSON, schema.org JSON-LD or DOCX.

Every string that came from inputs or a model is treated as hostile: HTML escapes it, Markdown
neutralises raw HTML and block syntax, JSON-LD can sit inside a <script> tag. Renderers work
from `posting.role` when there is one and degrade to what the posting alone says when there is
not (a posting parsed back from Markdown).
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal, cast

from babel import Locale
from docx import Document
from pydantic import BaseModel, ConfigDict

from chains.models import EmploymentType, JobPosting, PayPeriod, PostingSection, RoleSpec, Workplace
from chains.money import role_salary
from chains.resources import load_asset, prompts_dir, read_text

Format = Literal["md", "html", "txt", "json", "jsonld", "docx"]
FORMATS: tuple[Format, ...] = ("md", "html", "txt", "json", "jsonld", "docx")

FILE_TYPES: Mapping[str, tuple[str, str]] = {
    "md": (".md", "text/markdown"),
    "html": (".html", "text/html"),
    "txt": (".txt", "text/plain"),
    "json": (".json", "application/json"),
    "jsonld": (".jsonld", "application/ld+json"),
    "docx": (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}
"""Format -> (file extension, MIME type), for downloads and batch archives."""

EMPLOYMENT_TYPES: Mapping[EmploymentType, str] = {
    "full_time": "FULL_TIME",
    "part_time": "PART_TIME",
    "contract": "CONTRACTOR",
    "temporary": "TEMPORARY",
    "internship": "INTERN",
}
UNIT_TEXT: Mapping[PayPeriod, str] = {"hour": "HOUR", "day": "DAY", "week": "WEEK", "month": "MONTH", "year": "YEAR"}
WORKPLACE_LABELS: Mapping[Workplace, str] = {"onsite": "On-site", "hybrid": "Hybrid", "remote": "Remote"}
EMPLOYMENT_LABELS: Mapping[EmploymentType, str] = {
    "full_time": "Full-time",
    "part_time": "Part-time",
    "contract": "Contract",
    "temporary": "Temporary",
    "internship": "Internship",
}
FACT_SEPARATOR = " · "

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
_MD_BLOCK_START = re.compile(r"^(?:#{1,6}(?:\s|$)|[-+*](?:\s|$)|([-*_])(?:\s*\1){2,}\s*$|`{3}|~{3})")
_MD_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_MD_CLOSING_HASHES = re.compile(r"(\s)(#+)$")


class FormatError(ValueError):
    """A format name no renderer knows."""


def check_format(fmt: str) -> Format:
    """The format name, or a FormatError naming it and the allowed ones."""
    if fmt not in FORMATS:
        raise FormatError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    return cast(Format, fmt)


def render(posting: JobPosting, fmt: str) -> str:
    """A text format (md, html, txt, json, jsonld); DOCX is bytes: use render_bytes."""
    name = check_format(fmt)
    if name == "docx":
        raise FormatError("format 'docx' is binary; use render_bytes(posting, 'docx') or render_docx(posting)")
    return _TEXT_RENDERERS[name](posting)


def render_bytes(posting: JobPosting, fmt: str) -> bytes:
    """Any format as the bytes of a file (UTF-8 for the text ones), for downloads and batch."""
    if check_format(fmt) == "docx":
        return render_docx(posting)
    return render(posting, fmt).encode("utf-8")


def file_name(posting: JobPosting, fmt: str) -> str:
    """A download name after the role: `senior-backend-engineer-hopper.md`."""
    extension, _ = FILE_TYPES[check_format(fmt)]
    stem = "-".join(part for part in (_slug(posting.title), _slug(posting.company)) if part) or "job-posting"
    return f"{stem}{extension}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")


def _clean(text: str) -> str:
    """One line of text: whitespace runs collapsed, characters XML cannot hold dropped.

    Line breaks inside a paragraph or bullet are folded so that no input can open a new
    Markdown block (a heading, a list) or break a job board's layout. Every character XML
    cannot hold is unprintable, so printable text skips the regex."""
    if not text.isprintable():
        text = _NOT_XML.sub("", text)
    return " ".join(text.split())


def _lines(items: list[str]) -> list[str]:
    return [line for line in (_clean(item) for item in items) if line]


# Markdown


def _md_inline(text: str) -> str:
    """Raw HTML made inert for Markdown viewers: `<` and `>` as entities, and `&` only where
    it would otherwise start an entity, so `R&D` stays readable and html.unescape undoes it."""

    def amp(match: re.Match[str]) -> str:
        ref = match.group(0)
        return "&amp;" + ref[1:] if html.unescape(ref) != ref else ref

    return _CHARREF.sub(amp, text).replace("<", "&lt;").replace(">", "&gt;")


def _md_block(text: str) -> str:
    """Text that starts a block (paragraph, bullet) with its first character escaped when
    it would otherwise make a heading, list, rule or code fence."""
    text = _md_inline(_clean(text))
    if _MD_BLOCK_START.match(text):
        return "\\" + text
    return _MD_ORDERED.sub(_escape_second, text, count=1)


def _md_heading(text: str) -> str:
    text = _md_block(text)
    return _MD_CLOSING_HASHES.sub(_escape_second, text)


def _escape_second(match: re.Match[str]) -> str:
    """A backslash between the two groups: a function, which re calls only on a match, costs
    less than a template string, which re looks up on every call."""
    return f"{match[1]}\\{match[2]}"


def unescape_markdown(text: str) -> str:
    """The original text of a paragraph, bullet or heading written by render_markdown: the
    inverse of its escaping, for reading a posting back."""
    text = re.sub(r"^\\([#+*\-_`~])", r"\1", text)
    text = re.sub(r"^(\d{1,9})\\([.)])", r"\1\2", text)
    text = re.sub(r"(\s)\\(#+)$", r"\1\2", text)
    return html.unescape(text)


def render_markdown(posting: JobPosting) -> str:
    """`# Title`, then `## Heading` per section in template order, paragraphs, `- ` bullets."""
    blocks = [f"# {_md_heading(posting.title)}"]
    for section in posting.sections:
        blocks.append(f"## {_md_heading(section.heading)}")
        blocks.extend(_md_block(p) for p in _lines(section.paragraphs))
        bullets = _lines(section.bullets)
        if bullets:
            blocks.append("\n".join(f"- {_md_block(b)}" for b in bullets))
    return "\n\n".join(blocks) + "\n"


# HTML


def _e(text: str) -> str:
    return html.escape(_clean(text), quote=False)


def facts(posting: JobPosting) -> list[str]:
    """The line under the title: company, where, how and until when."""
    role = posting.role
    items = [posting.company]
    if role is None:
        return _lines(items)
    if role.workplace == "remote":
        regions = f" ({', '.join(role.remote_regions)})" if role.remote_regions else ""
        items.append(f"{WORKPLACE_LABELS['remote']}{regions}")
    else:
        items.append(role.location)
        if role.workplace == "hybrid":
            items.append(WORKPLACE_LABELS["hybrid"])
    items.append(EMPLOYMENT_LABELS[role.employment_type])
    if role.application_deadline:
        deadline = role.application_deadline
        items.append(f"Apply by {deadline:%B} {deadline.day}, {deadline.year}")
    return _lines(items)


def _section_ids(sections: list[PostingSection]) -> list[str]:
    ids: list[str] = []
    for index, section in enumerate(sections, start=1):
        base = f"jdw-{_slug(section.key) or index}"
        ids.append(base if base not in ids else f"{base}-{index}")
    return ids


def _sections_html(posting: JobPosting) -> str:
    parts: list[str] = []
    for section, anchor in zip(posting.sections, _section_ids(posting.sections), strict=True):
        body = [f'<section aria-labelledby="{anchor}">', f'<h2 id="{anchor}">{_e(section.heading)}</h2>']
        body.extend(f"<p>{_e(p)}</p>" for p in _lines(section.paragraphs))
        bullets = _lines(section.bullets)
        if bullets:
            body.append("<ul>")
            body.extend(f"<li>{_e(b)}</li>" for b in bullets)
            body.append("</ul>")
        body.append("</section>")
        parts.append("\n".join(body))
    return "\n".join(parts)


def render_html_fragment(posting: JobPosting) -> str:
    """The posting as an <article> (title, facts line, sections) to embed in a page."""
    return _article(posting, _sections_html(posting))


def _article(posting: JobPosting, sections: str) -> str:
    header = [f"<h1>{_e(posting.title)}</h1>"]
    line = facts(posting)
    if line:
        header.append(f'<p class="jdw-facts">{html.escape(FACT_SEPARATOR.join(line))}</p>')
    return "\n".join(['<article class="jdw-posting">', "<header>", *header, "</header>", sections, "</article>"])


def render_html(posting: JobPosting) -> str:
    """A standalone HTML5 page, ready to publish: styled, readable on a phone, and carrying
    the JSON-LD that job search engines read (its description is the article's sections)."""
    title = FACT_SEPARATOR.join(_lines([posting.title, posting.company]))
    sections = _sections_html(posting)
    return (
        "\n".join(
            [
                "<!DOCTYPE html>",
                '<html lang="en">',
                "<head>",
                '<meta charset="utf-8">',
                '<meta name="viewport" content="width=device-width, initial-scale=1">',
                f"<title>{html.escape(title)}</title>",
                f"<style>\n{_stylesheet().strip()}\n</style>",
                _script(_jsonld(posting, sections)),
                "</head>",
                "<body>",
                "<main>",
                _article(posting, sections),
                "</main>",
                "</body>",
                "</html>",
            ]
        )
        + "\n"
    )


@lru_cache(maxsize=1)
def _stylesheet() -> str:
    return read_text("render/posting.css")


# Plain text


def render_text(posting: JobPosting) -> str:
    """Plain text for pasting into a job board's text box.

    Paragraphs are not hard-wrapped: a job board's box reflows text to its own width, and
    line breaks at 72 columns would show there as ragged short lines. Headings are underlined
    (`=` for the title, `-` for sections) and bullets start with "• ", which survive boxes
    that strip Markdown."""
    title = _clean(posting.title)
    blocks = [f"{title}\n{'=' * len(title)}"]
    line = facts(posting)
    if line:
        blocks.append(FACT_SEPARATOR.join(line))
    for section in posting.sections:
        heading = _clean(section.heading)
        blocks.append(f"{heading}\n{'-' * len(heading)}")
        blocks.extend(_lines(section.paragraphs))
        bullets = _lines(section.bullets)
        if bullets:
            blocks.append("\n".join(f"• {b}" for b in bullets))
    return "\n\n".join(blocks) + "\n"


# JSON


def render_json(posting: JobPosting) -> str:
    """The JobPosting itself, reloadable with JobPosting.model_validate_json.

    Money amounts are JSON strings ("142603", "42.50"), pydantic's form for Decimal: exact,
    never a float approximation. JSON-LD, which search engines read, has them as numbers."""
    return posting.model_dump_json(indent=2) + "\n"


# JSON-LD


_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})


class PlacesFile(BaseModel):
    """prompts/render/places.yaml: the spellings and regions Babel's country names lack."""

    model_config = ConfigDict(extra="forbid", strict=True)

    country_aliases: dict[str, str]
    regions: dict[str, list[str]]
    anywhere: list[str]


class _Places:
    """Country and region names for reading a free-text location into a PostalAddress."""

    def __init__(self, data: PlacesFile):
        territories = {str(code): str(name) for code, name in Locale.parse("en").territories.items()}
        self.codes = {code for code in territories if len(code) == 2 and code.isalpha()} - _NOT_COUNTRIES
        self.countries = {_key(territories[code]): code for code in self.codes}
        self.countries.update({_key(name): code for name, code in data.country_aliases.items()})
        self.regions: dict[str, str] = {}
        for country, names in data.regions.items():
            for name in names:
                self.regions.setdefault(name if _is_code(name) else _key(name), country)
        self.anywhere = {_key(name) for name in data.anywhere}

    def country(self, text: str) -> str | None:
        """The ISO code of a country name, alias or code; None for anything else."""
        if _is_code(text) and text in self.codes:
            return text
        return self.countries.get(_key(text))

    def region_country(self, text: str) -> str | None:
        """The country whose state, province or nation this is; codes match in capitals only."""
        return self.regions.get(text if _is_code(text) else _key(text))


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _is_code(text: str) -> bool:
    return text.isupper() and text.isalpha() and len(text) <= 3


@lru_cache(maxsize=1)
def _places() -> _Places:
    return _Places(load_asset(prompts_dir() / "render" / "places.yaml", PlacesFile, "places table"))


def postal_address(location: str) -> dict[str, str]:
    """A schema.org PostalAddress from "City", "City, Region", "City, Region, Country" or "Country".

    A trailing region that names its country ("Austin, TX", "Leeds, England") supplies
    addressCountry as an ISO code; two-letter codes are read as US states or Canadian
    provinces first, the usual "City, ST" form."""
    places = _places()
    parts = [part.strip() for part in location.split(",") if part.strip()]
    address: dict[str, str] = {"@type": "PostalAddress"}
    if not parts:
        return address
    last, rest = parts[-1], parts[:-1]
    region_country = places.region_country(last)
    country = places.country(last)
    if rest and region_country:
        address.update(addressLocality=", ".join(rest), addressRegion=last, addressCountry=region_country)
    elif country:
        if rest:
            address["addressLocality"] = rest[0]
        if len(rest) > 1:
            address["addressRegion"] = ", ".join(rest[1:])
        address["addressCountry"] = country
    elif region_country:
        address.update(addressRegion=last, addressCountry=region_country)
    else:
        address["addressLocality"] = parts[0]
        if rest:
            address["addressRegion"] = ", ".join(parts[1:])
    return address


def _applicant_locations(role: RoleSpec) -> list[dict[str, str]]:
    """Where remote candidates may live: each remote region, or the location's country
    when no region is given. "Anywhere" and the like restrict nothing and are left out."""
    places = _places()
    if not role.remote_regions:
        if not role.location:
            return []
        country = postal_address(role.location).get("addressCountry")
        return [
            {"@type": "Country", "name": country} if country else {"@type": "AdministrativeArea", "name": role.location}
        ]
    return [
        {"@type": "Country" if places.country(name) else "AdministrativeArea", "name": name}
        for name in role.remote_regions
        if _key(name) not in places.anywhere
    ]


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def jsonld(posting: JobPosting) -> dict[str, Any]:
    """The schema.org JobPosting with Google's required and recommended properties."""
    return _jsonld(posting, _sections_html(posting))


def _jsonld(posting: JobPosting, description: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": _clean(posting.title),
        "description": description,
        "datePosted": posting.meta.created_at.date().isoformat(),
        "hiringOrganization": {"@type": "Organization", "name": _clean(posting.company)},
    }
    role = posting.role
    if role is not None:
        if role.id:
            data["identifier"] = {"@type": "PropertyValue", "name": role.company, "value": role.id}
        if role.workplace == "remote":
            data["jobLocationType"] = "TELECOMMUTE"
            locations = _applicant_locations(role)
            if locations:
                data["applicantLocationRequirements"] = locations
        elif role.location:
            data["jobLocation"] = {"@type": "Place", "address": postal_address(role.location)}
        data["employmentType"] = EMPLOYMENT_TYPES[role.employment_type]
        if role.application_deadline:
            data["validThrough"] = f"{role.application_deadline.isoformat()}T23:59:59"
    salary = posting.salary or (role_salary(role) if role is not None else None)
    if salary is not None:
        data["baseSalary"] = {
            "@type": "MonetaryAmount",
            "currency": salary.currency,
            "value": {
                "@type": "QuantitativeValue",
                "minValue": _number(salary.min),
                "maxValue": _number(salary.max),
                "unitText": UNIT_TEXT[salary.period],
            },
        }
    data["directApply"] = False
    return data


def render_jsonld(posting: JobPosting) -> str:
    """JSON-LD text that is safe inside <script type="application/ld+json">: `<`, `>` and `&`
    are written as \\u escapes, so no field can close the tag or open a comment."""
    return _safe_json(jsonld(posting))


def _safe_json(data: dict[str, Any]) -> str:
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


def render_jsonld_script(posting: JobPosting) -> str:
    """The JSON-LD wrapped in its <script> tag, for a page's <head>."""
    return _script(jsonld(posting))


def _script(data: dict[str, Any]) -> str:
    return f'<script type="application/ld+json">\n{_safe_json(data)}</script>'


# DOCX


def render_docx(posting: JobPosting) -> bytes:
    """A Word document: the title as Heading 1, sections as Heading 2, paragraphs, and
    bullets in Word's own List Bullet style, so a recruiter can restyle it in one place."""
    document = Document()
    properties = document.core_properties
    properties.title = _clean(posting.title)
    properties.author = _clean(posting.company)
    properties.comments = ""
    properties.created = posting.meta.created_at
    document.add_heading(_clean(posting.title), level=1)
    line = facts(posting)
    if line:
        document.add_paragraph().add_run(FACT_SEPARATOR.join(line)).italic = True
    for section in posting.sections:
        document.add_heading(_clean(section.heading), level=2)
        for paragraph in _lines(section.paragraphs):
            document.add_paragraph(paragraph)
        for bullet in _lines(section.bullets):
            document.add_paragraph(bullet, style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


_TEXT_RENDERERS = {
    "md": render_markdown,
    "html": render_html,
    "txt": render_text,
    "json": render_json,
    "jsonld": render_jsonld,
}
