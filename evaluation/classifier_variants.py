"""Every classifier variant tried for the default model, measured the same way.

For each variant: (1) grouped 5-fold cross-validation over the interviews of the TRAIN split (each
outer fold fits a full ``ThemeClassifier``, which tunes its own thresholds by inner grouped CV), and
(2) the TEST split (fit on all train interviews, predict the test interviews once). Selection is by
the cross-validated figure; the test figure is reported for every variant so nothing is hidden.

Run: ``uv run python evaluation/classifier_variants.py [--only NAME ...]`` (writes
``evaluation/classifier_variants.md``). The E5 variants embed every segment once (cached on disk).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from corpus_data import load_corpus, md_table
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

from temaer.classifier import ThemeClassifier

VARIANTS: dict[str, dict] = {
    "word 1-2-gram": {"context_weight": 0},
    "word + char 2-5": {"char_ngram_range": (2, 5), "context_weight": 0},
    "word + char + question context": {"char_ngram_range": (2, 5)},
    "word + char + question context + codebook example quotes": {"char_ngram_range": (2, 5), "use_examples": True},
    "word + question context (default)": {},
    "word + question context + context-free copies": {"context_copies": True},
    "word + question context + examples": {"use_examples": True},
    "word + char + question context, C=1": {"char_ngram_range": (2, 5), "C": 1.0},
    "word + char + question context, C=16": {"char_ngram_range": (2, 5), "C": 16.0},
    "word + char + question context weight 1.0": {"char_ngram_range": (2, 5), "context_weight": 1.0},
    "word + char + question context + E5 (dense='e5')": {"char_ngram_range": (2, 5), "dense": "e5"},
    "word + char + question context + E5 + examples": {"char_ngram_range": (2, 5), "dense": "e5",
                                                        "use_examples": True},
    "word + question context + E5 (E5 model)": {"dense": "e5"},
}


def macro_micro(y: np.ndarray, p: np.ndarray) -> tuple[float, float, list[float]]:
    per = [f1_score(y[:, j], p[:, j], zero_division=0) for j in range(y.shape[1])]
    return f1_score(y, p, average="macro", zero_division=0), f1_score(y, p, average="micro"), per


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*", help="run only variants whose name contains one of these")
    args = ap.parse_args()
    data = load_corpus()
    segs, gold = data["segments"], data["gold"]
    ids = list(gold.columns)
    train_int = set(segs.loc[segs["split"] == "train", "interview_id"])
    train_all = segs[segs["interview_id"].isin(train_int)].reset_index(drop=True)  # incl. interviewer rows
    test_all = segs[~segs["interview_id"].isin(train_int)].reset_index(drop=True)
    part_tr = train_all[train_all["role"] == "participant"].reset_index(drop=True)
    Y = gold.loc[part_tr["segment_id"]].to_numpy().astype(int)
    interviews = np.array(sorted(train_int))
    rows = []
    for name, params in VARIANTS.items():
        if args.only and not any(o.lower() in name.lower() for o in args.only):
            continue
        t0 = time.perf_counter()
        P = np.zeros_like(Y, dtype=bool)
        for tr_i, te_i in GroupKFold(5).split(interviews, groups=interviews):
            tr_int, te_int = set(interviews[tr_i]), set(interviews[te_i])
            clf = ThemeClassifier(**params).fit(train_all[train_all["interview_id"].isin(tr_int)], gold.reset_index())
            te_rows = train_all[train_all["interview_id"].isin(te_int)]
            pred = clf.predict(te_rows)
            pred = pred[te_rows["role"].to_numpy() == "participant"]
            pos = part_tr.reset_index().set_index("segment_id").loc[te_rows.loc[pred.index, "segment_id"], "index"]
            P[pos.to_numpy()] = pred.to_numpy()
        cv_macro, cv_micro, cv_per = macro_micro(Y, P)
        clf = ThemeClassifier(**params).fit(train_all, gold.reset_index())
        pred = clf.predict(test_all)[test_all["role"].to_numpy() == "participant"]
        y_test = gold.loc[test_all.loc[pred.index, "segment_id"]].to_numpy().astype(int)
        te_macro, te_micro, te_per = macro_micro(y_test, pred.to_numpy())
        # the same test segments given as plain texts, without the interviewer question
        plain = clf.predict(test_all.loc[pred.index, "text"].tolist()).to_numpy()
        te_plain = macro_micro(y_test, plain)[0]
        secs = time.perf_counter() - t0
        rows.append({"variant": name, "cv_macro_f1": cv_macro, "cv_micro_f1": cv_micro, "test_macro_f1": te_macro,
                     "test_micro_f1": te_micro, "test_macro_f1_no_context": te_plain,
                     **{f"cv_f1_{t}": v for t, v in zip(ids, cv_per, strict=True)}, "seconds": secs})
        print(f"{name:45s} CV macro {cv_macro:.3f} micro {cv_micro:.3f} | test macro {te_macro:.3f} "
              f"micro {te_micro:.3f} | plain texts {te_plain:.3f} | {secs:.0f} s", flush=True)
    table = pd.DataFrame(rows)
    out = Path(__file__).with_name("classifier_variants.md")
    cols = ["variant", "cv_macro_f1", "cv_micro_f1", "test_macro_f1", "test_micro_f1",
            "test_macro_f1_no_context"]
    text = ["# Classifier variants", "", "Produced by `uv run python evaluation/classifier_variants.py` "
            f"({len(part_tr)} train segments in {len(interviews)} interviews; CV = grouped 5-fold over train "
            "interviews; test = the held-out test interviews).", "",
            md_table(table[cols]), "", "Per-theme cross-validated F1:", "",
            md_table(table[["variant", *[f"cv_f1_{t}" for t in ids]]]), "",
            "Choices: the question context is the one large gain (+0.06 macro-F1). Texts given without "
            "their question (plain strings) are coded much worse (`test_macro_f1_no_context`); training "
            "also on a context-free copy of each segment narrows that gap but costs more with context, "
            "so it is an option (`context_copies=True`), not the default. Character n-grams add "
            "about +0.01 in CV but cost most of the classification time, so the default model "
            "(`word + question context`) leaves them out to meet the speed target; C and the context "
            "weight barely matter; the codebook's example quotes help only with character n-grams. "
            "E5 sentence vectors add +0.04 and ship as the slower option (`word + question context + E5`). "
            "Label co-occurrence and neighbour stacking, and richer E5 features (question || answer, "
            "sentence pooling, the sparse latent-term head) are measured in "
            "`classifier_more_variants.md`: none adds more than +0.02 cross-validated macro-F1. Not "
            "tried: fine-tuned transformers (torch is kept out of the install).", ""]
    out.write_text("\n".join(text), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
