"""``temaer topics``: emerging topics from transcripts to tables and plotly views.

Writes to ``out``:

- ``topics.csv`` and ``topics.xlsx`` (sheets ``topics``, ``interessentgruppe``, ``hospital``),
- ``segments_topics.csv`` (the modelled segments with ``topic`` and ``topic_label``),
- ``topics_barchart.html`` (top terms per topic) and ``topics_per_interessentgruppe.html``
  (BERTopic's plotly views; plotly.js is embedded so the files open offline),
- ``model/`` (:meth:`temaer.topics.TopicResult.save`: tables + BERTopic in safetensors).

Example:
    >>> run_topics_command(["corpus/transcripts"], out="out/topics")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["run_topics_command", "write_topic_outputs"]


def run_topics_command(
    paths: Sequence[str | Path],
    metadata: str | Path | None = None,
    out: str | Path = "topics",
    *,
    coded: str | Path | None = None,
    mode: str = "emerging",
    embedder: str = "auto",
    min_topic_size: int | None = None,
    random_state: int = 0,
    console: Any = None,
) -> Any:
    """Read transcripts, discover topics (with a progress bar while embedding) and write outputs.

    ``coded``: optional classifier output (CSV/XLSX/Parquet with ``segment_id`` and theme columns,
    e.g. from ``temaer classify``); without it the shipped classifier is used when available.
    Returns the :class:`temaer.topics.TopicResult`.
    """
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from temaer.topics import discover_topics
    from temaer.transcripts import TranscriptError, read_transcripts

    console = console or Console(stderr=True)
    segments = read_transcripts(list(paths), metadata=metadata, errors="collect")  # one bad file loses nothing
    for failure in segments.attrs["errors"]:
        error = TranscriptError(failure["file"], failure["message"], failure["line"])
        console.print(f"[red]fejl[/red] {error}", markup=True, highlight=False)
    if segments.empty:
        raise ValueError("no transcript could be read")
    coded_table = _read_table(coded) if coded is not None else None
    columns = (TextColumn("[bold]Embedding"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("embed", total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = discover_topics(segments, coded=coded_table, mode=mode, embedder=embedder,
                                 min_topic_size=min_topic_size, random_state=random_state,
                                 progress=report)
    result.params["failed_files"] = len(segments.attrs["errors"])
    out = write_topic_outputs(result, out)
    n_emerging = int(result.topics["emerging"].sum()) if len(result.topics) else 0
    console.print(f"{len(result.topics)} emner ({n_emerging} uden for kommissoriet), "
                  f"{result.n_outliers} segmenter uden emne; skrevet til {out}")
    return result


def write_topic_outputs(result: Any, out: str | Path) -> Path:
    """Write the tables, plotly HTML views and the saved model of ``result`` to ``out``.

    Everything is written to a temporary folder beside ``out`` first and moved in only when all of
    it succeeded, so a failure never leaves a mix of old and new files.
    """
    import os
    import shutil
    import tempfile

    import pandas as pd

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{out.name}.", dir=out.parent) as tmp_name:
        tmp = Path(tmp_name)
        result.topics.to_csv(tmp / "topics.csv", index=False)
        with pd.ExcelWriter(tmp / "topics.xlsx") as xlsx:
            result.topics.to_excel(xlsx, sheet_name="topics", index=False)
            for by in ("interessentgruppe", "hospital"):
                share = result.share(by)
                if not share.empty:
                    share.round(3).to_excel(xlsx, sheet_name=by)
        keep = [c for c in result.segments.columns if not c.startswith("_")]
        result.segments[keep].to_csv(tmp / "segments_topics.csv", index=False)
        _write_plots(result, tmp)
        result.save(tmp / "model")
        out.mkdir(exist_ok=True)
        for stale in ("topics_barchart.html", "topics_per_interessentgruppe.html"):  # not rewritten
            (out / stale).unlink(missing_ok=True)
        for item in tmp.iterdir():
            if (out / item.name).is_dir():
                shutil.rmtree(out / item.name)
            os.replace(item, out / item.name)
    return out


def _write_plots(result: Any, out: Path) -> None:
    model = result.model
    if model is None or result.topics.empty:
        return
    n_topics = len(result.topics)
    fig = model.visualize_barchart(top_n_topics=min(n_topics, 24), n_words=8, custom_labels=True,
                                   title="Emner: vigtigste ord")
    fig.write_html(out / "topics_barchart.html", include_plotlyjs=True)
    seg = result.segments  # documents are the clustered rows; rows that joined a topic later are not
    if "assigned" in seg.columns:
        seg = seg[seg["assigned"] == "cluster"]
    if "interessentgruppe" in seg.columns and result.documents is not None and len(seg) == len(result.documents):
        classes = seg["interessentgruppe"].fillna("").replace("", "(ukendt)").astype(str).tolist()
        per_class = model.topics_per_class(result.documents, classes=classes)
        fig = model.visualize_topics_per_class(per_class, top_n_topics=min(n_topics, 12),
                                               custom_labels=True,
                                               title="Emner pr. interessentgruppe")
        fig.write_html(out / "topics_per_interessentgruppe.html", include_plotlyjs=True)


def _read_table(path: str | Path):
    import pandas as pd

    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xls"):
        return pd.read_excel(path, dtype={"segment_id": str})
    if path.suffix.lower() == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype={"segment_id": str}, sep=None, engine="python")
