"""The template engine: every section composed from the role inputs, the role library and
the template's guidance. Offline, deterministic and instant; it is also the grounding the
LLM engine is given and the fallback for any section a model fails to write validly."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property, lru_cache
from typing import Any

from chains.library import Family, Library, get_library
from chains.models import JobPosting, PostingMeta, PostingSection, RoleSpec, Salary, Section, SectionContent, Template
from chains.money import role_salary
from chains.resources import AssetError, prompts_dir, read_yaml
from chains.template import section_heading
from chains.validate import NearDuplicates, bullet_tokens

SHORT_SKILL_WORDS = 3
NICE_TO_HAVE_TARGET = 4


@lru_cache(maxsize=1)
def phrases() -> dict[str, Any]:
    data = read_yaml(prompts_dir() / "compose.yaml")
    if not isinstance(data, dict):
        raise AssetError(f"{prompts_dir() / 'compose.yaml'}: must be a mapping of phrases")
    return data


def article(phrase: str) -> str:
    """'a' or 'an' for the sound a title starts with ('an SRE', 'a UX Designer', 'an Engineer')."""
    first = phrase.split()[0] if phrase.split() else phrase
    if first.isupper() and len(first) > 1:
        return "an" if first[0] in "AEFHILMNORSX" else "a"
    lower = first.lower()
    if lower.startswith(("uni", "use", "usu", "eu", "one", "once")):
        return "a"
    if lower.startswith(("hour", "honest", "honor", "honour", "heir")):
        return "an"
    return "an" if lower[:1] in "aeiou" else "a"


def team_phrase(role: RoleSpec) -> str:
    if not role.team:
        return str(phrases()["team_default"])
    if re.search(r"\b(team|group|department|squad|unit|office|division)$", role.team, re.I):
        return f"the {role.team}" if not role.team.lower().startswith("the ") else role.team
    return f"the {role.team} team"


def _join(items: list[str], last: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


class _Writer:
    """Composes one posting; holds the role-derived variables every phrase may use."""

    def __init__(self, role: RoleSpec, template: Template, family: Family):
        self.role = role
        self.template = template
        self.family = family
        self.words = phrases()
        self.vars = {
            "title": role.title,
            "company": role.company,
            "team": team_phrase(role),
            "a_title": f"{article(role.title)} {role.title}",
        }

    def fill(self, text: str, **extra: str) -> str:
        text = text.replace("a {title}", "{a_title}")
        return " ".join(text.format_map({**self.vars, **extra}).split())

    def family_lines(self, lines: list[str]) -> list[str]:
        return [self.fill(line) for line in lines]

    def company(self, section: Section) -> PostingSection:
        text = self.role.company_description or self.fill(self.words["company_fallback"])
        return self._section(section, paragraphs=[text])

    def overview(self, section: Section) -> PostingSection:
        role, words = self.role, self.words
        parts = [self.fill(self.family.overview[role.level]), self.arrangement()]
        if role.workplace == "hybrid":
            parts.append(words["hybrid_note"])
        close = words["tone"][role.tone]["overview_close"]
        if close:
            parts.append(close)
        return self._section(section, paragraphs=[" ".join(parts)])

    def arrangement(self) -> str:
        role, words = self.role, self.words
        adjectives = [a for a in (words["employment"][role.employment_type], words["workplace"][role.workplace]) if a]
        noun = "internship" if role.employment_type == "internship" else "role"
        phrase = " ".join([", ".join(adjectives[:-1]) + "," if len(adjectives) > 1 else "", adjectives[-1], noun]).strip()
        phrase = f"{article(phrase)} {phrase}"
        where = ""
        if role.workplace == "remote" and role.remote_regions:
            definite = set(words["definite_regions"])
            regions = [f"the {r}" if r in definite else r for r in role.remote_regions]
            where = words["where"]["remote"].format(regions=_join(regions))
        elif role.workplace != "remote" and role.location:
            where = words["where"][role.workplace].format(location=role.location)
        return words["arrangement"].format(arrangement=phrase, where=where)

    def responsibilities(self, section: Section) -> PostingSection:
        own = list(self.role.responsibilities)
        low, high = section.min_bullets or 0, section.max_bullets or max(len(own), 8)
        target = max(len(own), (low + high + 1) // 2 if section.min_bullets else high)
        bullets = self._fill_up(own, self.family_lines(self.family.responsibilities.for_level(self.role.level)), target)
        return self._section(section, bullets=bullets)

    def experience(self) -> list[str]:
        years = self.role.years_experience
        if years is None:
            return []
        if years <= 1:
            return [self.fill(self.words["experience"]["with_one_year"])] if years == 1 else []
        return [self.fill(self.words["experience"]["with_years"], years=str(years))]

    def education(self) -> list[str]:
        education = self.role.education.rstrip(".")
        if not education:
            return []
        if "equivalent" in education.lower():
            return [f"{education}."]
        return [self.fill(self.words["education"], education=education)]

    def standalone(self, skill: str) -> bool:
        """Whether a skill reads as a requirement of its own rather than a tool or topic."""
        cues = set(self.words["standalone_skill_words"])
        return len(skill.split()) > SHORT_SKILL_WORDS or bool(cues & set(re.findall(r"[a-z]+", skill.lower())))

    def split_skills(self, skills: list[str]) -> tuple[list[str], list[str]]:
        return [s for s in skills if not self.standalone(s)], [s if s.endswith(".") else f"{s}." for s in skills if self.standalone(s)]

    def skill_lines(self) -> list[str]:
        short, whole = self.split_skills(self.role.must_have_skills)
        lines = [self.fill(self.words["skills_combined"], skills=_join(short))] if short else []
        return lines + whole

    def requirements(self, section: Section) -> PostingSection:
        fixed = [*self.experience(), *self.skill_lines(), *self.education()]
        return self._capped(section, fixed, self.family_lines(self.family.requirements.for_level(self.role.level)))

    def qualifications(self, section: Section) -> PostingSection:
        fixed = [*self.experience(), *self.education()]
        return self._capped(section, fixed, self.family_lines(self.family.requirements.for_level(self.role.level)))

    def skills(self, section: Section) -> PostingSection:
        return self._capped(section, list(self.role.must_have_skills), self.family_lines(self.family.skills))

    def nice_to_have(self, section: Section) -> PostingSection | None:
        short, whole = self.split_skills(self.role.nice_to_have_skills)
        own = [self.fill(self.words["nice_skills_combined"], skills=_join(short, "or"))] if short else []
        own += whole
        bullets = self._fill_up(own, self.family_lines(self.family.nice_to_have), max(len(own), NICE_TO_HAVE_TARGET))
        if section.max_bullets:
            bullets = bullets[: max(section.max_bullets, len(own))]
        if not bullets:
            return None
        return self._section(section, paragraphs=[self.words["nice_to_have_note"]], bullets=bullets)

    @cached_property
    def salary(self) -> Salary:
        return role_salary(self.role)

    def compensation(self, section: Section) -> PostingSection:
        paragraphs = [f"{self.fill(self.words['salary'], salary=self.salary.text)} {self.words['salary_note']}"]
        return self._section(section, paragraphs=paragraphs, bullets=list(self.role.benefits))

    def apply(self, section: Section) -> PostingSection:
        role, words = self.role, self.words
        contact = role.how_to_apply
        how = "email" if "@" in contact and "://" not in contact else "url" if contact else "none"
        lines = [self.fill(words["apply"][how], contact=contact)]
        if role.application_deadline:
            lines.append(words["deadline"].format(deadline=f"{role.application_deadline:%B} {role.application_deadline.day}, {role.application_deadline.year}"))
        lines.append(words["encourage"])
        lines.append(words["tone"][role.tone]["apply_close"])
        paragraphs = [" ".join(lines)]
        if self.template.equal_opportunity and not any(s.content == "eeo" for s in self.template.sections):
            paragraphs.append(self.fill(words["equal_opportunity"]))
        return self._section(section, paragraphs=paragraphs)

    def eeo(self, section: Section) -> PostingSection:
        return self._section(section, paragraphs=[self.fill(self.words["equal_opportunity"])])

    def _fill_up(self, own: list[str], library: list[str], target: int) -> list[str]:
        bullets = list(own)
        seen: NearDuplicates[str] = NearDuplicates()
        for bullet in bullets:
            seen.add(bullet_tokens(bullet), bullet)
        for line in library:
            if len(bullets) >= target:
                break
            tokens = bullet_tokens(line)
            if seen.earliest(tokens) is None:
                bullets.append(line)
                seen.add(tokens, line)
        return bullets

    def _capped(self, section: Section, fixed: list[str], library: list[str]) -> PostingSection:
        high = section.max_bullets or len(fixed) + len(library)
        low = section.min_bullets or 0
        room = max(high - len(fixed), 0)
        target = len(fixed) + min(room, max(len(library), low - len(fixed)))
        return self._section(section, bullets=self._fill_up(fixed, library, target))

    def _section(self, section: Section, paragraphs: list[str] | None = None, bullets: list[str] | None = None) -> PostingSection:
        return PostingSection(
            key=section.key,
            heading=section_heading(section, self.role),
            paragraphs=paragraphs or [],
            bullets=bullets or [],
            provenance="template",
        )


_CONTENT: dict[SectionContent, Callable[[_Writer, Section], PostingSection | None]] = {
    "company": _Writer.company,
    "overview": _Writer.overview,
    "responsibilities": _Writer.responsibilities,
    "requirements": _Writer.requirements,
    "qualifications": _Writer.qualifications,
    "skills": _Writer.skills,
    "nice_to_have": _Writer.nice_to_have,
    "compensation": _Writer.compensation,
    "apply": _Writer.apply,
    "eeo": _Writer.eeo,
}


def compose_section(role: RoleSpec, template: Template, section: Section, library: Library | None = None) -> PostingSection | None:
    """One section as the template engine writes it (None for an optional section with nothing to say)."""
    family = (library or get_library()).match(role.title)
    return _CONTENT[section.content](_Writer(role, template, family), section)


def compose(role: RoleSpec, template: Template, library: Library | None = None) -> JobPosting:
    """A complete posting from the inputs alone: same inputs, same text."""
    family = (library or get_library()).match(role.title)
    writer = _Writer(role, template, family)
    sections = [s for s in (_CONTENT[sec.content](writer, sec) for sec in template.sections) if s is not None]
    return JobPosting(
        title=role.title,
        company=role.company,
        sections=sections,
        salary=writer.salary,
        role=role,
        meta=PostingMeta(engine="template", template=template.key, family=family.key),
    )
