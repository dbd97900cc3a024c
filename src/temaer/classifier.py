"""Theme classifier: multi-label coding of segments with the codebook's themes.

A scikit-learn estimator. Text is turned into lemma strings by :func:`temaer.nlp.preprocess`, then
into word 1-2-gram and character n-gram TF-IDF features; one logistic regression per theme (balanced
class weights) is calibrated (Platt scaling on out-of-fold scores) and gets its own decision
threshold, both from grouped cross-validation (groups = interviews) on the training data only.

Example:
    >>> from temaer import ThemeClassifier, load_model
    >>> clf = ThemeClassifier().fit(train_segments, "corpus/coding/gold.csv")  # doctest: +SKIP
    >>> clf.predict(["Vi sidder med booking og kodning"])                     # doctest: +SKIP
    >>> model = load_model()            # the shipped default model           # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from temaer.codebook import Codebook
from temaer.transcripts import is_participant

MODEL_FORMAT = "temaer-theme-classifier/1"
NO_CONTEXT = "_ingen_"  # context token of a segment without a preceding question
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL_NAME = "temaer-da-kommissorium.skops"


def _default_model_path() -> Path:
    """The shipped model: ``models/`` of the source tree (or a copy inside the package)."""
    for candidate in (Path(__file__).parent / "models" / DEFAULT_MODEL_NAME,
                      ROOT / "models" / DEFAULT_MODEL_NAME):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        f"the default model {DEFAULT_MODEL_NAME} was not found in {ROOT / 'models'}; "
        "train one with `uv run python evaluation/train_default.py` or pass a path"
    )


# ----------------------------------------------------------------------------- inputs


def _as_frame(X: Any) -> pd.DataFrame:
    """Texts or a segments table -> DataFrame with ``text`` (and ``segment_id`` when known)."""
    if isinstance(X, pd.DataFrame):
        if "text" not in X.columns:
            raise ValueError("a segments table needs a 'text' column")
        return X
    if isinstance(X, (str, dict)):
        raise TypeError(f"pass a list of texts or a segments DataFrame, not a {type(X).__name__}")
    if isinstance(X, pd.Series):
        return pd.DataFrame({"text": X})
    return pd.DataFrame({"text": list(X)})


def _texts(frame: pd.DataFrame) -> list[str]:
    """The ``text`` column as strings; a missing text (NaN/None) is empty, not the word "nan"."""
    return frame["text"].fillna("").astype(str).tolist()


def _groups(frame: pd.DataFrame) -> np.ndarray | None:
    if "interview_id" in frame.columns:
        return frame["interview_id"].astype(str).to_numpy()
    if "segment_id" in frame.columns:
        return frame["segment_id"].astype(str).str.rsplit(":", n=1).str[0].to_numpy()
    return None


def question_context(frame: pd.DataFrame) -> pd.Series | None:
    """For each row, the text of the latest interviewer turn before it in the same interview ("" if none).

    Rows are taken in transcript order (``interview_id``, ``turn`` when present). Human coders read a
    segment in the light of the question it answers; the classifier gets the question as separate
    features. A table without ``role``/``interview_id`` (plain texts) has no known context: None; so
    has (None per row, with a warning) an interview whose interviewer rows were filtered out.
    Rows are matched by position, so any index (also a duplicated one) works.
    """
    if not {"role", "interview_id"} <= set(frame.columns):
        return None
    pos = frame.reset_index(drop=True)
    order = pos.sort_values(["interview_id", "turn"], kind="stable") if "turn" in pos.columns else pos
    is_question = order["role"] == "interviewer"
    last_question = order["text"].where(is_question).groupby(order["interview_id"], sort=False).ffill()
    context = last_question.where(~is_question, "").fillna("").astype(str).astype(object).sort_index()
    asked = pos["role"].eq("interviewer").groupby(pos["interview_id"]).transform("any").to_numpy()
    spoken = is_participant(pos).to_numpy()
    if (spoken & ~asked).any():
        blind = pos.loc[spoken & ~asked, "interview_id"].nunique()
        warnings.warn(f"{blind} of {pos['interview_id'].nunique()} interviews have no interviewer rows: their "
                      "segments are coded without the question they answer, which is markedly less accurate "
                      "(pass whole transcripts)", UserWarning, stacklevel=3)
        context[~asked] = None
    return context.set_axis(frame.index)


def _targets(frame: pd.DataFrame, coding: Any, ids: Sequence[str]) -> pd.DataFrame:
    """Coding (long table, path or 0/1 wide table) -> 0/1 frame aligned with ``frame`` (NaN = not coded)."""
    from temaer.coding import read_coding, to_wide

    if isinstance(coding, pd.DataFrame) and "theme" not in coding.columns and "segment_id" not in coding.columns:
        missing = [t for t in ids if t not in coding.columns]
        if missing:
            raise ValueError(f"wide coding lacks theme columns {missing}")
        if coding.index.name == "segment_id":  # e.g. temaer.to_wide(): align by id, not by position
            if "segment_id" not in frame.columns:
                raise ValueError("a coding indexed by segment_id needs segments with a 'segment_id' column")
            if coding.index.duplicated().any():
                raise ValueError("the wide coding has duplicate segment ids")
            return coding[list(ids)].reindex(frame["segment_id"].astype(str)).astype(float).set_axis(frame.index)
        if len(coding) != len(frame):
            raise ValueError("a wide coding without segment_id must have one row per input text")
        return coding[list(ids)].astype(float).set_axis(frame.index)
    if "segment_id" not in frame.columns:
        raise ValueError("a long coding table needs segments with a 'segment_id' column")
    wide = to_wide(read_coding(coding, codebook=list(ids)), ids, segments=frame["segment_id"].astype(str))
    return wide.set_axis(frame.index).astype(float)


def fingerprint(texts: Iterable[str], targets: pd.DataFrame) -> str:
    """SHA-256 of the training texts and their labels (identifies the training data)."""
    h = hashlib.sha256()
    for text in texts:
        h.update(text.encode("utf-8"))
        h.update(b"\x00")
    h.update(np.ascontiguousarray(targets.to_numpy(dtype=np.int8)).tobytes())
    return h.hexdigest()


# ----------------------------------------------------------------------------- estimator


class ThemeClassifier:
    """Multi-label theme classifier (scikit-learn style).

    Parameters are set in ``__init__``; fitted attributes end in ``_``.

    Args:
        codebook: the theme set (default: the shipped kommissorium codebook).
        word_ngram_range, char_ngram_range: TF-IDF n-gram ranges over lemmas. Character n-grams
            (e.g. ``(2, 5)``) are off by default: they cost more than half the classification time
            for +0.01 cross-validated macro-F1 (evaluation/classifier_variants.md).
        min_df: minimum document frequency of a feature.
        C: inverse regularisation strength of the logistic regressions.
        use_examples: add the codebook's example quotes as extra training segments.
        context_weight: weight of the features of the interviewer question a segment answers
            (0 = ignore context; plain texts have none).
        context_copies: also train on a copy of every segment without its question: texts given
            without context (plain strings, participant rows only) are coded better, segments with
            their question somewhat worse (evaluation/classifier_variants.md).
        dense: ``"e5"`` adds multilingual-E5 sentence vectors (``temaer.embed``) to the features:
            more accurate, much slower.
        dense_weight: scale of the dense block relative to the TF-IDF blocks.
        cv: folds of the grouped cross-validation that calibrates and tunes thresholds.
        uncertain_below: a segment whose confidence (smallest normalised distance of a theme's
            probability from its threshold) is below this is flagged ``uncertain``.
        random_state: seed for everything random.
    """

    def __init__(
        self,
        codebook: Codebook | str | Path | None = None,
        *,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] | None = None,
        min_df: int = 2,
        C: float = 4.0,
        use_examples: bool = False,
        context_weight: float = 0.5,
        context_copies: bool = False,
        dense: str | None = None,
        dense_weight: float = 1.0,
        cv: int = 5,
        uncertain_below: float = 0.1,
        random_state: int = 0,
    ) -> None:
        self.codebook = codebook
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.C = C
        self.use_examples = use_examples
        self.context_weight = context_weight
        self.context_copies = context_copies
        self.dense = dense
        self.dense_weight = dense_weight
        self.cv = cv
        self.uncertain_below = uncertain_below
        self.random_state = random_state

    # sklearn-style parameter access
    def get_params(self, deep: bool = True) -> dict[str, Any]:  # noqa: ARG002
        return {k: getattr(self, k) for k in (
            "codebook", "word_ngram_range", "char_ngram_range", "min_df", "C", "use_examples", "context_weight",
            "context_copies", "dense", "dense_weight", "cv", "uncertain_below", "random_state")}

    def set_params(self, **params: Any) -> ThemeClassifier:
        for key, value in params.items():
            if key not in self.get_params():
                raise ValueError(f"unknown parameter {key!r}")
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        return f"ThemeClassifier(C={self.C}, context_weight={self.context_weight}, dense={self.dense!r})"

    # -- internals
    def _codebook(self) -> Codebook:
        if isinstance(self.codebook, Codebook):
            return self.codebook
        return Codebook.load(self.codebook)

    def _lemmas(self, texts: Sequence[str]) -> list[str]:
        from temaer.nlp import lemma_text

        return lemma_text(["" if t is None or (isinstance(t, float) and np.isnan(t)) else str(t) for t in texts])

    def _make_vectorizer(self):
        from sklearn.compose import ColumnTransformer
        from sklearn.feature_extraction.text import TfidfVectorizer

        blocks = [
            ("word", TfidfVectorizer(token_pattern=r"\S+", ngram_range=tuple(self.word_ngram_range),
                                     min_df=self.min_df, sublinear_tf=True, lowercase=False), "lemmas"),
        ]
        weights = {"word": 1.0}
        if self.char_ngram_range:
            blocks.append(("char", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self.char_ngram_range),
                                                   min_df=self.min_df, sublinear_tf=True, lowercase=False,
                                                   max_features=200_000), "lemmas"))
            weights["char"] = 1.0
        if self.context_weight:
            blocks.append(("context", TfidfVectorizer(token_pattern=r"\S+", min_df=1, sublinear_tf=True,
                                                      lowercase=False), "context"))
            weights["context"] = float(self.context_weight)
        return ColumnTransformer(blocks, transformer_weights=weights, sparse_threshold=1.0)

    def _docs(self, texts: Sequence[str], contexts: Sequence[str] | None = None) -> pd.DataFrame:
        """Lemma strings of the texts and of their question context (the vectoriser's input).

        A segment known to have no preceding question (an interview's opening) gets the
        ``NO_CONTEXT`` token; texts whose context is unknown (``contexts=None``) get an empty
        context block, unless the model never saw any context in training.
        """
        lemmas = self._lemmas(texts)
        if contexts is None or not self.context_weight:
            unknown = "" if getattr(self, "context_seen_", False) else NO_CONTEXT
            ctx = [unknown] * len(lemmas)
        else:  # many segments answer the same question: lemmatise each question once
            unique = [c for c in dict.fromkeys(contexts) if c is not None]
            lemmatised = dict(zip(unique, self._lemmas(unique), strict=True))
            unknown = "" if getattr(self, "context_seen_", False) else NO_CONTEXT
            ctx = [unknown if c is None else (lemmatised[c] or NO_CONTEXT) for c in contexts]
        return pd.DataFrame({"lemmas": lemmas, "context": ctx})

    def _dense(self, texts: Sequence[str]) -> np.ndarray | None:
        if not self.dense:
            return None
        if self.dense != "e5":
            raise ValueError(f"dense must be None or 'e5', not {self.dense!r}")
        from temaer.embed import E5Embedder

        return E5Embedder().encode(list(texts))

    def _stack(self, X, dense: np.ndarray | None):
        if dense is None:
            return X
        import scipy.sparse as sp

        d = dense - self.dense_mean_
        d = d / np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-12)
        return sp.hstack([X, sp.csr_matrix(self.dense_weight * d)]).tocsr()

    def _make_lr(self):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000, solver="liblinear",
                                  random_state=self.random_state)

    # -- fitting
    def fit(self, X: Any, coding: Any, *, groups: Sequence[str] | None = None) -> ThemeClassifier:
        """Fit on segments (or texts) and a coding (long ``segment_id, theme`` table/path, or 0/1 wide).

        Only coded segments are used; interviewer rows (``role == "interviewer"``) give the question
        context but are not training examples. ``groups`` (default: interview ids) keeps each
        interview within one CV fold.
        """
        from sklearn.model_selection import GroupKFold, StratifiedKFold

        codebook = self._codebook()
        ids = codebook.ids
        frame = _as_frame(X)
        if groups is not None and len(groups) != len(frame):
            raise ValueError(f"groups has {len(groups)} entries for {len(frame)} rows of X")
        context = question_context(frame)
        if context is None:
            context = pd.Series(None, index=frame.index, dtype=object)
        keep = is_participant(frame).to_numpy()
        frame, context = frame[keep], context[keep]
        grp = np.asarray(groups)[keep] if groups is not None else None
        y = _targets(frame, coding, ids)
        coded = y.notna().all(axis=1).to_numpy()
        if coded.sum() < 10:
            raise ValueError(f"only {int(coded.sum())} coded segments: too few to train on (are the coding's "
                             "segment ids those of the segments?)")
        frame, context, y = frame[coded], context[coded], y[coded].astype(int)
        texts = _texts(frame)
        grp = grp[coded] if grp is not None else _groups(frame)
        self.context_seen_ = bool(context.dropna().ne("").any())  # any real question in training
        docs = self._docs(texts, context.tolist() if self.context_seen_ else None)
        dense = self._dense(texts)
        Y = y.to_numpy()
        if self.use_examples:
            ex = codebook.examples_frame()
            docs = pd.concat([docs, self._docs(ex["text"].tolist())], ignore_index=True)
            Y = np.vstack([Y, np.array([[int(t == theme) for t in ids] for theme in ex["theme"]], dtype=int)])
            if dense is not None:
                dense = np.vstack([dense, self._dense(ex["text"].tolist())])
        n = len(texts)  # rows beyond n: codebook examples, then context-free copies (always in training)
        copies = np.array([], dtype=int)
        if self.context_weight and self.context_copies:
            start = len(docs)
            docs = pd.concat([docs, docs.iloc[:n].assign(context=NO_CONTEXT)], ignore_index=True)
            Y = np.vstack([Y, Y[:n]])
            if dense is not None:
                dense = np.vstack([dense, dense[:n]])
            copies = np.arange(start, start + n)

        n_groups = len(set(grp)) if grp is not None else 0
        if grp is not None and n_groups >= 3:
            splits = list(GroupKFold(n_splits=min(self.cv, n_groups)).split(texts, groups=grp))
        else:
            splitter = StratifiedKFold(n_splits=self.cv, shuffle=True, random_state=self.random_state)
            splits = list(splitter.split(texts, Y[:n].argmax(axis=1)))
        extra = np.arange(n, len(docs) - len(copies))
        if dense is not None:
            self.dense_mean_ = dense.mean(axis=0)
        oof = np.full((n, len(ids)), np.nan)
        for train_idx, test_idx in splits:
            tr = np.concatenate([train_idx, extra, copies[train_idx] if len(copies) else copies])
            vec = self._make_vectorizer().fit(docs.iloc[np.concatenate([train_idx, extra])])  # copies don't count
            Xtr = self._stack(vec.transform(docs.iloc[tr]), None if dense is None else dense[tr])
            Xte = self._stack(vec.transform(docs.iloc[test_idx]), None if dense is None else dense[test_idx])
            for j in range(len(ids)):
                if Y[tr, j].min() == Y[tr, j].max():
                    oof[test_idx, j] = -10.0 if Y[tr[0], j] == 0 else 10.0
                    continue
                oof[test_idx, j] = self._make_lr().fit(Xtr, Y[tr, j]).decision_function(Xte)

        self.vectorizer_ = self._make_vectorizer().fit(docs.iloc[: len(docs) - len(copies)])
        Xall = self._stack(self.vectorizer_.transform(docs), dense)
        self.estimators_: dict[str, Any] = {}
        self.calibration_: dict[str, tuple[float, float]] = {}
        self.thresholds_: dict[str, float] = {}
        self.cv_metrics_: dict[str, dict[str, float]] = {}
        for j, theme in enumerate(ids):
            if Y[:, j].min() == Y[:, j].max():
                warnings.warn(f"theme {theme!r} has no positive (or no negative) training segments",
                              stacklevel=2)
                self.estimators_[theme] = None
                self.calibration_[theme] = (0.0, -10.0 if Y[0, j] == 0 else 10.0)
                self.thresholds_[theme] = 0.5
                continue
            self.estimators_[theme] = self._make_lr().fit(Xall, Y[:, j])
            a, b = _platt(oof[:, j], Y[:n, j])
            self.calibration_[theme] = (a, b)
            t, f1 = _best_threshold(_sigmoid(a * oof[:, j] + b), Y[:n, j])
            self.thresholds_[theme] = t
            self.cv_metrics_[theme] = {"cv_f1": f1, "threshold": t, "positives": int(Y[:n, j].sum())}
        self.themes_ = tuple(ids)
        self.codebook_ = codebook
        self.n_train_ = n
        self.fingerprint_ = fingerprint(texts, y)
        self.metrics_: dict[str, Any] = {"cv": self.cv_metrics_}
        return self

    # -- prediction
    def _check_fitted(self) -> None:
        if not hasattr(self, "estimators_"):
            raise RuntimeError("this ThemeClassifier is not fitted yet; call fit() or load_model()")

    def _scores(self, texts: Sequence[str], contexts: Sequence[str] | None = None) -> np.ndarray:
        X = self._stack(self.vectorizer_.transform(self._docs(texts, contexts)), self._dense(texts))
        out = np.empty((len(texts), len(self.themes_)))
        for j, theme in enumerate(self.themes_):
            est = self.estimators_[theme]
            a, b = self.calibration_[theme]
            raw = est.decision_function(X) if est is not None else np.zeros(len(texts))
            out[:, j] = _sigmoid(a * raw + b)
        return out

    def predict_proba(self, X: Any) -> pd.DataFrame:
        """Calibrated probability per theme (DataFrame, one float column per theme id).

        For a segments table the interviewer question each segment answers is used as context.
        """
        self._check_fitted()
        frame = _as_frame(X)
        if frame.empty:
            return pd.DataFrame(np.zeros((0, len(self.themes_))), index=frame.index, columns=list(self.themes_))
        context = question_context(frame)
        probs = self._scores(_texts(frame), None if context is None else context.tolist())
        return pd.DataFrame(probs, index=frame.index, columns=list(self.themes_))

    def predict(self, X: Any) -> pd.DataFrame:
        """Boolean theme assignments (DataFrame, one bool column per theme id)."""
        return self.predict_proba(X) >= pd.Series(self.thresholds_)[list(self.themes_)]

    def confidence(self, proba: pd.DataFrame) -> pd.Series:
        """Per segment: the smallest normalised distance of any theme probability from its threshold
        (0 = on a threshold, 1 = every theme as sure as it can be)."""
        t = pd.Series(self.thresholds_)[list(self.themes_)]
        above = (proba - t) / (1 - t)
        below = (t - proba) / t
        margin = above.where(proba >= t, below)
        return margin.min(axis=1).clip(0, 1)

    def explain(self, text: str, *, top: int = 8, themes: Sequence[str] | None = None) -> pd.DataFrame:
        """The words and phrases that pushed each assigned theme (tidy: theme, feature, weight).

        Word n-gram features are shown as lemmas; character n-gram contributions are summed onto
        the lemma they occur in.
        """
        self._check_fitted()
        docs = self._docs([text])
        lemma = docs["lemmas"].iloc[0]
        X = self.vectorizer_.transform(docs).tocsr()
        names = self.vectorizer_.get_feature_names_out()
        unknown = [t for t in (themes or []) if t not in self.themes_]
        if unknown:
            raise ValueError(f"unknown theme(s) {unknown}; the model's themes: {', '.join(self.themes_)}")
        assigned = themes or [t for t, v in self.predict([text]).iloc[0].items() if v]
        rows = []
        tokens = lemma.split()
        for theme in assigned:
            est = self.estimators_[theme]
            if est is None:
                continue
            contrib: dict[str, float] = {}
            for idx, val in zip(X.indices, X.data, strict=True):
                w = float(est.coef_[0, idx] * val)
                name = names[idx]
                if name.startswith("word__"):
                    key = name[len("word__"):]
                elif name.startswith("context__"):
                    continue  # explain() sees a single text, without its question
                else:
                    gram = name[len("char__"):].strip()
                    key = next((tok for tok in tokens if gram and gram in tok), gram)
                contrib[key] = contrib.get(key, 0.0) + w
            for key, w in sorted(contrib.items(), key=lambda kv: -kv[1])[:top]:
                if w > 0:
                    rows.append({"theme": theme, "feature": key, "weight": round(w, 4)})
        return pd.DataFrame(rows, columns=["theme", "feature", "weight"])

    # -- persistence
    def save(self, path: str | Path, *, metrics: dict | None = None) -> Path:
        """Save with skops (no pickle): components, codebook, fingerprint, version and metrics."""
        import skops.io as sio

        from temaer import __version__
        from temaer.io import atomic_path

        self._check_fitted()
        if metrics is not None:
            self.metrics_ = {**self.metrics_, **metrics}
        state = {
            "format": MODEL_FORMAT,
            "temaer_version": __version__,
            "params": json.dumps({k: v for k, v in self.get_params().items() if k != "codebook"}),
            "codebook": json.dumps(_codebook_dict(self.codebook_), ensure_ascii=False),
            "fingerprint": self.fingerprint_,
            "n_train": self.n_train_,
            "metrics": json.dumps(self.metrics_, ensure_ascii=False),
            "themes": list(self.themes_),
            "vectorizer": self.vectorizer_,
            "estimators": [self.estimators_[t] for t in self.themes_],
            "calibration": [list(self.calibration_[t]) for t in self.themes_],
            "thresholds": [float(self.thresholds_[t]) for t in self.themes_],
            "dense_mean": getattr(self, "dense_mean_", None),
            "context_seen": bool(getattr(self, "context_seen_", False)),
        }
        with atomic_path(path) as tmp:
            sio.dump(state, tmp)
        return Path(path)

    @property
    def info(self) -> dict[str, Any]:
        """Model card data: version, training fingerprint, size, thresholds, metrics."""
        self._check_fitted()
        return {"themes": list(self.themes_), "n_train": self.n_train_, "fingerprint": self.fingerprint_,
                "thresholds": dict(self.thresholds_), "metrics": self.metrics_,
                "temaer_version": getattr(self, "temaer_version_", None)}


def _codebook_dict(cb: Codebook) -> dict:
    return {
        "name": cb.name, "version": cb.version, "language": cb.language, "description": cb.description,
        "rules": list(cb.rules),
        "themes": [{"id": t.id, "label": t.label, "description": t.description, "include": list(t.include),
                    "exclude": list(t.exclude), "examples": list(t.examples)} for t in cb],
    }


#: Types a temaer model file may contain; anything else is refused before loading.
_TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.sparse.", "builtins.")


def load_model(path: str | Path | None = None) -> ThemeClassifier:
    """Load a model saved by :meth:`ThemeClassifier.save` (default: the shipped model).

    Loading never runs code from the file: skops is given only the scikit-learn/numpy types it
    reports, and a file holding any other type is refused.

    Example:
        >>> model = load_model()                     # doctest: +SKIP
        >>> model.info["metrics"]["test"]["macro_f1"]  # doctest: +SKIP
    """
    import skops.io as sio

    p = Path(path) if path is not None else _default_model_path()
    if not p.is_file():
        raise FileNotFoundError(f"{p}: model file not found")
    import zipfile

    try:
        untrusted = sio.get_untrusted_types(file=p)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ValueError(f"{p}: not a temaer model file (.skops): {exc}") from None
    bad = [t for t in untrusted if not t.startswith(_TRUSTED_PREFIXES)]
    if bad:
        raise ValueError(f"{p}: refusing to load a model file with unexpected types: {', '.join(bad)}")
    state = sio.load(p, trusted=untrusted)
    if not isinstance(state, dict) or state.get("format") != MODEL_FORMAT:
        raise ValueError(f"{p}: not a temaer theme classifier ({MODEL_FORMAT})")
    params = json.loads(state["params"])
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
    codebook = Codebook.from_dict(json.loads(state["codebook"]), source=str(p))
    clf = ThemeClassifier(codebook, **params)
    themes = tuple(state["themes"])
    clf.themes_ = themes
    clf.codebook_ = codebook
    clf.vectorizer_ = state["vectorizer"]
    clf.estimators_ = dict(zip(themes, state["estimators"], strict=True))
    clf.calibration_ = {t: (float(a), float(b)) for t, (a, b) in zip(themes, state["calibration"], strict=True)}
    clf.thresholds_ = dict(zip(themes, map(float, state["thresholds"]), strict=True))
    clf.context_seen_ = bool(state.get("context_seen", False))
    if state.get("dense_mean") is not None:
        clf.dense_mean_ = np.asarray(state["dense_mean"])
    clf.fingerprint_ = state["fingerprint"]
    clf.n_train_ = int(state["n_train"])
    clf.metrics_ = json.loads(state["metrics"])
    clf.cv_metrics_ = clf.metrics_.get("cv", {})
    clf.temaer_version_ = state["temaer_version"]
    clf.model_path_ = str(p)
    return clf


# ----------------------------------------------------------------------------- batch classification


def classify(
    segments: pd.DataFrame, model: ThemeClassifier | str | Path | None = None, *, batch_size: int = 2000,
    progress: Any = None,
) -> pd.DataFrame:
    """Code a segments table: adds one boolean column per theme, ``p_<theme>`` probabilities,
    ``themes`` (``;``-joined ids), ``confidence`` and ``uncertain``.

    Interviewer rows are kept but not coded (themes ``<NA>``, probabilities NaN). Rows are returned
    in input order; sort by ``confidence`` to review uncertain segments first.

    Example:
        >>> coded = classify(read_transcripts("corpus/transcripts"))  # doctest: +SKIP
        >>> coded.sort_values("confidence").head()                    # doctest: +SKIP
    """
    clf = model if isinstance(model, ThemeClassifier) else load_model(model)
    clf._check_fitted()
    frame = _as_frame(segments).copy()
    themes = list(clf.themes_)
    is_part = is_participant(frame).to_numpy()
    probs = np.full((len(frame), len(themes)), np.nan)
    idx = np.flatnonzero(is_part)
    texts = np.asarray(_texts(frame), dtype=object)
    context = question_context(frame)
    contexts = None if context is None else context.to_numpy()
    for start in range(0, len(idx), batch_size):
        chunk = idx[start : start + batch_size]
        probs[chunk] = clf._scores(list(texts[chunk]), None if contexts is None else list(contexts[chunk]))
        if progress is not None:
            progress(len(chunk))
    proba = pd.DataFrame(probs, index=frame.index, columns=themes)
    thresholds = pd.Series(clf.thresholds_)[themes]
    hits = proba >= thresholds
    for theme in themes:
        frame[theme] = pd.array(np.where(is_part, hits[theme], pd.NA), dtype="boolean")
    for theme in themes:
        frame[f"p_{theme}"] = proba[theme].round(4)
    frame["themes"] = [";".join(t for t in themes if row[t]) if part else ""
                       for row, part in zip(hits.to_dict("records"), is_part, strict=True)]
    conf = clf.confidence(proba)
    frame["confidence"] = conf.round(4)
    frame["uncertain"] = pd.array(np.where(is_part, conf < clf.uncertain_below, pd.NA), dtype="boolean")
    return frame


# ----------------------------------------------------------------------------- helpers


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Platt scaling (Platt 1999, with the target smoothing of Lin et al. 2007)."""
    from scipy.optimize import minimize

    n_pos, n_neg = y.sum(), len(y) - y.sum()
    t = np.where(y == 1, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))

    def loss(ab):
        p = _sigmoid(ab[0] * scores + ab[1])
        eps = 1e-12
        return -np.sum(t * np.log(p + eps) + (1 - t) * np.log(1 - p + eps))

    res = minimize(loss, x0=np.array([1.0, 0.0]), method="L-BFGS-B")
    return float(res.x[0]), float(res.x[1])


def _best_threshold(prob: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The probability threshold with the best F1 on out-of-fold predictions (midpoint of ties)."""
    order = np.unique(np.round(prob, 4))
    candidates = np.unique(np.concatenate([(order[:-1] + order[1:]) / 2, [0.5]]))
    best_f1, best = -1.0, []
    for t in candidates:
        pred = prob >= t
        tp = np.sum(pred & (y == 1))
        fp = np.sum(pred & (y == 0))
        fn = np.sum(~pred & (y == 1))
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best_f1 + 1e-12:
            best_f1, best = f1, [t]
        elif abs(f1 - best_f1) <= 1e-12:
            best.append(t)
    return float(np.median(best)), float(best_f1)
