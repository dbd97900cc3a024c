"""Train the shipped default theme classifier and write its model card.

Deterministic: trains the default configuration (and the slower E5 variant) on the gold coding of
the corpus TRAIN split only (thresholds and calibration from grouped CV inside the train split), then
measures once on the TEST split, next to the human coder A-vs-B figures on the same test segments.
The configuration was chosen by cross-validation on the train split (evaluation/classifier_variants.py).

Run: ``uv run python evaluation/train_default.py`` -> ``models/*.skops`` and ``models/README.md``.
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

#: The shipped models: file name -> ThemeClassifier parameters.
MODELS = {
    DEFAULT_MODEL_NAME: {},
    DEFAULT_MODEL_NAME.replace(".skops", "-e5.skops"): {"dense": "e5"},
}


def theme_table(truth: pd.DataFrame, pred: pd.DataFrame, ids) -> pd.DataFrame:
    rows = []
    for t in ids:
        y, p = truth[t].astype(int), pred[t].astype(int)
        pr, rc, f1, _ = precision_recall_fscore_support(y, p, average="binary", zero_division=0)
        rows.append({"theme": t, "n_pos": int(y.sum()), "precision": pr, "recall": rc, "f1": f1,
                     "kappa": cohen_kappa_score(y, p)})
    return pd.DataFrame(rows)


def train_and_test(name: str, params: dict, data: dict, ids) -> dict:
    segs, gold = data["segments"], data["gold"]
    train_all = segs[segs["split"] == "train"]
    test_all = segs[segs["split"] == "test"]
    t0 = time.perf_counter()
    clf = ThemeClassifier(**params).fit(train_all, gold.reset_index())
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = clf.predict(test_all)
    pred_s = time.perf_counter() - t0
    pred = pred[test_all["role"].to_numpy() == "participant"].set_axis(test_all.loc[
        test_all["role"] == "participant", "segment_id"])
    test_ids = pred.index
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
    # does the uncertain flag point at the segments the model gets wrong?
    conf = clf.confidence(clf.predict_proba(test_all)[test_all["role"].to_numpy() == "participant"])
    flagged = (conf < clf.uncertain_below).to_numpy()
    wrong = (p != y).any(axis=1)
    uncertainty = {"flagged_share": round(float(flagged.mean()), 3),
                   "error_rate_flagged": round(float(wrong[flagged].mean()), 3),
                   "error_rate_not_flagged": round(float(wrong[~flagged].mean()), 3)}
    n_train = int((train_all["role"] == "participant").sum())
    metrics = {
        "test": {
            "n_segments": len(test_ids), "n_interviews": int(test_all["interview_id"].nunique()),
            "per_theme": model_tab.round(4).to_dict("records"),
            "human_a_vs_b": human_tab.round(4).to_dict("records"),
            "micro_f1": round(summary["model_micro_f1"], 4), "macro_f1": round(summary["model_macro_f1"], 4),
            "predict_seconds": round(pred_s, 2), "uncertainty": uncertainty,
        },
        "train": {"n_segments": n_train, "n_interviews": int(train_all["interview_id"].nunique()),
                  "fit_seconds": round(fit_s, 1)},
    }
    path = ROOT / "models" / name
    clf.save(path, metrics=metrics)
    print(f"saved {path.relative_to(ROOT)} ({path.stat().st_size / 2**20:.1f} MiB), fit {fit_s:.0f} s, "
          f"predict {len(test_ids)} test segments in {pred_s:.1f} s")
    both = model_tab.merge(human_tab, on="theme", suffixes=("", "_ab"))
    print(both[["theme", "n_pos", "precision", "recall", "f1", "kappa", "kappa_ab"]].round(3).to_string(index=False))
    print({k: round(v, 3) for k, v in summary.items()})
    return {"name": name, "params": params, "clf": clf, "model_tab": model_tab, "human_tab": human_tab,
            "summary": summary, "metrics": metrics}


def main() -> None:
    data = load_corpus()
    ids = Codebook.load().ids
    results = [train_and_test(name, params, data, ids) for name, params in MODELS.items()]
    write_card(results)


def _theme_rows(res: dict) -> str:
    clf, labels = res["clf"], res["clf"].codebook_.labels
    lines = [
        "| tema | positive (test) | præcision | recall | F1 | kappa model-gold | kappa kodere A-B | tærskel |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (_, m), (_, h) in zip(res["model_tab"].iterrows(), res["human_tab"].iterrows(), strict=True):
        lines.append(f"| {m.theme} ({labels[m.theme]}) | {m.n_pos} | {m.precision:.3f} | {m.recall:.3f} | "
                     f"{m.f1:.3f} | {m.kappa:.3f} | {h.kappa:.3f} | {clf.thresholds_[m.theme]:.2f} |")
    return "\n".join(lines)


def write_card(results: list[dict]) -> None:
    main_res, e5 = results[0], results[1]
    clf, summary, metrics = main_res["clf"], main_res["summary"], main_res["metrics"]
    ids = list(clf.themes_)
    beats = [t for t, mk, hk in zip(ids, main_res["model_tab"].kappa, main_res["human_tab"].kappa, strict=True)
             if mk >= hk]
    card = (Path(__file__).with_name("model_card_template.md")).read_text(encoding="utf-8")
    card = card.format(
        model=main_res["name"], fingerprint=clf.fingerprint_[:16],
        n_train=metrics["train"]["n_segments"], n_train_int=metrics["train"]["n_interviews"],
        n_test=metrics["test"]["n_segments"], n_test_int=metrics["test"]["n_interviews"],
        table=_theme_rows(main_res), micro=summary["model_micro_f1"], macro=summary["model_macro_f1"],
        ab_micro=summary["a_vs_b_micro_f1"], ab_macro=summary["a_vs_b_macro_f1"],
        a_gold=summary["a_vs_gold_macro_f1"], b_gold=summary["b_vs_gold_macro_f1"],
        n_beats=len(beats), n_themes=len(ids), fit_s=metrics["train"]["fit_seconds"],
        version=clf.info["temaer_version"] or "0.1.0",
        e5_name=e5["name"], e5_table=_theme_rows(e5), e5_micro=e5["summary"]["model_micro_f1"],
        e5_macro=e5["summary"]["model_macro_f1"], e5_fit_s=e5["metrics"]["train"]["fit_seconds"],
        e5_pred_s=e5["metrics"]["test"]["predict_seconds"], pred_s=metrics["test"]["predict_seconds"],
        **{f"unc_{k}": v for k, v in metrics["test"]["uncertainty"].items()},
    )
    (ROOT / "models" / "README.md").write_text(card, encoding="utf-8")


if __name__ == "__main__":
    np.random.seed(0)
    main()
