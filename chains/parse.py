"""Reading a Markdown posting written anywhere back into template sections, so the same
checks grade it as grade a draft. Headings are matched to the template by their heading
and aliases; anything else is kept as an extra section so its text is still checked."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from chains.models import JobPosting, PostingMeta, PostingSection, RoleSpec, Template
from chains.money import role_salary
from chains.template import heading_matches

PREAMBLE = "preamble"
HEADING_WORDS = 8

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_BOLD = re.compile(r"^\s*(\*\*|__)(?P<text>[^*_].*?)(?:\1)\s*:?\s*$")
_BULLET = re.compile(r"^\s*(?:[-*+•●▪◦‣–]|\d{1,3}[.)])\s+(?P<text>.*\S)\s*$")
_RULE = re.compile(r"^\s*(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^>\s]+|[^@<>\s]+@[^@<>\s]+\.[A-Za-z]{2,})>")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])")
_CODE = re.compile(r"`([^`]*)`")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def inline(text: str) -> str:
    """Markdown inline marks removed: links become "text (url)", emphasis and code plain."""
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(lambda m: m[1] if m[1] == m[2] else f"{m[1]} ({m[2]})", text)
    text = _AUTOLINK.sub(lambda m: m[1].removeprefix("mailto:"), text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(lambda m: m[1] or m[2], text)
    text = _CODE.sub(r"\1", text)
    text = _BREAK.sub(" ", text)
    text = _ESCAPE.sub(r"\1", text)
    return " ".join(text.split())


def slug(heading: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", heading.lower()).strip("_") or "section"


@dataclass
class _Block:
    key: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)


class _Reader:
    """Walks the lines once, opening a section at each heading."""

    def __init__(self, template: Template):
        self.template = template
        self.title = ""
        self.blocks: dict[str, _Block] = {}
        self.current: _Block | None = None
        self.paragraph: list[str] = []
        self.in_bullet = False

    def section_key(self, heading: str) -> str | None:
        for section in self.template.sections:
            if heading_matches(section, heading):
                return section.key
        return None

    def open(self, heading: str, level: int) -> None:
        self.flush()
        self.in_bullet = False
        text = inline(heading).rstrip(":").strip()
        key = self.section_key(text)
        if key is None and level == 1 and not self.title and set(self.blocks) <= {PREAMBLE}:
            self.title = text
            return
        if key is None:
            key, n = slug(text), 2
            base = key
            while key in self.blocks or key in {s.key for s in self.template.sections} or key == PREAMBLE:
                key, n = f"{base}_{n}", n + 1
        self.current = self.blocks.setdefault(key, _Block(key, text))

    def block(self) -> _Block:
        if self.current is None:
            self.current = self.blocks.setdefault(PREAMBLE, _Block(PREAMBLE, ""))
        return self.current

    def flush(self) -> None:
        if self.paragraph:
            self.block().paragraphs.append(" ".join(self.paragraph))
            self.paragraph = []

    def bullet(self, text: str) -> None:
        self.flush()
        self.block().bullets.append(text)
        self.in_bullet = True

    def line(self, text: str) -> None:
        if self.in_bullet:
            block = self.block()
            block.bullets[-1] = f"{block.bullets[-1]} {text.strip()}"
        else:
            self.paragraph.append(text.strip())

    def blank(self) -> None:
        self.flush()
        self.in_bullet = False

    def is_plain_heading(self, line: str) -> bool:
        """A short line on its own that names a template section ("Requirements:")."""
        text = line.strip().rstrip(":").strip()
        return 0 < len(text.split()) <= HEADING_WORDS and self.section_key(inline(text)) is not None

    def sections(self) -> list[PostingSection]:
        self.flush()
        return [
            PostingSection(
                key=block.key,
                heading=block.heading,
                paragraphs=[inline(text) for text in block.paragraphs],
                bullets=[inline(text) for text in block.bullets],
            )
            for block in self.blocks.values()
            if block.key != PREAMBLE or block.paragraphs or block.bullets
        ]


def _bold_heading(reader: _Reader, line: str) -> str | None:
    """A bold line that names a template section, or a short one standing on its own."""
    match = _BOLD.match(line)
    if not match:
        return None
    text = match["text"].strip().rstrip(":")
    if reader.section_key(inline(text)) is not None:
        return text
    alone = not reader.paragraph and not reader.in_bullet
    if alone and len(text.split()) <= HEADING_WORDS and not text.endswith((".", "!", "?")):
        return text
    return None


def parse_markdown(text: str, template: Template, role: RoleSpec | None = None) -> JobPosting:
    """A posting from Markdown: ATX, setext and bold-line headings, bullets of any mark,
    paragraphs. The first level-1 heading is the title; company and salary come from the
    role when one is given, so the checks compare the text with the inputs."""
    reader = _Reader(template)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i].rstrip()
        following = lines[i + 1] if i + 1 < len(lines) else ""
        i += 1
        atx = _ATX.match(line)
        bullet = _BULLET.match(line)
        starts_block = not reader.paragraph and not reader.in_bullet
        if not line.strip():
            reader.blank()
        elif atx:
            reader.open(atx[2] or "", len(atx[1]))
        elif starts_block and not bullet and not _RULE.match(line) and _SETEXT.match(following):
            reader.open(line, 1 if following.strip().startswith("=") else 2)
            i += 1
        elif _RULE.match(line):
            reader.blank()
        elif bullet:
            reader.bullet(bullet["text"])
        elif (heading := _bold_heading(reader, line)) is not None:
            reader.open(heading, 2)
        elif starts_block and reader.is_plain_heading(line):
            reader.open(line, 2)
        else:
            reader.line(line)
    sections = reader.sections()
    return JobPosting(
        title=reader.title,
        company=role.company if role is not None else "",
        sections=sections,
        salary=role_salary(role) if role is not None else None,
        role=role,
        meta=PostingMeta(template=template.key),
    )
