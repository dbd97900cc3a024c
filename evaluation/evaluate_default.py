"""Coder agreement and model-vs-human figures for ``corpus/README.md`` and ``models/README.md``.

(a) Human coder A vs coder B per theme: Cohen's kappa, Krippendorff's alpha, Gwet's AC1, percent
    agreement (95 % bootstrap intervals resampling whole interviews), on the whole corpus and on
    the test split, plus set-valued (MASI) alpha over whole segments.
(b) The shipped model (``temaer.load_model()``) against the gold standard on the test split
    (precision, recall, F1, kappa; micro = "overall", macro = mean over themes), side by side with
    A vs B on the same segments, and the per-theme answer to "is the model as reliable as a second
    human coder?" (``temaer.evaluate.model_vs_humans``).

Run: ``uv run python evaluation/evaluate_default.py [--out evaluation/agreement.md] [--n-boot 1000]``
Prints markdown tables; parts whose inputs do not exist yet are skipped with a note.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import pandas as pd

from temaer.codebook import Codebook
from temaer.coding import read_coding
from temaer.evaluate import compare_coders, masi_alpha, model_vs_humans
from temaer.transcripts import read_transcripts

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
THEME_ORDER = (*Codebook.load().ids, "overall", "macro")
THEME_NAMES = {"overall": "**overall (micro)**", "macro": "**macro (mean)**"}


def fmt(x: float, digits: int = 2) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def with_ci(row: pd.Series, name: str) -> str:
    low, high = row.get(f"{name}_low", math.nan), row.get(f"{name}_high", math.nan)
    if math.isnan(row[name]) or math.isnan(low):
        return fmt(row[name])
    return f"{fmt(row[name])} [{fmt(low)}, {fmt(high)}]"


def md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def theme_cell(theme: str) -> str:
    return THEME_NAMES.get(theme, f"`{theme}`")


def load_segments(participants_only: bool = True) -> pd.DataFrame:
    metadata = CORPUS / "metadata.csv"
    segs = read_transcripts(CORPUS / "transcripts", metadata=metadata if metadata.is_file() else None)
    splits = pd.read_csv(CORPUS / "splits.csv", dtype=str)[["interview_id", "split"]]
    segs = segs.merge(splits, on="interview_id", how="left")
    if participants_only:
        segs = segs[segs["role"] == "participant"]
    return segs.reset_index(drop=True)


def human_table(pair: pd.DataFrame) -> str:
    rows = []
    for theme in THEME_ORDER:
        r = pair[pair["theme"] == theme].iloc[0]
        rows.append([theme_cell(theme), str(r["n"]), fmt(r["prevalence_A"]), fmt(r["prevalence_B"]),
                     fmt(r["percent_agreement"]), with_ci(r, "kappa"), with_ci(r, "alpha"),
                     with_ci(r, "ac1")])
    return md_table(["theme", "n", "prev. A", "prev. B", "% agree", "Cohen's κ [95 % CI]",
                     "Krippendorff's α", "Gwet's AC1"], rows)


def model_table(model_ref: pd.DataFrame, mvh: pd.DataFrame) -> str:
    rows = []
    for theme in THEME_ORDER:
        r = model_ref[model_ref["theme"] == theme].iloc[0]
        v = mvh[mvh["theme"] == theme].iloc[0]
        rows.append([theme_cell(theme), fmt(r["precision"]), fmt(r["recall"]), with_ci(r, "f1"),
                     with_ci(v, "kappa_model_gold"), with_ci(v, "kappa_ab"),
                     fmt(v["kappa_model_a"]), fmt(v["kappa_model_b"]), with_ci(v, "difference"),
                     v["verdict"]])
    return md_table(["theme", "precision", "recall", "F1 [95 % CI]", "κ model–gold",
                     "κ A–B (humans)", "κ model–A", "κ model–B", "κ difference", "verdict"], rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="also write the markdown to this file")
    parser.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples (default 1000)")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    out: list[str] = ["# Coder agreement and model vs human coders", ""]
    segs = load_segments()
    test = segs[segs["split"] == "test"]
    coding = {name: CORPUS / "coding" / f"{name}.csv" for name in ("coder_a", "coder_b", "gold")}
    missing = [str(p.relative_to(ROOT)) for p in coding.values() if not p.is_file()]
    if missing:
        out.append(f"_Missing: {', '.join(missing)}; the tables that need them are skipped._\n")
    tables = {name: read_coding(p) for name, p in coding.items() if p.is_file()}
    boot = f"{args.n_boot} bootstrap resamples of whole interviews"

    if "coder_a" in tables and "coder_b" in tables:
        humans = {"A": tables["coder_a"], "B": tables["coder_b"]}
        for title, part in (("whole corpus", segs), ("test split", test)):
            if part.empty:
                out.append(f"_No {title} segments._\n")
                continue
            pair = compare_coders(humans, segments=part, n_boot=args.n_boot, random_state=0)
            masi = masi_alpha(humans, segments=part)
            out += [f"## Coder A vs coder B, {title} ({part['interview_id'].nunique()} interviews)", "",
                    human_table(pair), "",
                    f"Set-valued Krippendorff's α (MASI) over whole segments: {fmt(masi, 3)}. "
                    f"Intervals: {boot}.", ""]

    if "gold" in tables and "coder_a" in tables and "coder_b" in tables and not test.empty:
        try:
            import temaer

            model = temaer.load_model()
        except FileNotFoundError as exc:
            out.append(f"_No shipped model yet ({exc}); model figures skipped._\n")
        else:
            # classify whole interviews (interviewer turns give each answer its question), then compare
            everything = load_segments(participants_only=False)
            coded = temaer.classify(everything[everything["split"] == "test"], model)
            coded = coded[coded["role"] == "participant"]
            model_ref = compare_coders({"model": coded}, reference=tables["gold"], segments=test,
                                       n_boot=args.n_boot, random_state=0)
            mvh = model_vs_humans(tables["coder_a"], tables["coder_b"], coded, tables["gold"],
                                  segments=test, n_boot=args.n_boot, random_state=0)
            name = Path(getattr(model, "model_path_", "default model")).name
            out += [f"## Model `{name}` vs gold, test split, side by side with A vs B", "",
                    model_table(model_ref, mvh), "",
                    "F1 in the *overall* row is micro-F1, in the *macro* row macro-F1. The verdict "
                    "reads the interval of κ(model, gold) − κ(A, B): *as reliable* when its lower "
                    "bound is above −0.05. " + f"Intervals: {boot}.", ""]

    out.append(f"_Computed in {time.perf_counter() - t0:.0f} s._")
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    if args.out is not None:
        from temaer.io import write_text

        write_text(text, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
