"""The ``temaer`` command line. Heavy libraries are imported inside the commands that need them."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="temaer: Danish interview transcripts to coded, evaluated evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

PathsArg = Annotated[list[Path], typer.Argument(help="Transcript files or folders.", show_default=False)]
MetadataOpt = Annotated[Path | None, typer.Option("--metadata", "-m", help="Case table (CSV/XLSX).")]


def _console():
    from rich.console import Console

    return Console(stderr=True)


def _read_with_progress(paths: list[Path], metadata: Path | None, console):
    """Read transcripts file by file with a progress bar; return (segments, failures)."""
    import pandas as pd
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from temaer.transcripts import TranscriptError, iter_files, iter_transcripts

    files = iter_files(paths)
    frames, failures = [], []
    with Progress(TextColumn("[bold]Læser transskriptioner"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=False) as progress:
        task = progress.add_task("read", total=len(files))
        try:
            for _path, result in iter_transcripts(files, metadata=metadata):
                if isinstance(result, TranscriptError):
                    failures.append(result)
                else:
                    frames.append(result)
                progress.advance(task)
        except TranscriptError as exc:  # the metadata table itself is unreadable
            failures.append(exc)
    segments = pd.concat(frames, ignore_index=True) if frames else None
    return segments, failures


def _report_failures(failures, console) -> None:
    for exc in failures:
        console.print(f"[red]fejl[/red] {exc}", markup=True, highlight=False)


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False):
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@app.command()
def segments(
    paths: PathsArg,
    metadata: MetadataOpt = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write segments to .csv/.xlsx/.parquet.")] = None,
) -> None:
    """Read transcripts into one table of segments and print a summary."""
    from rich.table import Table

    console = _console()
    segs, failures = _read_with_progress(paths, metadata, console)
    _report_failures(failures, console)
    if segs is not None:
        table = Table(title="Segmenter pr. interessentgruppe")
        for col in ("interessentgruppe", "interviews", "deltagersegmenter", "interviewersegmenter"):
            table.add_column(col, justify="left" if col == "interessentgruppe" else "right")
        grouped = segs.groupby(segs["interessentgruppe"].replace("", "(ukendt)"), sort=True)
        for group, g in grouped:
            table.add_row(str(group), str(g["interview_id"].nunique()),
                          str(int((g["role"] == "participant").sum())), str(int((g["role"] == "interviewer").sum())))
        table.add_row("[bold]I alt", str(segs["interview_id"].nunique()),
                      str(int((segs["role"] == "participant").sum())), str(int((segs["role"] == "interviewer").sum())))
        console.print(table)
        if out is not None:
            from temaer.io import write_table

            write_table(segs, out)
            console.print(f"Skrev {len(segs)} segmenter til {out}")
    if failures:
        console.print(f"[red]{len(failures)} fil(er) kunne ikke læses[/red]")
        raise typer.Exit(1)


if __name__ == "__main__":  # pragma: no cover
    app()
