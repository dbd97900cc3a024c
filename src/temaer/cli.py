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
    if segments is not None and metadata is not None and not any(f.file == str(metadata) for f in failures):
        from temaer.transcripts import metadata_coverage

        metadata_coverage(segments, metadata)
    return segments, failures


def _report_failures(failures, console) -> None:
    for exc in failures:
        console.print(f"[red]fejl[/red] {exc}", markup=True, highlight=False)


def _exit_if_failed(failures, console) -> None:
    """Non-zero exit when any input file failed (after the others' results were written)."""
    if failures:
        console.print(f"[red]{len(failures)} fil(er) kunne ikke læses[/red]")
        raise typer.Exit(1)


_VERBOSE = False


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False):
    global _VERBOSE
    _VERBOSE = verbose
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    import warnings

    def show(message, category, filename, lineno, file=None, line=None) -> None:  # no source lines
        _console().print(f"[yellow]advarsel[/yellow] {message}", markup=True, highlight=False)

    warnings.showwarning = show


def main() -> None:
    """Entry point: a problem with the user's input or files ends in one ``fejl`` line and exit 1.

    (With ``--verbose`` the full traceback is shown.)
    """
    import zipfile

    try:
        app()
    except (ValueError, OSError, zipfile.BadZipFile) as exc:  # TranscriptError, CodingError, missing files ...
        if _VERBOSE:
            raise
        _console().print(f"[red]fejl[/red] {exc}", markup=True, highlight=False)
        raise SystemExit(1) from None


@app.command()
def segments(
    paths: PathsArg,
    metadata: MetadataOpt = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write segments to .csv/.xlsx/.parquet.")] = None,
) -> None:
    """Read transcripts into one table of segments and print a summary."""
    from rich.table import Table

    console = _console()
    if out is not None:
        _check_out(out)
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
        notes = segs[segs["role"] == "note"]
        if len(notes):
            console.print(f"{len(notes)} noter (tekst før første taletur) i {notes['interview_id'].nunique()} "
                          "interview(s) er bevaret i tabellen, men kodes ikke.")
        if out is not None:
            from temaer.io import write_table

            write_table(segs, out)
            console.print(f"Skrev {len(segs)} segmenter til {out}")
    _exit_if_failed(failures, console)


def _check_out(out: Path, suffixes: tuple[str, ...] | None = None) -> None:
    """Fail early (before any slow work) on an output path that cannot be written."""
    from temaer.io import TABLE_SUFFIXES, check_output_path

    check_output_path(out, suffixes or TABLE_SUFFIXES)


OutTableOpt = Annotated[Path, typer.Option("--out", "-o", help="Output .csv/.xlsx/.parquet.")]
ModelOpt = Annotated[Path | None, typer.Option("--model", help="Model file (.skops); default: shipped model.")]


def _classify_with_progress(segs, model, console):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from temaer.classifier import ThemeClassifier, classify, load_model
    from temaer.transcripts import is_participant

    clf = model if isinstance(model, ThemeClassifier) else load_model(model)
    n_part = int(is_participant(segs).sum())
    with Progress(TextColumn("[bold]Koder segmenter"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console) as progress:
        task = progress.add_task("classify", total=n_part)
        coded = classify(segs, clf, progress=lambda n: progress.advance(task, n))
    return coded, clf


def _theme_summary(summary, console) -> None:
    from rich.table import Table

    n = max(summary.participant_segments, 1)
    table = Table(title=f"Temaer i {summary.participant_segments} deltagersegmenter")
    for col in ("tema", "segmenter", "andel", "interviews"):
        table.add_column(col, justify="left" if col == "tema" else "right")
    for theme in summary.themes:
        count = summary.counts.get(theme, 0)
        table.add_row(theme, str(count), f"{count / n:.0%}", str(len(summary.interviews.get(theme, ()))))
    table.add_row("(intet mandattema)", str(summary.no_theme), f"{summary.no_theme / n:.0%}", "")
    table.add_row("usikre (til manuel gennemsyn)", str(summary.uncertain), f"{summary.uncertain / n:.0%}", "")
    console.print(table)


def _summarise(coded, clf):
    from temaer.batch import BatchSummary

    summary = BatchSummary(themes=tuple(clf.themes_))
    summary.add(coded)
    return summary


@app.command()
def classify(
    paths: PathsArg,
    out: OutTableOpt,
    metadata: MetadataOpt = None,
    model: ModelOpt = None,
) -> None:
    """Code every participant segment with the mandate themes and write the coded segments.

    Files are processed one at a time (memory stays flat); uncertain segments come first in the output.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from temaer.batch import classify_files
    from temaer.classifier import load_model
    from temaer.transcripts import iter_files

    console = _console()
    _check_out(out)
    clf = load_model(model)
    files = iter_files(paths)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console) as progress:
        file_task = progress.add_task("Filer", total=len(files))
        seg_task = progress.add_task("Segmenter kodet", total=None)

        def on_file(_path, n_segments: int) -> None:
            progress.advance(file_task)
            progress.advance(seg_task, n_segments)

        summary = classify_files(files, out, model=clf, metadata=metadata, on_file=on_file)
    _report_failures(summary.failures, console)
    if summary.files:
        _theme_summary(summary, console)
        console.print(f"Skrev {summary.segments} segmenter fra {summary.files} filer til {out} (usikre først)")
    _exit_if_failed(summary.failures, console)


def _codebook(path: Path | None):
    from temaer.codebook import Codebook

    return Codebook.load(path)


@app.command()
def train(
    segments_: Annotated[
        list[Path], typer.Option("--segments", help="Transcripts (files/folders) or a segments table.")
    ],
    coding: Annotated[Path, typer.Option("--coding", help="Coding table (segment_id, theme).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Model file to write (.skops).")],
    metadata: MetadataOpt = None,
    codebook: Annotated[Path | None, typer.Option("--codebook", help="Codebook YAML (default: kommissorium).")] = None,
) -> None:
    """Train a theme classifier on your own coding and save it (skops, no pickle)."""
    import pandas as pd

    from temaer.classifier import ThemeClassifier

    console = _console()
    _check_out(out, (".skops",))
    if len(segments_) == 1 and segments_[0].suffix.lower() in (".csv", ".xlsx", ".parquet"):
        p = segments_[0]
        reader = {".csv": pd.read_csv, ".xlsx": pd.read_excel, ".parquet": pd.read_parquet}[p.suffix.lower()]
        segs, failures = reader(p), []
    else:
        segs, failures = _read_with_progress(segments_, metadata, console)
    _report_failures(failures, console)
    if segs is None:
        raise typer.Exit(1)
    from temaer.coding import read_coding

    coded_ids = set(read_coding(coding, codebook=_codebook(codebook))["segment_id"])
    ghosts = sorted(coded_ids - set(segs["segment_id"].astype(str)))
    if ghosts:
        import warnings

        warnings.warn(f"{coding}: {len(ghosts)} of {len(coded_ids)} coded segment ids are not in the transcripts "
                      f"and are left out (e.g. {', '.join(ghosts[:3])})", UserWarning, stacklevel=1)
    with console.status("Træner model (krydsvalidering pr. interview)"):
        clf = ThemeClassifier(codebook).fit(segs, coding)
    clf.save(out)
    from rich.table import Table

    table = Table(title=f"Model trænet på {clf.n_train_} segmenter (krydsvalideret F1)")
    for col in ("tema", "positive", "CV-F1", "tærskel"):
        table.add_column(col, justify="left" if col == "tema" else "right")
    for theme, m in clf.cv_metrics_.items():
        table.add_row(theme, str(m["positives"]), f"{m['cv_f1']:.2f}", f"{m['threshold']:.2f}")
    console.print(table)
    console.print(f"Gemte modellen i {out}")
    _exit_if_failed(failures, console)


@app.command()
def analyse(
    paths: PathsArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder for rapport.html/.xlsx and segments.csv.")],
    metadata: MetadataOpt = None,
    model: ModelOpt = None,
    coding: Annotated[
        list[Path] | None,
        typer.Option("--coding", help="Human coding (segment_id, theme); repeat for several coders."),
    ] = None,
    topics: Annotated[bool, typer.Option("--topics/--no-topics", help="Look for emerging topics (BERTopic).")] = True,
    embedder: Annotated[str, typer.Option(help="Embedder for topics: auto, e5, tfidf or hybrid.")] = "auto",
) -> None:
    """The whole job: read, classify, find emerging topics, compare with human coding, write the report."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from temaer.io import write_table
    from temaer.report import build_report

    console = _console()
    t0 = time.perf_counter()
    if coding:
        from temaer.coding import read_coding

        for path in coding:  # a typo should not wait for classification and topics
            read_coding(path)
    segs, failures = _read_with_progress(paths, metadata, console)
    _report_failures(failures, console)
    if segs is None:
        console.print("[red]Ingen transskriptioner kunne læses[/red]")
        raise typer.Exit(1)
    coded, clf = _classify_with_progress(segs, model, console)
    coded.attrs["model_info"] = clf.info

    topic_result = None
    if topics:
        from temaer.topics import discover_topics

        with Progress(TextColumn("[bold]Finder nye emner"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console) as progress:
            task = progress.add_task("topics", total=None)

            def on_progress(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            topic_result = discover_topics(segs, coded=coded, embedder=embedder, random_state=0,
                                           progress=on_progress)
        topic_result.save(out / "emner")

    agreement = None
    if coding:
        from temaer.evaluate import compare_coders

        with console.status("Sammenligner med menneskelig kodning"):
            human = {p.stem: p for p in coding}
            if len(human) == 1:
                agreement = compare_coders({"temaer": coded}, reference=next(iter(human.values())),
                                           segments=segs)
            else:
                agreement = compare_coders({**human, "temaer": coded}, segments=segs)

    with console.status("Skriver rapport"):
        paths_written = build_report(coded, topics=topic_result, agreement=agreement, out=out,
                                     codebook=clf.codebook_)
        write_table(coded, out / "segments.csv")
    _theme_summary(_summarise(coded, clf), console)
    if topic_result is not None and len(topic_result.topics):
        emerging = topic_result.topics[topic_result.topics["emerging"]]
        console.print(f"Nye emner uden for kommissoriet: {len(emerging)} "
                      f"({', '.join(map(str, emerging['label'].head(6)))})")
    console.print(f"Rapport: {paths_written['html']}  Excel: {paths_written['xlsx']}  "
                  f"Segmenter: {out / 'segments.csv'}  ({time.perf_counter() - t0:.0f} s)")
    _exit_if_failed(failures, console)


@app.command()
def topics(
    paths: PathsArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder for tables, plots and model.")],
    metadata: MetadataOpt = None,
    coded: Annotated[Path | None, typer.Option("--coded", help="Classifier output (temaer classify).")] = None,
    mode: Annotated[str, typer.Option(help="emerging, all, guided or zeroshot.")] = "emerging",
    embedder: Annotated[str, typer.Option(help="auto, e5, tfidf or hybrid.")] = "auto",
    min_topic_size: Annotated[int | None, typer.Option(help="Smallest topic (default scales with N).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Find emerging topics (BERTopic) and write topics.csv/.xlsx, segments_topics.csv and HTML views."""
    from temaer._cli_topics import run_topics_command

    console = _console()
    result = run_topics_command(paths, metadata, out, coded=coded, mode=mode, embedder=embedder,
                                min_topic_size=min_topic_size, random_state=seed, console=console)
    if result.params.get("failed_files"):
        console.print(f"[red]{result.params['failed_files']} fil(er) kunne ikke læses[/red]")
        raise typer.Exit(1)


@app.command()
def evaluate(
    coding: Annotated[list[Path], typer.Option("--coding", "-c", help="Coding table (segment_id, theme); repeat.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Report file: .html or .xlsx.")],
    auto: Annotated[Path | None, typer.Option("--auto", help="Automatic codes (temaer classify output).")] = None,
    reference: Annotated[Path | None, typer.Option("--reference", "-r", help="Reference/gold coding.")] = None,
    segments: Annotated[
        Path | None, typer.Option("--segments", "-s", help="Segments table or transcript file/folder (adds text).")
    ] = None,
    codebook: Annotated[Path | None, typer.Option("--codebook", help="Codebook YAML (default: shipped).")] = None,
    n_boot: Annotated[int, typer.Option("--n-boot", help="Bootstrap resamples for intervals (0 = none).")] = 1000,
) -> None:
    """Agreement between coders (and the automatic codes): per-theme kappa, alpha, AC1, F1 and a report."""
    from rich.table import Table

    from temaer.coding import CodingError
    from temaer.evaluate import compare_coders, evaluation_report, load_segments

    console = _console()
    names: dict[str, Path] = {}
    for path in coding:
        name = path.stem
        while name in names or name in ("model", "reference"):
            name += "_"
        names[name] = path
    try:
        with console.status("Beregner overensstemmelse"):
            segs = load_segments(segments) if segments is not None else None
            written = evaluation_report(names, reference=reference, segments=segs, out=out, auto=auto,
                                        codebook=codebook, n_boot=n_boot)
            everyone = {**names, **({"model": auto} if auto is not None else {})}
            table = compare_coders(everyone, reference, codebook=codebook, segments=segs, n_boot=0) if (
                len(everyone) >= 2 or reference is not None) else None
    except (CodingError, FileNotFoundError, ValueError) as exc:
        console.print(f"[red]fejl[/red] {exc}", markup=True, highlight=False)
        raise typer.Exit(1) from None
    if table is not None:
        summary = Table(title="Overensstemmelse (alle temaer)")
        for col in ("sammenligning", "n", "κ samlet", "κ gns. temaer", "AC1", "F1"):
            summary.add_column(col, justify="left" if col == "sammenligning" else "right")
        for (kind, a, b), grp in table.groupby(["comparison", "coder_1", "coder_2"], sort=False):
            overall, macro = grp.set_index("theme").loc["overall"], grp.set_index("theme").loc["macro"]
            summary.add_row(a if kind == "all" else f"{a} – {b}", str(overall["n"]),
                            *(f"{v:.2f}" if v == v else "–" for v in
                              (overall["kappa"], macro["kappa"], overall["ac1"], overall["f1"])))
        console.print(summary)
    console.print(f"Rapport: {written}")


if __name__ == "__main__":  # pragma: no cover
    main()
