"""Streaming batch classification of many transcripts: memory stays flat in the number of files.

Each file is read, coded and appended to the output before the next one is read; one bad file is
reported and skipped, never losing the others. Coded files are parked on disk, then written out with
uncertain segments first (each group in file order); CSV and Parquet are written chunk by chunk, an
XLSX output is assembled in memory.
The output appears atomically when all files are done.

Example:
    >>> summary = classify_files(["interviews/"], "kodet.csv")  # doctest: +SKIP
    >>> summary.counts, summary.failures                        # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from temaer.io import atomic_path, check_output_path, write_table
from temaer.transcripts import TranscriptError, is_participant, iter_files, iter_transcripts


@dataclass
class BatchSummary:
    """What a batch run did: per-theme counts over participant segments, and the failed files."""

    themes: tuple[str, ...]
    files: int = 0
    segments: int = 0
    participant_segments: int = 0
    uncertain: int = 0
    no_theme: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    interviews: dict[str, set] = field(default_factory=dict)
    failures: list[TranscriptError] = field(default_factory=list)

    def add(self, coded: pd.DataFrame) -> None:
        part = coded[is_participant(coded)]
        self.files += 1
        self.segments += len(coded)
        self.participant_segments += len(part)
        self.uncertain += int(part["uncertain"].fillna(False).sum())
        self.no_theme += int((part["themes"] == "").sum())
        for t in self.themes:
            hit = part[t].fillna(False).astype(bool)
            self.counts[t] = self.counts.get(t, 0) + int(hit.sum())
            self.interviews.setdefault(t, set()).update(part.loc[hit, "interview_id"])


class _Parts:
    """Per-file coded tables parked as Parquet in a temporary folder, then written out in one pass.

    Files may differ in their columns (extra metadata keys, WebVTT cue end times): the output has the
    union of all columns, in first-seen order, and one dtype per column.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files = 0
        self.uncertain: list[Path] = []  # parts holding each file's uncertain segments
        self.rest: list[Path] = []  # parts holding the others
        self.dtypes: dict[str, str] = {}

    def add(self, frame: pd.DataFrame) -> None:
        frame = frame.copy()
        for col in frame.columns:
            if frame[col].dtype == object:
                frame[col] = frame[col].astype("string")
            if col not in self.dtypes or (self.dtypes[col] == "string" and frame[col].notna().any()
                                          and str(frame[col].dtype) != "string"):
                self.dtypes[col] = str(frame[col].dtype)
        mask = frame["uncertain"].fillna(False).astype(bool)
        for kind, part, paths in (("u", frame[mask], self.uncertain), ("r", frame[~mask], self.rest)):
            if len(part):
                path = self.folder / f"{kind}{self.files:06d}.parquet"
                part.to_parquet(path, index=False)
                paths.append(path)
        self.files += 1

    def chunks(self):
        """Uncertain segments of every file first, then the rest, each in file order."""
        for path in [*self.uncertain, *self.rest]:
            yield pd.read_parquet(path).reindex(columns=list(self.dtypes)).astype(self.dtypes)

    def write(self, target: Path) -> None:
        suffix = target.suffix.lower()
        if suffix == ".xlsx":
            write_table(pd.concat(list(self.chunks()), ignore_index=True), target)
            return
        with atomic_path(target) as tmp:
            if suffix == ".csv":
                first = True
                for chunk in self.chunks():
                    chunk.to_csv(tmp, mode="w" if first else "a", header=first, index=False,
                                 encoding="utf-8-sig" if first else "utf-8")
                    first = False
            else:
                import pyarrow as pa
                import pyarrow.parquet as pq

                writer = None
                for chunk in self.chunks():
                    table = pa.Table.from_pandas(chunk, preserve_index=False)
                    writer = writer or pq.ParquetWriter(tmp, table.schema)
                    writer.write_table(table.cast(writer.schema))
                if writer is not None:
                    writer.close()


def classify_files(
    paths: Iterable[str | Path],
    out: str | Path,
    *,
    model: Any = None,
    metadata: str | Path | pd.DataFrame | None = None,
    on_file: Callable[[Path, int], None] | None = None,
) -> BatchSummary:
    """Read, code and write transcripts file by file (see the module docs); return a summary.

    ``on_file(path, n_segments)`` is called after each file (0 segments for a failed file).
    """
    import tempfile

    from temaer.classifier import ThemeClassifier, classify, load_model

    out = check_output_path(out)
    clf = model if isinstance(model, ThemeClassifier) else load_model(model)
    summary = BatchSummary(themes=tuple(clf.themes_))
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".temaer-", dir=out.parent) as tmp:
        parts = _Parts(Path(tmp))
        for path, result in iter_transcripts(iter_files(paths), metadata=metadata):
            if isinstance(result, TranscriptError):
                summary.failures.append(result)
                if on_file:
                    on_file(path, 0)
                continue
            coded = classify(result, clf)
            summary.add(coded)
            parts.add(coded)
            if on_file:
                on_file(path, len(coded))
        if parts.files:
            parts.write(out)
    return summary
