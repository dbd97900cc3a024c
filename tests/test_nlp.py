"""The Danish NLP layer: both the installed-model path and the offline fallback."""

from __future__ import annotations

import spacy

from temaer import nlp as tnlp
from temaer.nlp import FALLBACK_NAME, load_pipeline, preprocess, stop_words


def test_fallback_sets_lemmas_and_sentences(monkeypatch):
    monkeypatch.delenv("TEMAER_SPACY_MODEL", raising=False)
    nlp = load_pipeline()
    assert nlp.meta["name"] == FALLBACK_NAME  # da_core_news_sm is not installed here
    doc = nlp("Sygeplejerskerne ringede til patienterne. De havde ventet længe.")
    lemmas = [t.lemma_ for t in doc]
    assert all(lemmas)
    assert lemmas[:4] == ["sygeplejerske", "ringe", "til", "patient"]
    assert len(list(doc.sents)) == 2


def _tiny_pipeline(tmp_path):
    tiny = spacy.blank("da")
    tiny.add_pipe("sentencizer")
    tiny.meta["name"] = "tiny_test"
    path = tmp_path / "tiny"
    tiny.to_disk(path)
    return path


def test_installed_model_path_by_name_and_env(tmp_path, monkeypatch):
    path = _tiny_pipeline(tmp_path)
    nlp = load_pipeline(str(path))
    assert nlp.meta["name"] == "tiny_test"
    assert [t.lemma_ for t in nlp("Lægerne dikterer")] == ["læge", "diktere"]  # lemmas always set
    monkeypatch.setenv("TEMAER_SPACY_MODEL", str(path))
    assert load_pipeline().meta["name"] == "tiny_test"


def test_da_core_news_sm_is_tried_first(tmp_path, monkeypatch):
    """When da_core_news_sm is installed, spacy.load("da_core_news_sm") is what runs."""
    path = _tiny_pipeline(tmp_path)
    loaded = []
    real_load = spacy.load
    monkeypatch.delenv("TEMAER_SPACY_MODEL", raising=False)
    monkeypatch.setattr(spacy.util, "is_package", lambda name: name == "da_core_news_sm")

    def fake_load(name, *args, **kwargs):
        loaded.append(name)
        return real_load(path)

    monkeypatch.setattr(spacy, "load", fake_load)
    nlp = load_pipeline()
    assert loaded == ["da_core_news_sm"] and nlp.meta["name"] == "tiny_test"


def test_missing_named_model_falls_back(monkeypatch, caplog):
    monkeypatch.delenv("TEMAER_SPACY_MODEL", raising=False)
    nlp = load_pipeline("da_no_such_model")
    assert nlp.meta["name"] == FALLBACK_NAME
    assert "da_no_such_model" in caplog.text


def test_preprocess_drops_fillers_stopwords_annotations_numbers():
    out = list(preprocess([
        "Øh, jamen altså lægesekretærerne skriver journalerne [griner], ikk'?",
        "Vi har 25 henvisninger (utydeligt) i MidtEPJ.",
        "",
    ]))
    assert out[0] == ["lægesekretær", "skrive", "journal"]
    assert out[1] == ["henvisning", "midtepj"]
    assert out[2] == []
    assert {"øh", "jamen", "altså", "ikk", "og", "det"} <= stop_words()


def test_preprocess_with_installed_model_path(tmp_path):
    nlp = load_pipeline(str(_tiny_pipeline(tmp_path)))
    text = ["Patienterne ringer øh hele tiden [griner]"]
    assert list(preprocess(text, nlp=nlp)) == [["patient", "ringe", "hele", "tid"]]
    assert list(preprocess(text, nlp=nlp)) == list(preprocess(text))


def test_preprocess_is_streaming():
    gen = preprocess(iter(["Lægen dikterer"] * 3))
    assert next(gen) == ["læge", "diktere"]
    assert tnlp.lemma_text(["Lægen dikterer"]) == ["læge diktere"]
