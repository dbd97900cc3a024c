"""Spread, quotes and the HTML/Excel report, checked against hand-computed counts."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pandas as pd
import pytest

from temaer.report import REPORT_SHEETS, build_report, cooccurrence, quotes, spread, trim_quote

NA = pd.NA


@pytest.fixture
def coded() -> pd.DataFrame:
    rows = [
        # segment_id, interview, group, hospital, role, speaker, roller, opgaver
        ("X1:1", "X1", "A", "H1", "interviewer", "I", NA, NA),
        ("X1:2", "X1", "A", "H1", "participant", "D1", True, False),
        ("X1:3", "X1", "A", "H1", "participant", "D2", True, True),
        ("X2:1", "X2", "A", "H2", "participant", "D1", False, True),
        ("X2:2", "X2", "A", "H2", "participant", "D2", False, False),
        ("X3:1", "X3", "B", "H1", "participant", "D1", True, False),
    ]
    df = pd.DataFrame(rows, columns=["segment_id", "interview_id", "interessentgruppe", "hospital", "role",
                                     "speaker", "roller", "opgaver"])
    df["roller"] = df["roller"].astype("boolean")
    df["opgaver"] = df["opgaver"].astype("boolean")
    df["text"] = [
        "Hvad laver I?",
        "Vi er jo spindlen i nettet her i afdelingen, alt går gennem os på et tidspunkt.",
        "Jeg er koordinator for forløbene. Jeg booker også alle tider og koder i LPR hver dag.",
        "Jeg sidder med visitationen af henvisninger og indkaldelsesbreve til patienterne.",
        "Ja, det er rigtigt.",
        "Vi ser os selv som bindeleddet mellem lægerne, patienterne og systemerne på hospitalet.",
    ]
    df["start"] = 0
    df["end"] = df["text"].str.len()
    df["p_roller"] = [None, 0.9, 0.8, 0.1, 0.05, 0.95]
    return df


def test_spread_segments_by_group(coded):
    s = spread(coded, "interessentgruppe", "segment").set_index(["interessentgruppe", "theme"])
    assert s.loc[("A", "roller"), ["n", "count"]].tolist() == [4, 2]
    assert s.loc[("A", "opgaver"), ["n", "count"]].tolist() == [4, 2]
    assert s.loc[("B", "roller"), ["n", "count", "share"]].tolist() == [1, 1, 1.0]
    assert s.loc[("B", "opgaver"), "count"] == 0
    assert s.loc[("A", "roller"), "share"] == 0.5


def test_spread_interviews_by_group_and_hospital(coded):
    g = spread(coded, "interessentgruppe", "interview").set_index(["interessentgruppe", "theme"])
    assert g.loc[("A", "roller"), ["n", "count"]].tolist() == [2, 1]  # only X1 mentions roller
    assert g.loc[("A", "opgaver"), ["n", "count", "share"]].tolist() == [2, 2, 1.0]
    h = spread(coded, "hospital", "interview").set_index(["hospital", "theme"])
    assert h.loc[("H1", "roller"), ["n", "count"]].tolist() == [2, 2]
    assert h.loc[("H1", "opgaver"), "count"] == 1
    assert h.loc[("H2", "roller"), "count"] == 0 and h.loc[("H2", "opgaver"), "count"] == 1


def test_spread_crossed_groups_and_labels(coded):
    s = spread(coded, ["interessentgruppe", "hospital"], "segment")
    row = s[(s.interessentgruppe == "A") & (s.hospital == "H1") & (s.theme == "opgaver")].iloc[0]
    assert (row["n"], row["count"]) == (2, 1)
    assert row["label"].startswith("Opgave")
    with pytest.raises(ValueError, match="unit"):
        spread(coded, unit="sentence")
    with pytest.raises(ValueError, match="no column"):
        spread(coded, by="region")


def test_cooccurrence(coded):
    co = cooccurrence(coded)
    assert co.loc["roller", "opgaver"] == 1
    assert co.loc["roller", "roller"] == 3 and co.loc["opgaver", "opgaver"] == 2


def test_quotes_are_diverse_and_traceable(coded):
    q = quotes(coded, "roller", n=2, min_chars=20)
    assert len(q) == 2
    assert q["interview_id"].nunique() == 2  # not both from X1
    assert q.iloc[0]["segment_id"] == "X3:1"  # highest probability first
    for r in q.itertuples():
        text = coded.set_index("segment_id").loc[r.segment_id, "text"]
        assert text[r.start : r.end] == r.quote.removesuffix(" …")


def test_quotes_by_group(coded):
    q = quotes(coded, "roller", n=1, by="interessentgruppe", min_chars=20)
    assert q["interessentgruppe"].tolist() == ["A", "B"]


def test_trim_quote_at_sentence_boundary():
    text = "Første sætning er her. Anden sætning kommer så. Tredje er meget lang og bliver skåret væk til sidst."
    quote, off, length = trim_quote(text, max_chars=50)
    assert quote == "Første sætning er her. Anden sætning kommer så. …"
    assert text[off : off + length] == "Første sætning er her. Anden sætning kommer så."


def test_build_report_html_and_workbook(coded, tmp_path):
    paths = build_report(coded, out=tmp_path)
    doc = paths["html"].read_text(encoding="utf-8")
    assert "Primære roller i hospitalernes afdelinger" in doc and "Metode og pålidelighed" in doc
    assert "<script src=\"http" not in doc  # self-contained: plotly.js inlined
    assert doc.count("spindlen i nettet") >= 1
    wb = openpyxl.load_workbook(paths["xlsx"], read_only=True)
    expected = [s for s in REPORT_SHEETS if s not in ("nye_emner", "enighed")]
    assert wb.sheetnames == expected
    ws = wb["grupper_segmenter"]
    header = [c.value for c in next(ws.iter_rows(max_row=1))]
    assert header == ["interessentgruppe", "theme", "label", "n", "count", "share"]


@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian chromium not installed")
def test_report_renders_in_headless_chromium(coded, tmp_path):
    paths = build_report(coded, out=tmp_path)
    png = tmp_path / "shot.png"
    proc = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         f"--screenshot={png}", "--window-size=1200,2000", paths["html"].as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert png.exists() and png.stat().st_size > 10_000
    # Chromium logs every console message (errors included) as ":CONSOLE"; the report should log none.
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []


def test_quotes_and_spread_with_missing_columns_and_groups(coded):
    bare = coded.drop(columns=["interview_id", "speaker"])
    q = quotes(bare, "roller", n=3, min_chars=20)
    assert len(q) == 3 and q["interview_id"].isna().all()
    with pytest.raises(ValueError, match="needs an 'interview_id' column"):
        spread(bare, unit="interview")
    gaps = coded.assign(interessentgruppe=["A", None, "", "A", "A", "B"])
    by_group = quotes(gaps, "roller", n=2, by="interessentgruppe", min_chars=20)
    assert set(by_group["interessentgruppe"]) <= set(spread(gaps, unit="segment")["interessentgruppe"])
    assert "(ukendt)" in set(by_group["interessentgruppe"])
