"""Train the shipped default theme classifier and write its model card.

Deterministic: trains ``ThemeClassifier()`` (default parameters) on the gold coding of the corpus
TRAIN split only (thresholds and calibration from grouped CV inside the train split), then measures
once on the TEST split, next to the human coder A-vs-B figures on the same test segments.

Run: ``uv run python evaluation/train_default.py`` -> ``models/temaer-da-kommissorium.skops`` and
``models/README.md``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
from corpus_data import ROOT, load_corpus
from sklearn.metrics import cohen_kappa_score, f1_score, precision_recall_fscore_support

from temaer.classifier import DEFAULT_MODEL_NAME, ThemeClassifier
from temaer.codebook import Codebook

MODEL = ROOT / "models" / DEFAULT_MODEL_NAME


def theme_table(truth: pd.DataFrame, pred: pd.DataFrame, ids) -> pd.DataFrame:
    rows = []
    for t in ids:
        y, p = truth[t].astype(int), pred[t].astype(int)
        pr, rc, f1, _ = precision_recall_fscore_support(y, p, average="binary", zero_division=0)
        rows.append({"theme": t, "n_pos": int(y.sum()), "precision": pr, "recall": rc, "f1": f1,
                     "kappa": cohen_kappa_score(y, p)})
    return pd.DataFrame(rows)


def main() -> None:
    data = load_corpus()
    segs, gold = data["segments"], data["gold"]
    ids = Codebook.load().ids
    part = segs[segs["role"] == "participant"].set_index("segment_id")
    train_ids = part.index[part["split"] == "train"]
    test_ids = part.index[part["split"] == "test"]
    train = part.loc[train_ids].reset_index()
    coding = gold.loc[train_ids].reset_index()

    t0 = time.perf_counter()
    clf = ThemeClassifier().fit(train, coding)
    fit_s = time.perf_counter() - t0

    test = part.loc[test_ids].reset_index()
    pred = clf.predict(test).set_axis(test_ids)
    truth = gold.loc[test_ids]
    model_tab = theme_table(truth, pred, ids)
    human_tab = theme_table(data["coder_a"].loc[test_ids], data["coder_b"].loc[test_ids], ids)
    y, p = truth[list(ids)].to_numpy().astype(int), pred[list(ids)].to_numpy().astype(int)
    a = data["coder_a"].loc[test_ids, list(ids)].to_numpy().astype(int)
    b = data["coder_b"].loc[test_ids, list(ids)].to_numpy().astype(int)
    summary = {
        "model_micro_f1": f1_score(y, p, average="micro"), "model_macro_f1": f1_score(y, p, average="macro"),
        "a_vs_b_micro_f1": f1_score(a, b, average="micro"), "a_vs_b_macro_f1": f1_score(a, b, average="macro"),
        "a_vs_gold_macro_f1": f1_score(y, a, average="macro"), "b_vs_gold_macro_f1": f1_score(y, b, average="macro"),
    }
    metrics = {
        "test": {
            "n_segments": len(test_ids), "n_interviews": int(test["interview_id"].nunique()),
            "per_theme": model_tab.round(4).to_dict("records"),
            "human_a_vs_b": human_tab.round(4).to_dict("records"),
            "micro_f1": round(summary["model_micro_f1"], 4), "macro_f1": round(summary["model_macro_f1"], 4),
        },
        "train": {"n_segments": len(train_ids), "n_interviews": int(train["interview_id"].nunique()),
                  "fit_seconds": round(fit_s, 1)},
    }
    clf.save(MODEL, metrics=metrics)
    write_card(clf, model_tab, human_tab, summary, metrics)
    print(f"saved {MODEL.relative_to(ROOT)} ({MODEL.stat().st_size / 2**20:.1f} MiB), fit {fit_s:.0f} s")
    both = model_tab.merge(human_tab, on="theme", suffixes=("", "_ab"))
    print(both[["theme", "n_pos", "precision", "recall", "f1", "kappa", "kappa_ab"]].round(3).to_string(index=False))
    print({k: round(v, 3) for k, v in summary.items()})


def write_card(clf, model_tab, human_tab, summary, metrics) -> None:
    ids = list(clf.themes_)
    labels = clf.codebook_.labels
    lines = [
        "| tema | positive (test) | præcision | recall | F1 | kappa model-gold | kappa kodere A-B | tærskel |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (_, m), (_, h) in zip(model_tab.iterrows(), human_tab.iterrows(), strict=True):
        lines.append(f"| {m.theme} ({labels[m.theme]}) | {m.n_pos} | {m.precision:.3f} | {m.recall:.3f} | "
                     f"{m.f1:.3f} | {m.kappa:.3f} | {h.kappa:.3f} | {clf.thresholds_[m.theme]:.2f} |")
    beats = [t for t, mk, hk in zip(ids, model_tab.kappa, human_tab.kappa, strict=True) if mk >= hk]
    card = (Path(__file__).with_name("model_card_template.md")).read_text(encoding="utf-8")
    card = card.format(
        model=DEFAULT_MODEL_NAME, fingerprint=clf.fingerprint_[:16],
        n_train=metrics["train"]["n_segments"], n_train_int=metrics["train"]["n_interviews"],
        n_test=metrics["test"]["n_segments"], n_test_int=metrics["test"]["n_interviews"],
        table="\n".join(lines), micro=summary["model_micro_f1"], macro=summary["model_macro_f1"],
        ab_micro=summary["a_vs_b_micro_f1"], ab_macro=summary["a_vs_b_macro_f1"],
        a_gold=summary["a_vs_gold_macro_f1"], b_gold=summary["b_vs_gold_macro_f1"],
        n_beats=len(beats), n_themes=len(ids), fit_s=metrics["train"]["fit_seconds"],
        version=clf.info["temaer_version"] or "0.1.0",
    )
    (ROOT / "models" / "README.md").write_text(card, encoding="utf-8")


if __name__ == "__main__":
    np.random.seed(0)
    main()
