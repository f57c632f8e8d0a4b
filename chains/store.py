"""Saved drafts: every draft and every edit kept as a numbered version, and the page's
form kept per browser session so a refresh loses nothing typed.

SQLite in the data folder (JDW_DATA_DIR, default ./data) unless JDW_DATABASE_URL names
another database (PostgreSQL through SQLAlchemy). Nothing secret is ever stored here:
the form state holds role inputs and page choices, never an API key.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    func,
    select,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, sessionmaker

from chains.models import JobPosting, Report, RoleSpec

DB_FILE = "jdwriter.db"
FORM_LIMIT = 200_000


class StoreError(RuntimeError):
    """A saved-drafts problem a person can act on (bad URL, unreachable database, unknown draft)."""


class _Base(DeclarativeBase):
    pass


class _Draft(_Base):
    __tablename__ = "jdw_drafts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    template: Mapped[str] = mapped_column(String(200))
    engine: Mapped[str] = mapped_column(String(50))
    role_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    versions: Mapped[list[_Version]] = relationship(
        back_populates="draft", cascade="all, delete-orphan", order_by="_Version.number"
    )


class _Version(_Base):
    __tablename__ = "jdw_draft_versions"
    __table_args__ = (UniqueConstraint("draft_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("jdw_drafts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(300))
    posting_json: Mapped[str] = mapped_column(Text)
    score: Mapped[int] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    draft: Mapped[_Draft] = relationship(back_populates="versions")


class _Form(_Base):
    __tablename__ = "jdw_form_state"

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    data_json: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class DraftSummary:
    """One line of the "My drafts" list."""

    id: str
    name: str
    title: str
    company: str
    template: str
    engine: str
    versions: int
    score: int
    valid: bool
    updated_at: datetime


@dataclass(frozen=True)
class VersionLine:
    """One line of a draft's history."""

    number: int
    note: str
    score: int
    valid: bool
    created_at: datetime


@dataclass(frozen=True)
class Version:
    """One saved state of a draft: the posting as it stood after a draft or an edit."""

    draft_id: str
    number: int
    note: str
    role: RoleSpec
    template: str
    engine: str
    posting: JobPosting
    score: int
    valid: bool
    created_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back without their zone; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def data_dir() -> Path:
    return Path(os.environ.get("JDW_DATA_DIR") or "data").expanduser()


def database_url() -> str:
    """JDW_DATABASE_URL when set, else a SQLite file in the data folder."""
    url = os.environ.get("JDW_DATABASE_URL", "").strip()
    if url:
        return url
    return f"sqlite:///{(data_dir() / DB_FILE).resolve()}"


def _shown_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparseable URL)"


def _engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            "JDW_DATABASE_URL is not a database URL; use e.g. postgresql+psycopg://user@host/db"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the data folder {folder} ({exc.strerror}); set JDW_DATA_DIR to a writable folder"
                ) from None
        return create_engine(parsed, connect_args={"check_same_thread": False})
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except (ArgumentError, ImportError) as exc:
        raise StoreError(
            f"cannot use database {_shown_url(url)}: {exc}; for PostgreSQL install jdwriter[postgres]"
        ) from None


class Store:
    """Drafts with their versions, and per-session form state."""

    def __init__(self, url: str | None = None):
        self.url = url or database_url()
        self._engine = _engine(self.url)
        try:
            _Base.metadata.create_all(self._engine)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open database {_shown_url(self.url)}: {type(exc).__name__}") from None
        self._session = sessionmaker(self._engine, expire_on_commit=False)

    def __repr__(self) -> str:
        return f"Store({_shown_url(self.url)!r})"

    def close(self) -> None:
        self._engine.dispose()

    def create(
        self,
        role: RoleSpec,
        posting: JobPosting,
        report: Report,
        template: str,
        engine: str,
        note: str = "Drafted",
    ) -> Version:
        """A new saved draft whose version 1 is the engine's posting."""
        now = _now()
        row = _Draft(
            id=uuid.uuid4().hex,
            name=f"{role.title} · {role.company}",
            template=template,
            engine=engine,
            role_json=role.model_dump_json(),
            created_at=now,
            updated_at=now,
        )
        row.versions.append(_version_row(1, note, posting, report, now))
        with self._session.begin() as session:
            session.add(row)
        return self.latest(row.id)

    def add_version(self, draft_id: str, posting: JobPosting, report: Report, note: str) -> Version:
        """Keep the posting as it stands after an edit, as the draft's next version."""
        now = _now()
        with self._session.begin() as session:
            draft = self._get(session, draft_id)
            number = (session.scalar(select(func.max(_Version.number)).where(_Version.draft_id == draft_id)) or 0) + 1
            draft.versions.append(_version_row(number, note, posting, report, now))
            draft.updated_at = now
        return self.version(draft_id, number)

    def latest(self, draft_id: str) -> Version:
        with self._session() as session:
            draft = self._get(session, draft_id)
            return _version(draft, draft.versions[-1])

    def version(self, draft_id: str, number: int) -> Version:
        with self._session() as session:
            draft = self._get(session, draft_id)
            for row in draft.versions:
                if row.number == number:
                    return _version(draft, row)
        raise StoreError(f"draft {draft_id} has no version {number}")

    def history(self, draft_id: str) -> list[VersionLine]:
        """Each version's number, note and score, oldest first, without loading postings."""
        with self._session() as session:
            draft = self._get(session, draft_id)
            return [VersionLine(v.number, v.note, v.score, v.errors == 0, _aware(v.created_at)) for v in draft.versions]

    def list_drafts(self) -> list[DraftSummary]:
        """Every saved draft, most recently changed first."""
        with self._session() as session:
            drafts = session.scalars(select(_Draft).order_by(_Draft.updated_at.desc(), _Draft.created_at.desc()))
            summaries = []
            for draft in drafts:
                last = draft.versions[-1]
                role = json.loads(draft.role_json)
                summaries.append(
                    DraftSummary(
                        id=draft.id,
                        name=draft.name,
                        title=role["title"],
                        company=role["company"],
                        template=draft.template,
                        engine=draft.engine,
                        versions=len(draft.versions),
                        score=last.score,
                        valid=last.errors == 0,
                        updated_at=_aware(draft.updated_at),
                    )
                )
            return summaries

    def duplicate(self, draft_id: str) -> Version:
        """A copy with the whole history, to try another direction without losing this one."""
        now = _now()
        with self._session.begin() as session:
            source = self._get(session, draft_id)
            copy = _Draft(
                id=uuid.uuid4().hex,
                name=f"{source.name} (copy)"[:300],
                template=source.template,
                engine=source.engine,
                role_json=source.role_json,
                created_at=now,
                updated_at=now,
            )
            for row in source.versions:
                copy.versions.append(
                    _Version(
                        number=row.number,
                        note=row.note,
                        posting_json=row.posting_json,
                        score=row.score,
                        errors=row.errors,
                        created_at=row.created_at,
                    )
                )
            session.add(copy)
        return self.latest(copy.id)

    def delete(self, draft_id: str) -> None:
        with self._session.begin() as session:
            session.delete(self._get(session, draft_id))

    def save_form(self, session_id: str, data: dict[str, Any]) -> None:
        """Keep what a browser session has typed; the caller leaves secrets out."""
        text = json.dumps(data, default=str, sort_keys=True)
        if len(text) > FORM_LIMIT:
            raise StoreError(f"form is too large to keep ({len(text)} characters; at most {FORM_LIMIT})")
        with self._session.begin() as session:
            row = session.get(_Form, session_id)
            if row is None:
                session.add(_Form(session_id=session_id, data_json=text, updated_at=_now()))
            elif row.data_json != text:
                row.data_json = text
                row.updated_at = _now()

    def load_form(self, session_id: str) -> dict[str, Any] | None:
        with self._session() as session:
            row = session.get(_Form, session_id)
            return None if row is None else json.loads(row.data_json)

    @staticmethod
    def _get(session: Session, draft_id: str) -> _Draft:
        draft = session.get(_Draft, draft_id)
        if draft is None:
            raise StoreError(f"draft {draft_id} not found; it may have been deleted")
        return draft


def _version_row(number: int, note: str, posting: JobPosting, report: Report, when: datetime) -> _Version:
    return _Version(
        number=number,
        note=note[:300],
        posting_json=posting.model_dump_json(),
        score=report.score,
        errors=len(report.errors),
        created_at=when,
    )


def _version(draft: _Draft, row: _Version) -> Version:
    return Version(
        draft_id=draft.id,
        number=row.number,
        note=row.note,
        role=RoleSpec.model_validate_json(draft.role_json),
        template=draft.template,
        engine=draft.engine,
        posting=JobPosting.model_validate_json(row.posting_json),
        score=row.score,
        valid=row.errors == 0,
        created_at=_aware(row.created_at),
    )
