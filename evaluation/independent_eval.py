"""The shipped classifiers on independently written transcripts (``corpus/independent``).

The main corpus was written and coded under one brief, and the models were trained on part of it,
so its test split may flatter them. ``corpus/independent`` holds interviews written afterwards by
other writers who saw only the commission text (not the corpus, its brief or the codebook), in
other layouts (Teams' Word export, Zoom, timed labels, WebVTT, Markdown, a Word table, mail answers,
an interviewer named only in the front matter), and coded by two coders from the codebook alone.
This script codes them with both shipped models and compares each model with each coder, next to
the two coders with each other.

Figures: macro-F1 of the model against each coder (the coder as reference), and Cohen's kappa per
theme, with 95 % bootstrap intervals over interviews.

Run: ``uv run python evaluation/independent_eval.py``; writes
``evaluation/results/independent_eval.md``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from corpus_data import md_table

from temaer.classifier import classify, load_model
from temaer.codebook import Codebook
from temaer.evaluate import compare_coders
from temaer.transcripts import is_participant, read_transcripts

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "corpus" / "independent"
OUT = ROOT / "evaluation" / "results" / "independent_eval.md"
MODELS = {"default model": None, "E5 model": ROOT / "models" / "temaer-da-kommissorium-e5.skops"}


def main() -> None:
    meta = DATA / "metadata.csv"
    segs = read_transcripts(DATA / "transcripts", metadata=meta if meta.exists() else None)
    part = segs[is_participant(segs)]
    ids = list(Codebook.load().ids)
    codings: dict[str, object] = {
        "coder A": pd.read_csv(DATA / "coding" / "coder_a.csv", dtype=str, keep_default_na=False),
        "coder B": pd.read_csv(DATA / "coding" / "coder_b.csv", dtype=str, keep_default_na=False),
    }
    for name, path in MODELS.items():
        codings[name] = classify(segs, load_model(path))

    rows, kappas = [], []
    pairs = [("coder A", "coder B")] + [(m, c) for m in MODELS for c in ("coder A", "coder B")]
    for coder, reference in pairs:
        t = compare_coders({coder: codings[coder]}, reference=codings[reference], codebook=ids,
                           segments=segs, n_boot=1000)
        t = t[t["comparison"] == "reference"].set_index("theme")
        macro = t.loc["macro"]
        rows.append({
            "coder": coder, "reference": reference, "segments": int(t.loc["overall", "n"]),
            "macro_f1": round(float(macro["f1"]), 3),
            "macro_f1_95ci": f"{macro['f1_low']:.2f}-{macro['f1_high']:.2f}",
            "micro_f1": round(float(t.loc["overall", "f1"]), 3),
            "macro_kappa": round(float(macro["kappa"]), 3),
        })
        kappas.append({"coder": coder, "reference": reference,
                       **{theme: round(float(t.loc[theme, "kappa"]), 2) for theme in ids}})
    table, kappa = pd.DataFrame(rows), pd.DataFrame(kappas)
    by_interview = part.groupby("interview_id").agg(
        interessentgruppe=("interessentgruppe", "first"), source=("source", lambda s: Path(s.iloc[0]).name),
        participant_segments=("segment_id", "size")).reset_index()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join([
        "# The shipped classifiers on independently written transcripts",
        "",
        f"Produced by `uv run python evaluation/independent_eval.py`: {len(by_interview)} interviews, "
        f"{len(part)} participant segments in `corpus/independent` (see its README). Each row compares "
        "the first coder with the second as reference (for the two coders the choice of reference only "
        "swaps precision and recall). 95 % intervals: bootstrap over interviews (few interviews, so wide).",
        "",
        md_table(table),
        "",
        "Cohen's kappa per theme:",
        "",
        md_table(kappa, floatfmt=".2f"),
        "",
        "Interviews:",
        "",
        md_table(by_interview),
        "",
    ]), encoding="utf-8")
    print(OUT.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
