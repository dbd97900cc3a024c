"""temaer.evaluate on small hand-made fixtures with hand-computed expected values.

Fixture: two interviews (i1, i2) of four segments, themes ``roller`` (r) and ``opgaver`` (o).

    segment  A      B    gold      per theme (A / B / gold)
    i1:1     r      r    r         roller  1 1 0 0 | 1 0 0 0   (A)
    i1:2     r;o    r    r;o               1 1 0 0 | 0 0 0 1   (B)
    i1:3     -      -    -                 1 1 0 0 | 1 0 0 1   (gold)
    i1:4     o      o    o         opgaver 0 1 0 1 | 0 0 1 0   (A, gold)
    i2:1     r      -    r                 0 0 0 1 | 0 0 1 0   (B)
    i2:2     -      -    -
    i2:3     o      o    o         ("-" = coded with no theme)
    i2:4     -      r    r

A vs B, roller: cells 11=2, 10=1, 01=1, 00=4 -> agreement 6/8, kappa 7/15, alpha 1/2, AC1 9/17.
A vs B, opgaver: 11=2, 10=1, 01=0, 00=5 -> agreement 7/8, kappa 5/7.
Pooled ("overall"): 11=4, 10=2, 01=1, 00=9 -> kappa 17/29; "macro" kappa (7/15 + 5/7) / 2.
B vs gold, roller: 11=3, 10=0, 01=1, 00=4 -> precision 1, recall 3/4, F1 6/7, kappa 3/4;
opgaver: 11=2, 10=0, 01=1 -> precision 1, recall 2/3, F1 4/5.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from temaer.agreement import gwet_ac1, krippendorff_alpha, percent_agreement
from temaer.coding import CodingError
from temaer.evaluate import (
    _verdict,
    character_agreement,
    compare_coders,
    disagreements,
    evaluation_report,
    masi_alpha,
    model_vs_humans,
    spans_to_segments,
)

THEMES = ["roller", "opgaver"]
SEGS = ["i1:1", "i1:2", "i1:3", "i1:4", "i2:1", "i2:2", "i2:3", "i2:4"]


def long(codes: list[str], segs: list[str] = SEGS) -> pd.DataFrame:
    rows = [(s, t) for s, c in zip(segs, codes, strict=True) for t in (c.split(";") if c else [""])]
    return pd.DataFrame(rows, columns=["segment_id", "theme"])


A = long(["roller", "roller;opgaver", "", "opgaver", "roller", "", "opgaver", ""])
B = long(["roller", "roller", "", "opgaver", "", "", "opgaver", "roller"])
GOLD = long(["roller", "roller;opgaver", "", "opgaver", "roller", "", "opgaver", "roller"])
C = long(["roller", "", "", "opgaver"], SEGS[:4])  # coded only interview i1


def row(table: pd.DataFrame, theme: str, kind: str = "pair", c1: str = "A", c2: str = "B"):
    sel = table[(table["comparison"] == kind) & (table["coder_1"] == c1) & (table["coder_2"] == c2)
                & (table["theme"] == theme)]
    assert len(sel) == 1, (kind, c1, c2, theme)
    return sel.iloc[0]


# ----------------------------------------------------------------------------- compare_coders


def test_pair_statistics_by_hand():
    table = compare_coders({"A": A, "B": B}, codebook=THEMES, n_boot=0)
    r = row(table, "roller")
    assert r["n"] == 8
    assert r["prevalence_A"] == pytest.approx(3 / 8)
    assert r["prevalence_B"] == pytest.approx(3 / 8)
    assert r["percent_agreement"] == pytest.approx(6 / 8)
    assert r["kappa"] == pytest.approx(7 / 15)
    assert r["alpha"] == pytest.approx(1 / 2)
    assert r["ac1"] == pytest.approx(9 / 17)
    assert math.isnan(r["f1"]) and math.isnan(r["kappa_low"])  # no reference, no bootstrap
    assert row(table, "opgaver")["kappa"] == pytest.approx(5 / 7)
    assert row(table, "overall")["kappa"] == pytest.approx(17 / 29)
    assert row(table, "overall")["percent_agreement"] == pytest.approx(13 / 16)
    assert row(table, "macro")["kappa"] == pytest.approx((7 / 15 + 5 / 7) / 2)
    assert list(table["theme"]) == ["roller", "opgaver", "overall", "macro"]


def test_reference_precision_recall_f1_by_hand():
    table = compare_coders({"A": A, "B": B}, reference=GOLD, codebook=THEMES, n_boot=0)
    r = row(table, "roller", "reference", "B", "reference")
    assert (r["precision"], r["recall"]) == (1.0, pytest.approx(3 / 4))
    assert r["f1"] == pytest.approx(6 / 7)
    assert r["kappa"] == pytest.approx(3 / 4)
    o = row(table, "opgaver", "reference", "B", "reference")
    assert (o["precision"], o["recall"], o["f1"]) == (1.0, pytest.approx(2 / 3), pytest.approx(4 / 5))
    # micro F1 pools the counts: tp 5, fp 0, fn 2 -> 10/12; macro F1 averages 6/7 and 4/5.
    assert row(table, "overall", "reference", "B", "reference")["f1"] == pytest.approx(10 / 12)
    assert row(table, "macro", "reference", "B", "reference")["f1"] == pytest.approx((6 / 7 + 4 / 5) / 2)
    # A equals gold except i2:4 (roller missed): recall 3/4, precision 1.
    assert row(table, "roller", "reference", "A", "reference")["recall"] == pytest.approx(3 / 4)
    # The reference can also be one of the codings, named.
    named = compare_coders({"A": A, "B": B, "gold": GOLD}, reference="gold", codebook=THEMES, n_boot=0)
    assert row(named, "roller", "reference", "B", "gold")["f1"] == pytest.approx(6 / 7)
    assert set(named["comparison"]) == {"pair", "reference"}


def test_missing_segments_and_all_coders_row():
    with pytest.warns(UserWarning, match="cover different segments .not coded: C 4 of 8"):
        table = compare_coders({"A": A, "B": B, "C": C}, codebook=THEMES, n_boot=0)
    # C coded only i1: the A-C pair is compared on those 4 segments.
    ac = row(table, "roller", "pair", "A", "C")
    assert ac["n"] == 4
    assert ac["percent_agreement"] == pytest.approx(3 / 4)  # differ on i1:2 only
    everyone = row(table, "roller", "all", "A, B, C", "")
    assert everyone["n"] == 8
    # The all-coders figures equal the agreement module on the coders x segments matrix.
    nan = None
    roller = [[1, 1, 0, 0, 1, 0, 0, 0], [1, 1, 0, 0, 0, 0, 0, 1], [1, 0, 0, 0, nan, nan, nan, nan]]
    assert everyone["alpha"] == pytest.approx(krippendorff_alpha(roller))
    assert everyone["ac1"] == pytest.approx(gwet_ac1(roller, categories=[0, 1]))
    assert everyone["percent_agreement"] == pytest.approx(percent_agreement(roller))
    assert everyone["prevalence_C"] == pytest.approx(1 / 4)
    assert math.isnan(everyone["kappa"])


def test_interview_cluster_bootstrap_by_hand():
    # Per interview, roller A vs B: i1 agrees perfectly; i2 has 1 A-only and 1 B-only segment.
    # Resampling the two interviews gives kappa 1 (i1+i1), 7/15 (i1+i2) or -1/3 (i2+i2).
    table = compare_coders({"A": A, "B": B}, codebook=THEMES, n_boot=400, random_state=1)
    r = row(table, "roller")
    assert r["kappa_low"] == pytest.approx(-1 / 3)
    assert r["kappa_high"] == pytest.approx(1.0)
    assert r["percent_agreement_low"] == pytest.approx(0.5)
    # Resampling segments instead gives other values; the same seed gives the same table.
    by_segment = compare_coders({"A": A, "B": B}, codebook=THEMES, n_boot=400, cluster=None,
                                random_state=1)
    assert row(by_segment, "roller")["kappa_low"] != pytest.approx(-1 / 3)
    again = compare_coders({"A": A, "B": B}, codebook=THEMES, n_boot=400, random_state=1)
    pd.testing.assert_frame_equal(table, again)


def test_interview_id_from_segments_table():
    # Segment ids without ':' and the interview given by the segments table.
    ids = [f"s{i}" for i in range(8)]
    rename = dict(zip(SEGS, ids, strict=True))
    segs = pd.DataFrame({"segment_id": ids, "interview_id": ["x"] * 4 + ["y"] * 4})
    a, b = A.replace({"segment_id": rename}), B.replace({"segment_id": rename})
    r = row(compare_coders({"A": a, "B": b}, codebook=THEMES, segments=segs, n_boot=400,
                           random_state=1), "roller")
    assert (r["kappa_low"], r["kappa_high"]) == (pytest.approx(-1 / 3), pytest.approx(1.0))


def test_segments_limit_the_comparison_and_drop_interviewer_rows():
    segs = pd.DataFrame({"segment_id": SEGS, "role": ["participant"] * 4 + ["interviewer"] * 4})
    r = row(compare_coders({"A": A, "B": B}, codebook=THEMES, segments=segs, n_boot=0), "roller")
    assert r["n"] == 4 and r["percent_agreement"] == 1.0


def test_accepts_classify_style_wide_tables():
    # classify output: bool column per theme, <NA> on interviewer rows, extra columns ignored.
    wide = pd.DataFrame({
        "segment_id": [*SEGS, "i2:5"],
        "role": ["participant"] * 8 + ["interviewer"],
        "roller": pd.array([True, True, False, False, False, False, False, True, pd.NA], "boolean"),
        "opgaver": pd.array([False, False, False, True, False, False, True, False, pd.NA], "boolean"),
        "p_roller": 0.5, "themes": "", "uncertain": False,
    })
    table = compare_coders({"A": A, "model": wide}, codebook=THEMES, n_boot=0)
    assert row(table, "roller", "pair", "A", "model")["kappa"] == pytest.approx(7 / 15)
    assert row(table, "roller", "pair", "A", "model")["n"] == 8


def test_compare_coders_validation():
    with pytest.raises(ValueError, match="at least two codings"):
        compare_coders({"A": A}, codebook=THEMES)
    with pytest.raises(CodingError, match="'B'.*unknown theme"):
        compare_coders({"A": A, "B": long(["rolle"] * 8)}, codebook=THEMES)
    with pytest.raises(ValueError, match="n_boot"):
        compare_coders({"A": A, "B": B}, codebook=THEMES, n_boot=-1)
    with pytest.raises(CodingError, match="no coded segment"):
        compare_coders({"A": A, "B": B}, codebook=THEMES, segments=pd.DataFrame({"segment_id": ["z"]}))
    with pytest.raises(TypeError, match="mapping"):
        compare_coders(A, codebook=THEMES)


def test_undefined_kappa_is_nan_not_an_error():
    none = long([""] * 8)
    r = row(compare_coders({"A": none, "B": none}, codebook=THEMES, n_boot=50), "roller")
    assert math.isnan(r["kappa"]) and math.isnan(r["alpha"])
    assert r["percent_agreement"] == 1.0 and r["ac1"] == 1.0


# ----------------------------------------------------------------------------- model vs humans


def test_model_vs_humans_by_hand():
    out = model_vs_humans(A, B, B, GOLD, codebook=THEMES, n_boot=0).set_index("theme")
    assert out.loc["roller", "kappa_ab"] == pytest.approx(7 / 15)
    assert out.loc["roller", "kappa_model_gold"] == pytest.approx(3 / 4)
    assert out.loc["roller", "kappa_model_b"] == pytest.approx(1.0)
    assert out.loc["roller", "difference"] == pytest.approx(3 / 4 - 7 / 15)
    assert out.loc["roller", "verdict"] == "as reliable"
    # A model that never codes anything: kappa 0 against gold -> less reliable.
    silent = model_vs_humans(A, B, long([""] * 8), GOLD, codebook=THEMES, n_boot=0)
    assert silent.set_index("theme").loc["roller", "kappa_model_gold"] == 0.0
    assert silent.set_index("theme").loc["roller", "verdict"] == "less reliable"
    # Without gold, the model is compared with the humans: mean(kappa M-A, kappa M-B) - kappa A-B.
    no_gold = model_vs_humans(A, B, B, codebook=THEMES, n_boot=0).set_index("theme")
    assert no_gold.loc["roller", "difference"] == pytest.approx((7 / 15 + 1) / 2 - 7 / 15)
    assert math.isnan(no_gold.loc["roller", "kappa_model_gold"])


def test_model_vs_humans_uses_common_segments_and_paired_intervals():
    out = model_vs_humans(A, B, C, GOLD, codebook=THEMES, n_boot=200).set_index("theme")
    assert (out["n"] == 4).all()  # C coded only interview i1
    r = out.loc["overall"]
    assert r["difference_low"] <= r["difference"] <= r["difference_high"]
    assert set(out["verdict"]) <= {"more reliable", "as reliable", "less reliable",
                                   "inconclusive", "undefined"}


@pytest.mark.parametrize(
    ("diff", "low", "high", "expected"),
    [(0.2, 0.1, 0.3, "more reliable"), (0.0, -0.04, 0.05, "as reliable"),
     (-0.3, -0.4, -0.2, "less reliable"), (-0.05, -0.2, 0.1, "inconclusive"),
     (math.nan, math.nan, math.nan, "undefined")],
)
def test_verdict_rules(diff, low, high, expected):
    stats = {"difference": diff, "difference_low": low, "difference_high": high}
    assert _verdict(stats, 0.05, True) == expected


# ----------------------------------------------------------------------------- whole segments


def test_masi_alpha_by_hand():
    # Disagreements: i1:2 {r,o}/{r} (MASI 2/3), i2:1 {r}/{} (1), i2:4 {}/{r} (1) -> Do = 1/3.
    # Pooled values: {r} 5, {r,o} 1, {} 6, {o} 4 -> De = 172/240; alpha = 1 - 240/516 = 23/43.
    assert masi_alpha({"A": A, "B": B}, codebook=THEMES) == pytest.approx(23 / 43)
    assert masi_alpha({"A": A, "B": A}, codebook=THEMES) == 1.0


def test_disagreements_lists_who_coded_what():
    segs = pd.DataFrame({"segment_id": SEGS, "text": [f"tekst {s}" for s in SEGS]})
    out = disagreements({"A": A, "B": B, "C": C}, segs, codebook=THEMES)
    assert list(out.columns) == ["segment_id", "text", "A", "B", "C", "disputed"]
    assert list(out["segment_id"]) == ["i1:2", "i2:1", "i2:4"]
    first = out.iloc[0]
    assert (first["text"], first["A"], first["B"], first["C"], first["disputed"]) == (
        "tekst i1:2", "roller;opgaver", "roller", "", "roller;opgaver")
    assert math.isnan(out.iloc[1]["C"])  # C did not code i2:1
    assert out.iloc[1]["disputed"] == "roller"


# ----------------------------------------------------------------------------- spans


SPAN_SEGS = pd.DataFrame({
    "segment_id": ["d:1", "d:2", "d:3", "d:4", "e:1"],
    "interview_id": ["d", "d", "d", "d", "e"],
    "source": ["corpus/d.txt"] * 4 + ["corpus/e.txt"],
    "role": ["participant", "participant", "participant", "interviewer", "participant"],
    "start": [0, 10, 20, 40, 0],
    "end": [10, 20, 40, 50, 30],
})


def test_spans_to_segments_share_of_segment():
    spans = pd.DataFrame({
        "source": ["d.txt", "d", "d"],  # file name or stem/interview id both resolve
        "start": [5, 20, 22], "end": [15, 28, 30], "theme": ["roller", "opgaver", "opgaver"],
    })
    # roller covers 5/10 of d:1 and d:2; the two opgaver spans cover [20, 30) = 10/20 of d:3
    # (their union, not the 16 characters of their sum).
    out = spans_to_segments(spans, SPAN_SEGS, codebook=THEMES)
    assert out.to_dict("list") == {"segment_id": ["d:1", "d:2", "d:3"],
                                   "theme": ["roller", "roller", "opgaver"]}
    strict = spans_to_segments(spans, SPAN_SEGS, codebook=THEMES, min_overlap=0.6)
    assert strict.to_dict("list") == {"segment_id": ["d:1", "d:2", "d:3"], "theme": ["", "", ""]}
    # e.txt has no spans, so its segments are not coded; d:4 is an interviewer turn.
    assert "e:1" not in set(out["segment_id"]) and "d:4" not in set(out["segment_id"])


def test_spans_to_segments_share_of_span_and_coders():
    spans = pd.DataFrame({"source": ["corpus/d.txt"] * 2, "start": [12, 12], "end": [14, 14],
                          "theme": ["roller", "roller"], "coder": ["x", "y"]})
    assert spans_to_segments(spans, SPAN_SEGS, codebook=THEMES).query("theme != ''").empty
    by_span = spans_to_segments(spans, SPAN_SEGS, codebook=THEMES, of="span")
    assert by_span.query("theme == 'roller'")[["segment_id", "coder"]].values.tolist() == [
        ["d:2", "x"], ["d:2", "y"]]
    assert set(by_span.columns) == {"segment_id", "theme", "coder"}


def test_spans_validation():
    good = {"source": ["d"], "start": [0], "end": [5], "theme": ["roller"]}
    with pytest.raises(CodingError, match="not in the segments table"):
        spans_to_segments(pd.DataFrame({**good, "source": ["zz"]}), SPAN_SEGS, codebook=THEMES)
    with pytest.raises(CodingError, match="unknown theme"):
        spans_to_segments(pd.DataFrame({**good, "theme": ["x"]}), SPAN_SEGS, codebook=THEMES)
    with pytest.raises(CodingError, match="end must be greater"):
        spans_to_segments(pd.DataFrame({**good, "end": [0]}), SPAN_SEGS, codebook=THEMES)
    with pytest.raises(CodingError, match="missing column"):
        spans_to_segments(pd.DataFrame({"source": ["d"]}), SPAN_SEGS, codebook=THEMES)
    with pytest.raises(ValueError, match="min_overlap"):
        spans_to_segments(pd.DataFrame(good), SPAN_SEGS, codebook=THEMES, min_overlap=2)


def test_character_agreement_by_hand():
    a = pd.DataFrame({"source": ["s"], "start": [0], "end": [50], "theme": ["roller"]})
    b = pd.DataFrame({"source": ["s", "s"], "start": [0, 60], "end": [40, 70],
                      "theme": ["roller", "opgaver"]})
    out = character_agreement(a, b, lengths={"s": 100}, codebook=THEMES).set_index("theme")
    # roller: both 40, only A 10, neither 50 -> 0.9; kappa (0.9 - 0.5) / 0.5 = 0.8.
    assert out.loc["roller", ["both", "only_a", "only_b", "neither"]].tolist() == [0.4, 0.1, 0, 0.5]
    assert out.loc["roller", "kappa"] == pytest.approx(0.8)
    # opgaver: only B 10 of 100 -> agreement 0.9, kappa 0.
    assert out.loc["opgaver", "percent_agreement"] == pytest.approx(0.9)
    assert out.loc["opgaver", "kappa"] == pytest.approx(0.0)
    # overall pools 200 theme-characters: kappa (0.9 - 0.625) / 0.375.
    assert out.loc["overall", "n_chars"] == 200
    assert out.loc["overall", "kappa"] == pytest.approx(0.275 / 0.375)
    # Only the characters inside segments count when a segments table is given.
    segs = pd.DataFrame({"segment_id": ["s:1"], "source": ["s"], "start": [0], "end": [60]})
    inside = character_agreement(a, b, segments=segs, codebook=THEMES).set_index("theme")
    assert inside.loc["roller", "n_chars"] == 60
    assert inside.loc["roller", "percent_agreement"] == pytest.approx(50 / 60)
    per_source = character_agreement(a, b, lengths={"s": 100}, codebook=THEMES, by_source=True)
    assert list(per_source["source"].unique()) == ["s"]


# ----------------------------------------------------------------------------- report + CLI


def test_html_report(tmp_path):
    segs = pd.DataFrame({"segment_id": SEGS, "interview_id": ["i1"] * 4 + ["i2"] * 4,
                         "text": [f"tekst {s}" for s in SEGS]})
    path = evaluation_report({"A": A, "B": B}, reference=GOLD, segments=segs,
                             out=tmp_path / "rapport.html", auto=C, codebook=THEMES, n_boot=20)
    text = path.read_text(encoding="utf-8")
    for heading in ("Evaluering af kodning", "Overensstemmelse pr. tema", "Kodere parvis",
                    "Sammenligning med reference", "Er modellen lige så pålidelig",
                    "MASI", "Uenigheder", "Om tallene"):
        assert heading in text
    assert "plotly" in text.lower() and "tekst i1:2" in text
    assert "0,47" in text  # kappa A-B roller 7/15, Danish decimal comma
    assert not list(tmp_path.glob(".rapport*"))  # atomic write left no temporary file
    no_ref = evaluation_report({"A": A, "B": B}, out=tmp_path / "uden.html", auto=C,
                               codebook=THEMES, n_boot=0).read_text(encoding="utf-8")
    assert "Uden reference" in no_ref and "Sammenligning med reference" not in no_ref
    with pytest.raises(ValueError, match="at least two codings"):
        evaluation_report({"A": A}, out=tmp_path / "x.html", codebook=THEMES)


def test_xlsx_report(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = evaluation_report({"A": A, "B": B}, reference=GOLD, out=tmp_path / "r.xlsx",
                             codebook=THEMES, n_boot=0)
    book = openpyxl.load_workbook(path)
    assert {"Overensstemmelse", "MASI alpha", "Uenigheder", "Om tallene"} <= set(book.sheetnames)
    sheet = pd.read_excel(path, sheet_name="Overensstemmelse")
    r = sheet[(sheet["coder_1"] == "A") & (sheet["coder_2"] == "B") & (sheet["theme"] == "roller")]
    assert r["kappa"].iloc[0] == pytest.approx(7 / 15)
    with pytest.raises(ValueError, match="html or .xlsx"):
        evaluation_report({"A": A, "B": B}, out=tmp_path / "r.pdf", codebook=THEMES)


def test_cli_evaluate(tmp_path):
    from typer.testing import CliRunner

    from temaer.cli import app

    A.to_csv(tmp_path / "coder_a.csv", index=False)
    B.to_csv(tmp_path / "coder_b.csv", index=False)
    GOLD.to_csv(tmp_path / "gold.csv", index=False)
    out = tmp_path / "rapport.html"
    result = CliRunner().invoke(app, [
        "evaluate", "--coding", str(tmp_path / "coder_a.csv"), "--coding", str(tmp_path / "coder_b.csv"),
        "--reference", str(tmp_path / "gold.csv"), "--out", str(out), "--n-boot", "20",
    ])
    assert result.exit_code == 0, result.output
    assert out.is_file() and "Evaluering af kodning" in out.read_text(encoding="utf-8")
    bad = CliRunner().invoke(app, ["evaluate", "--coding", str(tmp_path / "coder_a.csv"),
                                   "--out", str(tmp_path / "x.html")])
    assert bad.exit_code == 1


def test_bootstrap_intervals_bracket_estimates_on_random_data():
    rng = np.random.default_rng(0)
    segs = [f"i{i}:{j}" for i in range(12) for j in range(15)]
    truth = rng.random((len(segs), 2)) < 0.3

    def coder(p):
        m = truth ^ (rng.random(truth.shape) < p)
        return long([";".join(t for t, v in zip(THEMES, r, strict=True) if v) for r in m], segs)

    table = compare_coders({"A": coder(0.1), "B": coder(0.1)}, reference=coder(0.0),
                           codebook=THEMES, n_boot=300)
    for m in ("kappa", "alpha", "ac1", "percent_agreement"):
        assert (table[f"{m}_low"] <= table[m] + 1e-12).all()
        assert (table[m] <= table[f"{m}_high"] + 1e-12).all()
