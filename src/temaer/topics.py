"""Emerging topics: what the interviews bring up beyond the mandate themes (BERTopic, offline).

:func:`discover_topics` embeds participant segments (:mod:`temaer.embed`, E5 by default), reduces
them with UMAP, clusters with HDBSCAN and labels each cluster with Danish lemmas weighted by
class-based TF-IDF. Everything runs offline and is deterministic: rows are sorted by
``segment_id`` first and UMAP/SVD are seeded, so the same input (in any row order) and seed give
identical topics.

Modes:

- ``"emerging"`` (default): only participant segments the theme classifier gives no mandate theme,
  or only with low confidence (``themes`` empty or ``uncertain``), so that what is new is not
  drowned by what was expected.
- ``"all"``: all participant segments, unguided.
- ``"guided"``: all participant segments, with seed terms from the codebook guiding UMAP
  (BERTopic's guided topic modelling, with similarities centred as below so that it also works
  with E5: :func:`guided_labels`).
- ``"zeroshot"``: all participant segments; those close enough to a codebook theme go to that
  theme's topic, the rest are clustered. The similarity threshold is set from the score
  distribution (Otsu's method on each segment's best theme similarity), because E5 cosines sit in a
  narrow band where BERTopic's default of 0.7 sends everything to the zero-shot topics.

The ``emerging`` flag of a topic combines two signals, both reported in the topics table:

- ``mandate_share``: the share of the topic's segments the classifier codes with any mandate
  theme (needs ``coded``; in ``"emerging"`` mode these are the low-confidence ones);
- ``theme_similarity``: cosine between the topic centroid and its nearest codebook theme (theme
  prototype = mean embedding of label + description and the theme's examples), both centred on
  the mean segment vector, because raw E5 cosines all sit near 0.95.

In ``"emerging"`` mode the emerging topics found are then extended (``extend_quantile``): a segment
left out because it carries a confident mandate theme joins the topic it lies closest to, if that
topic is emerging and the segment is at least as close to its centre (centred cosine) as all but
the least typical ``extend_quantile`` of the topic's own segments. A segment about Covid that is
also coded ``udfordringer`` thus still counts for the Covid topic. Those rows have
``assigned == "nearest"`` in ``segments`` (clustered rows: ``"cluster"``) and are counted in the
topic's ``extended`` column, not in ``size``.

A topic is emerging when ``mandate_share < 0.5``, or when ``mandate_share < 0.75`` and
``theme_similarity`` is below the median best-theme similarity of the modelled segments (a topic
such as Covid-19 whose segments also touch mandate themes). Without classifier output the
similarity rule alone decides. Zero-shot theme topics are never emerging.

Example:
    >>> from temaer import read_transcripts
    >>> from temaer.topics import discover_topics
    >>> segs = read_transcripts("corpus/transcripts")            # doctest: +SKIP
    >>> result = discover_topics(segs, coded=classify(segs))     # doctest: +SKIP
    >>> result.topics[["topic", "size", "label", "emerging"]]    # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from temaer.transcripts import is_participant

__all__ = ["MODES", "CachedReduction", "TopicResult", "discover_topics", "load_topics", "nearest_topics",
           "scaled_params"]

log = logging.getLogger(__name__)

MODES = ("emerging", "all", "guided", "zeroshot")
GROUP_COLUMNS = ("interessentgruppe", "hospital")
MODEL_DIR = "bertopic"
REDUCTION_DIR = "reductions"


# -- parameters -----------------------------------------------------------------------------------


def scaled_params(n: int, *, min_topic_size: int | None = None) -> dict[str, int]:
    """UMAP/HDBSCAN sizes that scale with the number of segments ``n``.

    ``min_cluster_size = max(5, n / 25)`` (capped at 500); ``min_samples`` 3 below 1000 segments,
    else 5; ``n_neighbors = sqrt(n) / 2`` clipped to 10-50 and below ``n``; ``n_components`` 5
    (fewer for tiny inputs); ``max_cluster_size = n / 3`` from 200 segments on (0 = no limit), which
    stops HDBSCAN from occasionally selecting one catch-all cluster. Tuned on the corpus
    (``evaluation/topics_eval.py``).

    Example:
        >>> scaled_params(300)
        {'min_cluster_size': 12, 'min_samples': 3, 'n_neighbors': 10, 'n_components': 5, \
'max_cluster_size': 100}
        >>> scaled_params(12)["n_neighbors"]
        10
    """
    mcs = min_topic_size or int(min(500, max(5, round(n / 25))))
    return {
        "min_cluster_size": int(mcs),
        "min_samples": int(min(mcs, 3 if n < 1000 else 5)),
        "n_neighbors": int(max(2, min(n - 1, np.clip(round(np.sqrt(n) / 2), 10, 50)))),
        "n_components": int(max(2, min(5, n - 2))),
        "max_cluster_size": int(n // 3) if n >= 200 else 0,
    }


# -- result ---------------------------------------------------------------------------------------


@dataclass
class TopicResult:
    """Topics found by :func:`discover_topics`.

    ``segments``: the modelled rows (sorted by ``segment_id``) with ``topic`` (-1 = outlier) and
    ``topic_label``. ``topics``: one row per topic (outliers excluded). ``model``: the fitted
    BERTopic model (None when too few segments were left to model). ``embeddings`` and
    ``documents`` (lemma strings): what was modelled, rows as in ``segments``.
    """

    segments: pd.DataFrame
    topics: pd.DataFrame
    model: Any = None
    embeddings: np.ndarray | None = field(default=None, repr=False)
    params: dict = field(default_factory=dict)
    documents: list[str] | None = field(default=None, repr=False)

    @property
    def n_outliers(self) -> int:
        """Number of modelled segments not assigned to any topic."""
        return int((self.segments["topic"] == -1).sum()) if len(self.segments) else 0

    def share(self, by: str = "interessentgruppe") -> pd.DataFrame:
        """Topic x group table: the share of each topic's segments from each group.

        Example:
            >>> result.share("hospital").round(2)  # doctest: +SKIP
        """
        seg = self.segments[self.segments["topic"] >= 0]
        if by not in seg.columns or seg.empty:
            return pd.DataFrame()
        return pd.crosstab(seg["topic"], seg[by].fillna("").replace("", "(ukendt)"),
                           normalize="index")

    def save(self, directory: str | Path) -> Path:
        """Write ``topics.csv``, ``segments.csv``, ``params.json`` and the BERTopic model.

        The model is saved with BERTopic's safetensors serialisation (no pickle), without the
        embedding model; :func:`load_topics` reads it back offline.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.topics.to_csv(directory / "topics.csv", index=False)
        self.segments.to_csv(directory / "segments.csv", index=False)
        (directory / "params.json").write_text(
            json.dumps(self.params, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        if self.model is not None:
            with _quiet_bertopic():
                self.model.save(directory / MODEL_DIR, serialization="safetensors",
                                save_ctfidf=True, save_embedding_model=False)
        return directory


def load_topics(directory: str | Path) -> TopicResult:
    """Read a :meth:`TopicResult.save` folder; the model is loaded with the HF hub switched off.

    Example:
        >>> result = load_topics("out/topics")  # doctest: +SKIP
    """
    directory = Path(directory)
    topics = pd.read_csv(directory / "topics.csv", keep_default_na=False,
                         dtype={"nearest_theme": str})
    segments = pd.read_csv(directory / "segments.csv", dtype={"segment_id": str})
    params = json.loads((directory / "params.json").read_text(encoding="utf-8"))
    model = None
    if (directory / MODEL_DIR).is_dir():
        os.environ["HF_HUB_OFFLINE"] = "1"
        from bertopic import BERTopic

        with _quiet_bertopic():
            model = BERTopic.load(str(directory / MODEL_DIR))
    return TopicResult(segments=segments, topics=topics, model=model, params=params)


# -- main entry -----------------------------------------------------------------------------------


def discover_topics(
    segments: pd.DataFrame,
    *,
    coded: pd.DataFrame | None | bool = None,
    mode: str = "emerging",
    model: Any = None,
    embedder: Any = None,
    codebook: Any = None,
    random_state: int = 0,
    min_topic_size: int | None = None,
    min_tokens: int = 5,
    top_n_words: int = 10,
    extend_quantile: float | None = 0.25,
    embeddings: np.ndarray | None = None,
    progress: Callable[[int, int], None] | None = None,
    cache_dir: str | Path | None | bool = None,
) -> TopicResult:
    """Find topics in participant segments; flag those outside the mandate themes.

    Args:
        segments: table from :func:`temaer.read_transcripts` (needs ``segment_id`` and ``text``;
            ``role``, ``interview_id``, ``interessentgruppe``, ``hospital`` are used when present).
        coded: classifier output (theme columns, ``themes``, ``uncertain``) for these segments,
            e.g. :func:`temaer.classifier.classify`; may be ``segments`` itself. Without it the
            shipped classifier is applied when available; if not (or with ``coded=False``),
            ``"emerging"`` mode models all participant segments and the flag uses codebook
            similarity only.
        mode: ``"emerging"``, ``"all"``, ``"guided"`` or ``"zeroshot"`` (see module docs).
        model: a configured (unfitted) BERTopic to use instead of the default one; its
            embedding model is replaced by ``embedder``.
        embedder: ``"auto"``/``"e5"``/``"tfidf"``/``"hybrid"`` or any object with ``encode``
            (e.g. a sentence-transformers model).
        codebook: a :class:`temaer.Codebook` (default: the shipped mandate codebook).
        min_topic_size: HDBSCAN ``min_cluster_size`` (default scales with N, see
            :func:`scaled_params`).
        min_tokens: segments with fewer content lemmas (``"Ja, helt enig"``) are not modelled.
        extend_quantile: in ``"emerging"`` mode, add confidently coded segments to the emerging
            topic they lie closest to when they are at least as close as this quantile of the
            topic's own segments (see module docs); None adds none.
        embeddings: precomputed vectors, one row per row of ``segments`` (skips embedding).
        progress: ``progress(done, total)`` while embedding.
        cache_dir: where embeddings and UMAP's reduced coordinates are cached (default
            :func:`temaer.embed.default_cache_dir`; False: no cache). A rerun on the same segments
            with the same seed and parameters then skips both (see :class:`CachedReduction`).

    Example:
        >>> res = discover_topics(segs, coded=coded, embedder="tfidf")  # doctest: +SKIP
        >>> res.topics.loc[res.topics.emerging, ["label", "size"]]     # doctest: +SKIP
    """
    from temaer.codebook import Codebook
    from temaer.embed import encode, get_embedder, n_uncached, resolve_cache_dir
    from temaer.text import strip_annotations

    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
    if extend_quantile is not None and not 0 <= extend_quantile < 1:
        raise ValueError(f"extend_quantile must be in [0, 1) or None; got {extend_quantile!r}")
    for col in ("segment_id", "text"):
        if col not in segments.columns:
            raise ValueError(f"segments need a {col!r} column")
    codebook = codebook if codebook is not None else Codebook.load()
    theme_ids = list(codebook.ids)

    frame = segments.copy()
    if embeddings is not None:
        embeddings = np.asarray(embeddings, dtype=np.float32)
        if len(embeddings) != len(frame):
            raise ValueError("embeddings need one row per segment")
        frame["_row"] = np.arange(len(frame))
    if coded is None:
        coded = _auto_classify(frame, quiet=mode != "emerging")
    elif coded is False:
        coded = None
    has_coding = coded is not None
    if has_coding:
        frame = _attach_coding(frame, coded, theme_ids)
    background = _select(frame, mode="all", has_coding=False, theme_ids=theme_ids)
    frame = _select(frame, mode=mode, has_coding=has_coding, theme_ids=theme_ids)

    lemmas = _lemma_docs(frame["text"].astype(str).tolist())
    keep = np.array([len(t.split()) >= min_tokens for t in lemmas], dtype=bool)
    frame = frame.loc[keep].reset_index(drop=True)
    docs = [d for d, k in zip(lemmas, keep, strict=True) if k]
    rest = background[~background["segment_id"].isin(frame["segment_id"])].reset_index(drop=True)
    rest_docs = _lemma_docs(rest["text"].astype(str).tolist()) if len(rest) and model is None else []
    background_docs = docs + rest_docs if rest_docs else None
    # confidently coded segments that may join a topic afterwards (emerging mode)
    extra = rest.iloc[:0]
    if extend_quantile is not None and mode == "emerging" and has_coding and len(rest):
        long_enough = [len(d.split()) >= min_tokens for d in (rest_docs or _lemma_docs(rest["text"].tolist()))]
        extra = rest[rest["_confident"].to_numpy() & np.array(long_enough, dtype=bool)].reset_index(drop=True)
    n = len(frame)
    params = {"mode": mode, "n_segments": n, "random_state": random_state,
              "min_tokens": min_tokens, "extend_quantile": extend_quantile,
              **scaled_params(max(n, 3), min_topic_size=min_topic_size)}
    log.info("topics: modelling %d segments (mode %s)", n, mode)
    too_few = n < max(params["min_cluster_size"], params["min_samples"] + 1, 3)
    if too_few:
        extra = extra.iloc[:0]

    emb = get_embedder(embedder, random_state=random_state, cache_dir=cache_dir)
    params["embedder"] = "precomputed" if embeddings is not None else getattr(
        emb, "name", type(emb).__name__)
    texts = [strip_annotations(t) for t in pd.concat([frame["text"], extra["text"]]).astype(str)]
    # fresh vectors take a while: import BERTopic and compile UMAP meanwhile (cached vectors are
    # instant, and then the reduced coordinates are usually cached too)
    warm_up = None
    if model is None and embeddings is None and not too_few and n_uncached(emb, texts):
        warm_up = _start_warm_up()
    t0 = time.perf_counter()
    if embeddings is not None:
        rows = np.concatenate([frame.pop("_row").to_numpy(), extra.pop("_row").to_numpy()]).astype(int)
        X_all = embeddings[rows]
        X_all = X_all / np.maximum(np.linalg.norm(X_all, axis=1, keepdims=True), 1e-12)
    elif texts:
        X_all = encode(emb, texts, progress=progress)
    else:
        X_all = np.zeros((0, 1), dtype=np.float32)
    X, X_extra = X_all[:n], X_all[n:]
    params["seconds_embedding"] = round(time.perf_counter() - t0, 2)

    if too_few:
        if warm_up is not None:
            warm_up.join()
        log.info("topics: %d segments are too few to model; no topics", n)
        frame["topic"] = -1
        frame["topic_label"] = ""
        frame["assigned"] = "cluster"
        return TopicResult(frame, _empty_topics(), None, X, params, docs)

    t0 = time.perf_counter()
    if warm_up is not None:
        warm_up.join()
    backend = _backend(emb)
    topic_model = model if model is not None else _default_model(params, random_state, top_n_words,
                                                                   cache=resolve_cache_dir(cache_dir))
    if background_docs is not None:
        topic_model.ctfidf_model = _background_ctfidf(topic_model.vectorizer_model, background_docs)
    topic_model.embedding_model = backend
    if getattr(topic_model, "language", None) == "english":
        topic_model.language = "danish"  # "english" makes BERTopic strip æ, ø and å from documents
    zeroshot_themes: list[str] = []
    y, X_fit = None, X
    if mode == "guided":
        seeds = getattr(topic_model, "seed_topic_list", None) or codebook_seed_terms(codebook)
        topic_model.seed_topic_list = None  # BERTopic's own step compares raw cosines: a no-op for E5
        y, X_fit, cut = guided_labels(X, backend.embed([" ".join(s) for s in seeds]))
        params["guided_min_similarity"] = round(cut, 4)
        params["guided_segments"] = int((y >= 0).sum())
    elif mode == "zeroshot":
        zeroshot_themes = theme_ids
        topic_model.zeroshot_topic_list = [_theme_text(t) for t in codebook]
        best = (X @ backend.embed(topic_model.zeroshot_topic_list).T).max(axis=1)
        topic_model.zeroshot_min_similarity = float(_otsu(best))
        params["zeroshot_min_similarity"] = round(topic_model.zeroshot_min_similarity, 4)

    with _quiet_bertopic():
        topic_model.fit_transform(docs, embeddings=X_fit.copy(), y=y)
    frame["topic"] = np.asarray(topic_model.topics_, dtype=int)

    table = _topic_table(topic_model, frame, X, backend, codebook, theme_ids, has_coding,
                         zeroshot_themes, top_n_words)
    labels = dict(zip(table["topic"], table["label"], strict=True))
    if labels:
        topic_model.set_topic_labels(labels)
    frame["assigned"] = "cluster"
    if len(extra) and len(table):
        nearest = nearest_topics(X, frame["topic"].to_numpy(), X_extra, extend_quantile)
        extra = extra.assign(topic=nearest, assigned="nearest")
        extra = extra[extra["topic"].isin(table.loc[table["emerging"], "topic"])]
        table["extended"] = table["topic"].map(extra["topic"].value_counts()).fillna(0).astype(int)
        frame = pd.concat([frame, extra], ignore_index=True).sort_values("segment_id", kind="stable") \
            .reset_index(drop=True)
    frame["topic_label"] = [labels.get(t, "") for t in frame["topic"]]
    params["seconds_model"] = round(time.perf_counter() - t0, 2)
    return TopicResult(frame, table, topic_model, X, params, docs)


def guided_labels(X: np.ndarray, seeds: np.ndarray, *, nudge: float = 0.25) -> tuple[np.ndarray, np.ndarray, float]:
    """Seed topic of each row (-1 = none) and the vectors nudged towards it, for guided modelling.

    BERTopic's guided step labels a segment with the seed topic it is most similar to, unless the
    mean segment vector is more similar still; with E5, whose raw cosines all sit near 0.95, the
    mean always wins and guidance silently does nothing. Here cosines are centred on the mean
    segment vector, a segment is labelled when its best seed cosine reaches Otsu's threshold of
    all best cosines (returned as the third value), and labelled vectors are moved ``nudge`` of
    the way towards their seed's vector, as in BERTopic. The labels then guide UMAP
    (semi-supervised, -1 = unlabelled).

    Example:
        >>> X = np.array([[1, 0.1], [1, 0.12], [0.1, 1], [0.12, 1], [0.7, 0.7]], dtype=np.float32)
        >>> y, _, _ = guided_labels(X, np.array([[1, 0], [0, 1]], dtype=np.float32))
        >>> y.tolist()
        [0, 0, 1, 1, -1]
    """
    centre = X.mean(axis=0)
    sims = _unit(X - centre) @ _unit(seeds - centre).T
    best = sims.argmax(axis=1)
    top = sims[np.arange(len(X)), best]
    cut = _otsu(top)
    y = np.where(top >= cut, best, -1).astype(int)
    moved = X.astype(np.float32, copy=True)
    hit = y >= 0
    moved[hit] = (1 - nudge) * moved[hit] + nudge * seeds[y[hit]]
    return y, _unit(moved).astype(np.float32), float(cut)


def nearest_topics(X: np.ndarray, topics: np.ndarray, X_new: np.ndarray, quantile: float) -> np.ndarray:
    """Topic of each row of ``X_new`` by its nearest topic centre, or -1 when it lies too far out.

    ``X``/``topics``: the clustered vectors and their topics (-1 = outlier). Vectors are centred on
    the mean of all rows (raw E5 cosines all sit near 0.95). A new row joins its nearest topic when
    its cosine to the centre is at least the ``quantile`` of the topic's own members' cosines (each
    member taken against the centre of the other members).

    Example:
        >>> X = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]], dtype=np.float32)
        >>> nearest_topics(X, np.array([0, 0, 1, 1]), np.array([[0.95, 0.05], [-1, -1]]), 0.1).tolist()
        [0, -1]
    """
    ids = sorted(t for t in set(topics.tolist()) if t >= 0)
    if not ids or not len(X_new):
        return np.full(len(X_new), -1, dtype=int)
    centre = np.vstack([X, X_new]).mean(axis=0)
    Xc, Nc = _unit(X - centre), _unit(X_new - centre)
    members = [Xc[topics == t] for t in ids]
    sums = np.stack([m.sum(axis=0) for m in members])
    centres = _unit(sums)
    # each member against the centre of the others, so small topics are not judged by themselves
    cut = np.array([np.quantile(np.sum(_unit(s - m) * m, axis=1), quantile)
                    for s, m in zip(sums, members, strict=True)])
    sims = Nc @ centres.T
    best = sims.argmax(axis=1)
    ok = sims[np.arange(len(sims)), best] >= cut[best]
    return np.where(ok, np.asarray(ids)[best], -1).astype(int)


class CachedReduction:
    """BERTopic's dimensionality-reduction step with its output cached on disk.

    The key hashes the input vectors and the reducer's parameters, so rerunning on the same
    segments with the same seed reuses the reduced coordinates instead of running UMAP again
    (whose numba code alone takes ~15 s to compile in every fresh process). Coordinates are
    stored as ``.npy`` (loaded without pickle); the result is identical to an uncached run.

    Example:
        >>> from umap import UMAP                                        # doctest: +SKIP
        >>> step = CachedReduction(UMAP(random_state=0), Path("cache"))  # doctest: +SKIP
        >>> Z = step.fit_transform(X)                                    # doctest: +SKIP
    """

    def __init__(self, reducer: Any, directory: str | Path) -> None:
        self.reducer = reducer
        self.directory = Path(directory)

    def _path(self, X: np.ndarray, y: Any = None) -> Path:
        import hashlib

        X = np.ascontiguousarray(X, dtype=np.float32)
        params = json.dumps(self.reducer.get_params(), sort_keys=True, default=repr)
        version = getattr(__import__(type(self.reducer).__module__.split(".")[0]), "__version__", "")
        digest = hashlib.sha256(f"{type(self.reducer).__name__}|{version}|{params}|{X.shape}".encode())
        digest.update(X.tobytes())
        if y is not None:  # guided (semi-supervised) reduction
            digest.update(b"y" + np.asarray(y, dtype=np.int64).tobytes())
        return self.directory / f"{digest.hexdigest()}.npy"

    def fit_transform(self, X: np.ndarray, y: Any = None) -> np.ndarray:
        path = self._path(X, y)
        try:
            Z = np.load(path, allow_pickle=False)
            if Z.shape[0] == len(X):
                self.embedding_ = Z
                log.info("topics: reduced coordinates taken from the cache")
                return Z
        except (OSError, ValueError):
            pass
        from temaer.io import atomic_path

        Z = np.asarray(self.reducer.fit_transform(X, y=y))
        try:
            with atomic_path(path) as tmp, open(tmp, "wb") as fh:
                np.save(fh, Z, allow_pickle=False)
        except OSError as exc:  # a read-only cache must not stop the analysis
            log.warning("topics: could not cache reduced coordinates: %s", exc)
        self.embedding_ = Z
        return Z

    def fit(self, X: np.ndarray, y: Any = None) -> CachedReduction:
        self.fit_transform(X, y=y)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self.reducer, "embedding_"):
            raise RuntimeError("the reduction was restored from the cache and cannot place new segments; "
                               "run discover_topics on all segments instead")
        return self.reducer.transform(X)


def _start_warm_up() -> threading.Thread:
    """Import BERTopic and compile UMAP's numba code in a background thread.

    Started before embedding: the E5 engine runs in C without the GIL, so the ~20 s of imports and
    JIT compilation a fresh process needs overlap with it instead of following it.
    """

    def run() -> None:
        try:
            import bertopic  # noqa: F401
            from umap import UMAP

            rng = np.random.default_rng(0)
            data = rng.normal(size=(60, 8)).astype(np.float32)
            UMAP(n_neighbors=10, n_components=2, min_dist=0.0, metric="cosine",
                 random_state=0, init="random", low_memory=True, n_jobs=1, n_epochs=5).fit(data)
        except Exception as exc:  # the real fit reports any problem
            log.debug("topics: warm-up failed: %s", exc)

    thread = threading.Thread(target=run, name="temaer-topics-warm-up", daemon=True)
    thread.start()
    return thread


# -- selection ------------------------------------------------------------------------------------


def _auto_classify(frame: pd.DataFrame, *, quiet: bool = False) -> pd.DataFrame | None:
    """Code the segments with the shipped theme classifier; None when it is not available."""
    try:
        from temaer.classifier import classify

        coded = classify(frame)
    except (ImportError, OSError, ValueError) as exc:
        (log.info if quiet else log.warning)(
            "topics: no classifier output (%s); %s", exc,
            "flags from codebook similarity" if quiet else "modelling all participant segments")
        return None
    log.info("topics: coded the segments with the shipped theme classifier")
    return coded


def _attach_coding(frame: pd.DataFrame, coded: pd.DataFrame, theme_ids: list[str]) -> pd.DataFrame:
    """Add ``_mandate`` (any theme) and ``_confident`` (any theme, not uncertain) from ``coded``."""
    present = [t for t in theme_ids if t in coded.columns]
    if not present and "themes" not in coded.columns:
        raise ValueError("coded needs theme columns or a 'themes' column")
    if "segment_id" in coded.columns:
        coded = coded.drop_duplicates("segment_id").set_index("segment_id")
    if coded.index.name == "segment_id":
        coded = coded.set_axis(coded.index.astype(str)).reindex(frame["segment_id"].astype(str))
    elif coded.index.isin(frame.index).all() and not coded.index.has_duplicates:
        coded = coded.reindex(frame.index)  # e.g. model.predict(segments): rows by the segments' index
    else:
        raise ValueError("coded needs a 'segment_id' column (e.g. the output of temaer.classify) or the "
                         "segments' own index")
    spoken = is_participant(frame).to_numpy()
    if spoken.any() and coded.loc[spoken].isna().all(axis=1).all():
        raise ValueError("coded has no row for any of the participant segments (segment ids from another "
                         "corpus?)")
    if present:
        hits = coded[present].astype("float").fillna(0).to_numpy() > 0
        mandate = hits.any(axis=1)
    else:
        mandate = coded["themes"].fillna("").astype(str).str.len().to_numpy() > 0
    if "uncertain" in coded.columns:
        uncertain = coded["uncertain"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    else:
        uncertain = np.zeros(len(frame), dtype=bool)
    frame = frame.copy()
    frame["_mandate"] = mandate
    frame["_confident"] = mandate & ~uncertain
    return frame


def _select(frame: pd.DataFrame, *, mode: str, has_coding: bool, theme_ids: list[str]) -> pd.DataFrame:
    frame = frame[is_participant(frame)]
    if mode == "emerging" and has_coding:
        frame = frame[~frame["_confident"]]
    frame = frame[frame["text"].fillna("").astype(str).str.strip() != ""]
    frame = frame.assign(segment_id=frame["segment_id"].astype(str))
    return frame.sort_values("segment_id", kind="stable").reset_index(drop=True)


def _lemma_docs(texts: Sequence[str]) -> list[str]:
    from temaer.embed import lemma_strings

    return lemma_strings(texts)


# -- BERTopic pieces ------------------------------------------------------------------------------


def _stop_words() -> list[str]:
    from temaer import nlp

    words = nlp.STOP_WORDS if hasattr(nlp, "STOP_WORDS") else nlp.stop_words()
    return sorted(words)


def _default_model(params: dict, random_state: int, top_n_words: int, cache: Path | None = None):
    from bertopic import BERTopic
    from bertopic.vectorizers import ClassTfidfTransformer
    from hdbscan import HDBSCAN
    from sklearn.feature_extraction.text import CountVectorizer
    from umap import UMAP

    n = params["n_segments"]
    umap_model = UMAP(
        n_neighbors=params["n_neighbors"], n_components=params["n_components"], min_dist=0.0,
        metric="cosine", random_state=random_state, init="spectral" if n >= 50 else "random",
        low_memory=True, n_jobs=1,
    )
    if cache is not None and params["mode"] != "zeroshot":  # zero-shot also places other segments later
        umap_model = CachedReduction(umap_model, cache / REDUCTION_DIR)
    hdbscan_model = HDBSCAN(
        min_cluster_size=params["min_cluster_size"], min_samples=params["min_samples"],
        metric="euclidean", cluster_selection_method="eom", prediction_data=True,
        max_cluster_size=params["max_cluster_size"],
    )
    vectorizer = CountVectorizer(
        token_pattern=r"\S+", ngram_range=(1, 1), min_df=2 if n >= 200 else 1,
        stop_words=_stop_words(),
    )
    return BERTopic(
        umap_model=umap_model, hdbscan_model=hdbscan_model, vectorizer_model=vectorizer,
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        top_n_words=top_n_words, calculate_probabilities=False, verbose=False, language="danish",
    )


def _background_ctfidf(vectorizer: Any, background: list[str]):
    """c-TF-IDF whose IDF comes from a background corpus (all participant segments).

    In ``"emerging"`` mode only a few hundred segments are modelled; word frequencies over the
    whole interview set tell generic spoken words ("holde", "periode") from topic words
    ("julefrokost"), so labels are more distinctive.
    """
    import scipy.sparse as sp
    from bertopic.vectorizers import ClassTfidfTransformer

    class BackgroundClassTfidf(ClassTfidfTransformer):
        def fit(self, X, multiplier=None):
            super().fit(X, multiplier=multiplier)
            counts = np.asarray(vectorizer.transform(background).sum(axis=0)).ravel()
            counts = counts * (X.sum() / max(counts.sum(), 1))
            df = np.maximum(counts, np.asarray(X.sum(axis=0)).ravel())
            idf = np.log(X.sum(axis=1).mean() / np.maximum(df, 1e-9) + 1)
            if multiplier is not None:
                idf = idf * multiplier
            n = X.shape[1]
            self._idf_diag = sp.diags(idf, offsets=0, shape=(n, n), format="csr", dtype=np.float64)
            return self

    return BackgroundClassTfidf(reduce_frequent_words=True)


def _backend(embedder: Any):
    """Wrap an embedder as a BERTopic backend (used for seed, zero-shot and theme texts)."""
    from bertopic.backend import BaseEmbedder

    from temaer.embed import _normalise

    class TemaerBackend(BaseEmbedder):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def embed(self, documents: list[str], verbose: bool = False) -> np.ndarray:  # noqa: ARG002
            return _normalise(self.inner.encode(list(documents)))

    return TemaerBackend(embedder)


@contextmanager
def _quiet_bertopic():
    logger = logging.getLogger("BERTopic")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


# -- codebook helpers -----------------------------------------------------------------------------


def _theme_text(theme: Any) -> str:
    return f"{theme.label}. {theme.description}".strip()


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def _theme_prototypes(backend: Any, codebook: Any) -> np.ndarray:
    """One unit vector per theme: mean of its label+description and example embeddings."""
    protos = []
    for theme in codebook:
        texts = [_theme_text(theme), *theme.examples]
        v = backend.embed(texts).mean(axis=0)
        protos.append(v / max(np.linalg.norm(v), 1e-12))
    return np.vstack(protos).astype(np.float32)


def codebook_seed_terms(codebook: Any, k: int = 8) -> list[list[str]]:
    """Seed lemmas per theme for guided topic modelling: the theme's top TF-IDF lemmas.

    Each theme's label, description and include rules form one document; the ``k`` lemmas with
    the highest TF-IDF weight (distinctive for that theme against the others) are its seeds.

    Example:
        >>> from temaer import Codebook
        >>> codebook_seed_terms(Codebook.load(), k=3)[0]  # doctest: +SKIP
        ['rolle', 'koordinator', 'bindeled']
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = _lemma_docs([" ".join([t.label, t.description, *t.include]) for t in codebook])
    vec = TfidfVectorizer(token_pattern=r"\S+", sublinear_tf=True)
    W = vec.fit_transform(docs).toarray()
    vocab = vec.get_feature_names_out()
    return [[vocab[j] for j in np.argsort(-row, kind="stable")[:k] if row[j] > 0] for row in W]


def _otsu(values: np.ndarray, bins: int = 64) -> float:
    """Otsu's threshold of a 1-D sample (maximises between-class variance)."""
    values = np.asarray(values, dtype=float)
    if len(values) < 2 or np.ptp(values) == 0:
        return float(values.max(initial=1.0)) + 1e-6
    hist, edges = np.histogram(values, bins=bins)
    centres = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(hist)
    w1 = w0[-1] - w0
    m0 = np.cumsum(hist * centres) / np.maximum(w0, 1)
    m1 = ((hist * centres).sum() - np.cumsum(hist * centres)) / np.maximum(w1, 1)
    between = w0 * w1 * (m0 - m1) ** 2
    return float(edges[1:][int(np.argmax(between))])


# -- topic table ----------------------------------------------------------------------------------

TOPIC_COLUMNS = [
    "topic", "size", "label", "terms", "representative", "interviews", "emerging", "mandate_share",
    "nearest_theme", "theme_similarity", "interessentgruppe", "hospital", "extended",
]


def _empty_topics() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in TOPIC_COLUMNS})


def _shares(values: pd.Series, top: int = 4) -> str:
    counts = values.fillna("").replace("", "(ukendt)").value_counts(normalize=True, sort=False)
    counts = counts.sort_index().sort_values(ascending=False, kind="stable")
    return "; ".join(f"{k} {v:.0%}" for k, v in counts.head(top).items())


def _topic_table(topic_model, frame, X, backend, codebook, theme_ids, has_coding,
                 zeroshot_themes, top_n_words) -> pd.DataFrame:
    topics = sorted(t for t in set(frame["topic"]) if t >= 0)
    if not topics:
        return _empty_topics()
    centre = X.mean(axis=0)
    protos = _unit(_theme_prototypes(backend, codebook) - centre)
    Xc = _unit(X - centre)
    sim_cut = float(np.median((Xc @ protos.T).max(axis=1)))
    zeroshot_ids: dict[int, int] = {}
    if zeroshot_themes:
        zeroshot_ids = dict(getattr(topic_model, "_topic_id_to_zeroshot_topic_idx", None) or {})
    rows = []
    for t in topics:
        mask = (frame["topic"] == t).to_numpy()
        members = frame.loc[mask]
        words = [w for w, score in (topic_model.get_topic(t) or []) if w and score > 0]
        words = words[:top_n_words]
        closest = np.argsort(-(X[mask] @ _unit(X[mask].mean(axis=0))), kind="stable")[:3]
        sims = protos @ _unit(Xc[mask].mean(axis=0))
        nearest = int(zeroshot_ids[t]) if t in zeroshot_ids else int(np.argmax(sims))
        share = float(members["_mandate"].mean()) if has_coding else np.nan
        if t in zeroshot_ids:
            emerging = False
        elif has_coding:
            emerging = share < 0.5 or (share < 0.75 and sims[nearest] < sim_cut)
        else:
            emerging = bool(sims[nearest] < sim_cut)
        rows.append({
            "topic": int(t),
            "size": int(mask.sum()),
            "label": " / ".join(words[:3]),
            "terms": ", ".join(words),
            "representative": ";".join(members["segment_id"].iloc[closest]),
            "interviews": int(members["interview_id"].nunique())
            if "interview_id" in members else np.nan,
            "emerging": bool(emerging),
            "mandate_share": round(share, 3) if has_coding else np.nan,
            "nearest_theme": theme_ids[nearest],
            "theme_similarity": round(float(sims[nearest]), 4),
            **{col: _shares(members[col]) if col in members else "" for col in GROUP_COLUMNS},
            "extended": 0,
        })
    return pd.DataFrame(rows, columns=TOPIC_COLUMNS)
