"""The page's Batch tab without widgets: an uploaded CSV, JSONL or YAML file drafted
through the batch engine, and its outputs packed as one ZIP plus the summary CSV."""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from chains.batch import INPUT_KINDS, BatchInputError, BatchOptions, BatchRunner, Progress, Summary, read_rows

UPLOAD_TYPES = tuple(sorted({suffix.lstrip(".") for suffix in INPUT_KINDS}))
STATUS_LABELS = {
    "valid": "Valid",
    "repaired": "Valid, sections repaired",
    "fell_back": "Valid, template engine (model unavailable)",
    "input_error": "Input error",
    "failed": "Failed",
    "pending": "Not drafted",
}


@dataclass(frozen=True)
class BatchResult:
    summary: Summary
    archive: bytes
    summary_csv: bytes


def run_upload(name: str, data: bytes, options: BatchOptions, progress: Progress | None = None) -> BatchResult:
    """Draft every row of an uploaded file; BatchInputError when the file as a whole is unusable."""
    suffix = PurePath(name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="jdw-batch-") as tmp:
        folder = Path(tmp)
        source = folder / f"input{suffix}"
        source.write_bytes(data)
        try:
            rows = read_rows(source)
        except BatchInputError as exc:
            raise BatchInputError(str(exc).replace(str(source), PurePath(name).name)) from None
        out = folder / "out"
        summary = BatchRunner(rows, out, options, progress=progress).run()
        return BatchResult(summary, _zip(out), (out / "summary.csv").read_bytes())


def result_rows(summary: Summary) -> list[dict[str, object]]:
    """One line per input row, as the manager reads it."""
    return [
        {
            "Row": record.get("row"),
            "Id": record["id"],
            "Status": STATUS_LABELS.get(record["status"], record["status"]),
            "Message": record.get("message", ""),
        }
        for record in summary.results
    ]


def _zip(folder: Path) -> bytes:
    """postings/* and the summaries; the resume manifest stays out of the download."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if path.is_file() and (rel.startswith("postings/") or rel in ("summary.csv", "summary.json")):
                archive.write(path, rel)
    return buffer.getvalue()
