"""Evaluate emerging-topic discovery on the corpus's planted off-mandate topics.

The corpus plants five recurring topics outside the mandate (Covid-19, flytning/byggeri/parkering,
løn og overenskomst, fysisk arbejdsmiljø, socialt fællesskab); ``corpus/coding/emerging.csv``
(``segment_id, topic``) says which segments belong to which. For each embedder (E5, TF-IDF-SVD,
hybrid) and seed this script runs :func:`temaer.topics.discover_topics` and reports

- per planted topic: the discovered topic that matches it best (highest F1), its **recall_all** (share
  of the planted segments in that topic, over all planted segments, also those not modelled) and
  **purity** (share of that topic's segments that belong to the planted topic); the acceptance bar
  is recall_all >= 0.6 and purity >= 0.7, each planted topic matched by a different topic;
- **stability**: adjusted Rand index between the topic assignments of seeds 0, 1, 2 (outliers
  are one more label), mean over the three pairs.

Only interviews that have been coded are modelled and scored (while the coding is being written:
the interviews present in the coder files and in ``emerging.csv``).

``--coded`` chooses what tells the model which segments are already covered by the mandate:
``gold`` (the human coding, i.e. a perfect classifier; default while no classifier model is
shipped), ``classifier`` (the shipped theme classifier) or ``none`` (all participant segments).

Usage::

    uv run python evaluation/topics_eval.py                     # all embedders, 3 seeds
    uv run python evaluation/topics_eval.py --embedders e5 --seeds 0
    uv run python evaluation/topics_eval.py --out evaluation/results

Writes ``topics_eval.json`` and ``topics_eval.md`` to ``--out`` (default ``evaluation/results``).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
RECALL_MIN, PURITY_MIN = 0.6, 0.7
MIN_PLANTED = 15  # labels with fewer segments are not a recurring planted topic


def load_inputs(coded_from: str) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.Series, set[str]]:
    """Segments, the ``coded`` table, gold planted labels and the ids of labelled interviews."""
    from temaer.codebook import Codebook
    from temaer.coding import read_coding, to_wide
    from temaer.transcripts import read_transcripts

    meta = CORPUS / "metadata.csv"
    segs = read_transcripts(CORPUS / "transcripts", metadata=meta if meta.exists() else None)
    gold = pd.read_csv(CORPUS / "coding" / "emerging.csv", dtype=str, keep_default_na=False)
    planted = gold.set_index("segment_id")["topic"]
    coding_files = [CORPUS / "coding" / f for f in ("gold.csv", "coder_a.csv")]
    coding_file = next((f for f in coding_files if f.exists()), None)
    labelled: set[str] = set(planted.index.str.split(":").str[0])
    coding = None
    if coding_file is not None:
        coding = read_coding(coding_file)
        labelled |= set(coding["segment_id"].str.split(":").str[0])
    segs = segs[segs["interview_id"].isin(labelled)].reset_index(drop=True)
    coded = None
    if coded_from == "gold":
        if coding is None:
            raise SystemExit("no gold coding found in corpus/coding")
        part = segs.loc[segs["role"] == "participant", "segment_id"]
        coded = to_wide(coding, Codebook.load().ids, segments=part).fillna(0).reset_index()
    elif coded_from == "classifier":
        from temaer.classifier import classify

        coded = classify(segs)
    return segs, coded, planted, labelled


def planted_scores(assigned: pd.DataFrame, planted: pd.Series, universe: set[str]) -> pd.DataFrame:
    """Best-matching topic, recall and purity per planted topic.

    ``assigned``: modelled segments with ``segment_id`` and ``topic``; ``universe``: ids of
    labelled participant segments (purity is measured within it). ``recall`` counts the planted
    segments in ``assigned`` (in ``"emerging"`` mode: those without a confident mandate theme,
    plus those added to an emerging topic); ``recall_all`` counts all planted segments.
    """
    seg = assigned[assigned["segment_id"].isin(universe)]
    topic_of = seg.set_index("segment_id")["topic"]
    sizes = topic_of[topic_of >= 0].value_counts()
    rows = []
    for name, ids in planted.groupby(planted).groups.items():
        ids = set(ids)
        hits = topic_of[topic_of.index.isin(ids)]
        overlap = hits[hits >= 0].value_counts()
        best, best_f1, k_best = -1, 0.0, 0
        for t, k in overlap.items():
            r, p = k / max(len(hits), 1), k / sizes[t]
            f1 = 2 * r * p / (r + p)
            if f1 > best_f1:
                best, best_f1, k_best = int(t), f1, int(k)
        rows.append({
            "planted": name, "n": len(ids), "modelled": int(len(hits)), "topic": best,
            "recall": round(k_best / max(len(hits), 1), 3),
            "recall_all": round(k_best / len(ids), 3),
            "purity": round(k_best / sizes[best], 3) if best >= 0 else 0.0,
            "f1": round(best_f1, 3),
        })
    out = pd.DataFrame(rows)
    own = ~out["topic"].duplicated(keep=False) & (out["topic"] >= 0)
    out["recovered"] = own & (out["recall_all"] >= RECALL_MIN) & (out["purity"] >= PURITY_MIN)
    return out


def stability(assignments: list[pd.Series]) -> float:
    """Mean pairwise adjusted Rand index of topic assignments (indexed by segment_id)."""
    from sklearn.metrics import adjusted_rand_score

    scores = []
    for a, b in itertools.combinations(assignments, 2):
        common = a.index.intersection(b.index)
        scores.append(adjusted_rand_score(a[common], b[common]))
    return float(np.mean(scores)) if scores else float("nan")


def run(embedders: list[str], seeds: list[int], coded_from: str, mode: str,
        min_topic_size: int | None) -> dict:
    from temaer.topics import discover_topics

    segs, coded, planted, labelled = load_inputs(coded_from)
    part = segs[(segs["role"] == "participant") & segs["interview_id"].isin(labelled)]
    universe = set(part["segment_id"])
    planted = planted[planted.index.isin(universe)]
    counts = planted.value_counts()
    minor = sorted(counts[counts < MIN_PLANTED].index)
    planted = planted[~planted.isin(minor)]
    report: dict = {"ignored_labels": minor,"coded": coded_from, "mode": mode, "labelled_interviews": len(labelled),
                    "planted_segments": int(len(planted)), "embedders": {}}
    for name in embedders:
        runs, assignments = [], []
        for seed in seeds:
            t0 = time.perf_counter()
            res = discover_topics(segs, coded=coded, mode=mode, embedder=name, random_state=seed,
                                  min_topic_size=min_topic_size)
            secs = time.perf_counter() - t0
            scores = planted_scores(res.segments, planted, universe)
            assignments.append(res.segments.set_index("segment_id")["topic"])
            labels = {int(t): lab for t, lab in zip(res.topics["topic"], res.topics["label"],
                                                     strict=True)}
            scores["label"] = scores["topic"].map(labels).fillna("")
            emerging = dict(zip(res.topics["topic"], res.topics["emerging"], strict=True))
            scores["emerging"] = scores["topic"].map(emerging).fillna(False).astype(bool)
            runs.append({
                "seed": seed, "seconds": round(secs, 1), "n_modelled": len(res.segments),
                "n_topics": len(res.topics), "outliers": res.n_outliers,
                "n_emerging": int(res.topics["emerging"].sum()),
                "recovered": int(scores["recovered"].sum()),
                "scores": scores.to_dict("records"), "params": res.params,
                "topics": res.topics[["topic", "size", "label", "interviews", "emerging",
                                      "mandate_share", "nearest_theme", "theme_similarity"]]
                .to_dict("records"),
            })
            print(f"[{name} seed {seed}] {secs:.0f}s, {len(res.topics)} topics, "
                  f"{int(scores['recovered'].sum())}/{len(scores)} planted recovered", flush=True)
            print(scores.to_string(index=False), flush=True)
        report["embedders"][name] = {
            "ari": round(stability(assignments), 3) if len(assignments) > 1 else None,
            "mean_recall": round(float(np.mean([s["recall"] for r in runs for s in r["scores"]])), 3),
            "mean_recall_all": round(float(np.mean(
                [s["recall_all"] for r in runs for s in r["scores"]])), 3),
            "mean_purity": round(float(np.mean([s["purity"] for r in runs for s in r["scores"]])), 3),
            "mean_recovered": round(float(np.mean([r["recovered"] for r in runs])), 2),
            "runs": runs,
        }
    return report


def to_markdown(report: dict) -> str:
    lines = [
        "# Emerging topics on the corpus",
        "",
        f"Coded from: {report['coded']}; mode: {report['mode']}; labelled interviews: "
        f"{report['labelled_interviews']}; planted segments: {report['planted_segments']}. "
        f"Bar: recall_all >= {RECALL_MIN}, purity >= {PURITY_MIN}, one topic per planted topic.",
        "",
        "`recall` is over the planted segments in the result (emerging mode clusters the segments "
        "without a confident mandate theme, then adds confidently coded ones to the nearest emerging "
        "topic); `recall_all` is over all planted segments and decides `recovered`.",
        "",
        "| embedder | ARI (seeds) | mean recall | mean recall_all | mean purity | "
        "planted recovered (mean) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    n_planted = len(report["embedders"][next(iter(report["embedders"]))]["runs"][0]["scores"])
    for name, r in report["embedders"].items():
        lines.append(f"| {name} | {r['ari']} | {r['mean_recall']} | {r['mean_recall_all']} | "
                     f"{r['mean_purity']} | {r['mean_recovered']} / {n_planted} |")
    for name, r in report["embedders"].items():
        run0 = r["runs"][0]
        lines += ["", f"## {name}, seed {run0['seed']} ({run0['seconds']} s, "
                  f"{run0['n_modelled']} segments modelled, {run0['n_topics']} topics, "
                  f"{run0['outliers']} outliers)", "",
                  "| planted | n | modelled | topic | label | recall | recall_all | purity | "
                  "recovered |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for s in run0["scores"]:
            lines.append(f"| {s['planted']} | {s['n']} | {s['modelled']} | {s['topic']} | "
                         f"{s['label']} | {s['recall']} | {s['recall_all']} | {s['purity']} | "
                         f"{s['recovered']} |")
        lines += ["", "| topic | size | label | interviews | emerging | nearest theme |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for t in run0["topics"]:
            lines.append(f"| {t['topic']} | {t['size']} | {t['label']} | {t['interviews']} | "
                         f"{t['emerging']} | {t['nearest_theme']} ({t['theme_similarity']}) |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--embedders", nargs="+", default=["e5", "tfidf", "hybrid"])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--coded", choices=["gold", "classifier", "none"], default="gold")
    ap.add_argument("--mode", default="emerging")
    ap.add_argument("--min-topic-size", type=int, default=None)
    ap.add_argument("--out", type=Path, default=ROOT / "evaluation" / "results")
    args = ap.parse_args(argv)
    if not (CORPUS / "coding" / "emerging.csv").exists():
        print("corpus/coding/emerging.csv is missing: nothing to evaluate", file=sys.stderr)
        return 1
    report = run(args.embedders, args.seeds, args.coded, args.mode, args.min_topic_size)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "topics_eval.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    (args.out / "topics_eval.md").write_text(to_markdown(report), encoding="utf-8")
    print(to_markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
