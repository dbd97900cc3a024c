"""The command line: summaries, error isolation per file, exit codes, outputs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
from typer.testing import CliRunner

from temaer.cli import app

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
runner = CliRunner()


def _inputs(tmp_path: Path) -> list[str]:
    bad = tmp_path / "tom.txt"
    bad.write_text("", encoding="utf-8")
    return [str(CORPUS / "transcripts" / "LS01.txt"), str(CORPUS / "transcripts" / "LAE02.vtt"), str(bad)]


def test_help_is_instant_and_light():
    code = ("import sys, temaer.cli\n"
            "bad = [m for m in ('sklearn', 'spacy', 'bertopic', 'pandas') if m in sys.modules]\n"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "classify" in result.output and "analyse" in result.output


def test_segments_summary_and_failed_file(tmp_path):
    out = tmp_path / "segs.xlsx"
    result = runner.invoke(app, ["segments", *_inputs(tmp_path), "--metadata", str(CORPUS / "metadata.csv"),
                                 "--out", str(out)])
    assert result.exit_code == 1  # one file failed
    assert "tom.txt" in result.output and "empty transcript" in result.output
    segs = pd.read_excel(out)
    assert set(segs["interview_id"]) == {"LS01", "LAE02"}
    assert set(segs.loc[segs.interview_id == "LAE02", "hospital"]) == {"Regionshospitalet Gødstrup"}


def test_segments_mentions_preamble_notes(tmp_path):
    f = tmp_path / "n.txt"
    f.write_text("Interview om booking, optaget i marts\n\nI: Hvad laver du?\nIP: Jeg booker.\n", encoding="utf-8")
    result = runner.invoke(app, ["segments", str(f)])
    assert result.exit_code == 0
    assert "1 noter" in result.output and "kodes ikke" in result.output


def test_classify_streams_and_isolates_errors(tmp_path):
    out = tmp_path / "kodet.csv"
    result = runner.invoke(app, ["classify", *_inputs(tmp_path), "--out", str(out)])
    assert result.exit_code == 1 and "tom.txt" in result.output
    coded = pd.read_csv(out, encoding="utf-8-sig")
    assert set(coded["interview_id"]) == {"LS01", "LAE02"}
    part = coded[coded["role"] == "participant"]
    assert part["themes"].notna().any() and coded.loc[coded["role"] == "interviewer", "roller"].isna().all()
    flags = part["uncertain"].astype(bool).tolist()
    assert flags == sorted(flags, reverse=True)  # uncertain segments first
    assert not list(tmp_path.glob(".temaer-*")) and not list(tmp_path.glob(".kodet*"))  # no temp files left


def test_classify_bad_output_type(tmp_path):
    result = runner.invoke(app, ["classify", str(CORPUS / "transcripts" / "LS01.txt"), "--out",
                                 str(tmp_path / "x.json")])
    assert result.exit_code != 0


def test_train_then_classify_with_own_model(tmp_path):
    model = tmp_path / "m.skops"
    segs = [str(CORPUS / "transcripts" / f) for f in ("LS01.txt", "LS04.txt", "LS05.txt", "SPL01.txt")]
    result = runner.invoke(app, ["train", *sum((["--segments", s] for s in segs), []), "--coding",
                                 str(CORPUS / "coding" / "gold.csv"), "--out", str(model)])
    assert result.exit_code == 0, result.output
    assert model.exists()
    out = tmp_path / "k.parquet"
    result = runner.invoke(app, ["classify", segs[0], "--model", str(model), "--out", str(out)])
    assert result.exit_code == 0
    assert len(pd.read_parquet(out)) > 50


def test_analyse_without_topics(tmp_path):
    out = tmp_path / "rapport"
    result = runner.invoke(app, ["analyse", str(CORPUS / "transcripts" / "LS01.txt"),
                                 str(CORPUS / "transcripts" / "AL01.txt"), "--metadata", str(CORPUS / "metadata.csv"),
                                 "--coding", str(CORPUS / "coding" / "gold.csv"), "--no-topics", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "rapport.html").exists() and (out / "segments.csv").exists()
    sheets = openpyxl.load_workbook(out / "rapport.xlsx", read_only=True).sheetnames
    assert "enighed" in sheets and "segmenter" in sheets


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "temaer.cli", *args], capture_output=True, text=True)


def test_user_errors_are_one_line_not_tracebacks(tmp_path):
    ls01 = str(CORPUS / "transcripts" / "LS01.txt")
    fake = tmp_path / "fake.skops"
    fake.write_text("not a model", encoding="utf-8")
    for args, message in (
        (["classify", ls01, "--out", str(tmp_path / "x.json")], "unsupported output type '.json'"),
        (["classify", ls01, "--model", str(fake), "--out", str(tmp_path / "x.csv")], "not a temaer model file"),
        (["segments", ls01, "--out", str(fake / "y.csv")], "fake.skops is a file, not a folder"),
    ):
        run = _cli(*args)
        assert run.returncode == 1, args
        assert "Traceback" not in run.stderr and "fejl" in run.stderr and message in " ".join(run.stderr.split())


def test_duplicate_ids_empty_folders_and_missing_paths_are_reported(tmp_path):
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "LS01.txt").write_bytes((CORPUS / "transcripts" / "LS01.txt").read_bytes())
    (tmp_path / "empty").mkdir()
    (tmp_path / "a" / "notes.pdf").write_bytes(b"%PDF")
    out = tmp_path / "k.csv"
    result = runner.invoke(app, ["classify", str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "empty"),
                                 str(tmp_path / "gone"), "--out", str(out)])
    text = " ".join(result.output.split())
    assert result.exit_code == 1
    assert "interview id 'LS01' is used by several files" in text
    assert "no transcript files in this folder" in text and "file or folder not found" in text
    assert "skipped 1 file(s) that are not transcripts (notes.pdf)" in text
    coded = pd.read_csv(out, encoding="utf-8-sig")
    assert not coded["segment_id"].duplicated().any() and set(coded["interview_id"]) == {"LS01"}
