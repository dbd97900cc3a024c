"""ThemeClassifier: fitting, calibrated multi-label prediction, explanations, safe persistence."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from temaer.classifier import ThemeClassifier, classify, load_model

# Hand-written Danish training segments, 4 interviews, with their themes.
TRAIN = [
    ("A", "Vi booker alle tider i ambulatoriet og sender indkaldelser ud", "opgaver"),
    ("A", "Jeg koder diagnoser og procedurer til LPR hver eftermiddag", "opgaver"),
    ("A", "Pårørende ringer tit og er bekymrede for deres mor", "patienter_paaroerende"),
    ("A", "Patienterne spørger i skranken om ventetiden", "patienter_paaroerende"),
    ("A", "Ja, helt enig", ""),
    ("A", "Kantinen har fået ny kok [griner]", ""),
    ("A", "Lægerne dikterer og vi retter talegenkendelsen bagefter, og pårørende ringer imens",
     "opgaver;patienter_paaroerende"),
    ("B", "Visitationen af henvisninger ligger hos os sekretærer", "opgaver"),
    ("B", "Vi skriver epikriser og booker scanninger", "opgaver"),
    ("B", "En patient var vred i telefonen over aflysningen", "patienter_paaroerende"),
    ("B", "De pårørende vil gerne have svar med det samme", "patienter_paaroerende"),
    ("B", "Mm, det kan jeg genkende", ""),
    ("B", "Parkeringen er et mareridt herude", ""),
    ("C", "Jeg sidder med booking af operationer og koder bagefter", "opgaver"),
    ("C", "Indkaldelsesbrevene sender vi i e-Boks til patienterne", "opgaver;patienter_paaroerende"),
    ("C", "Patienter og pårørende ringer hele dagen om deres tider", "patienter_paaroerende"),
    ("C", "Vi trøster pårørende, når de er kede af det", "patienter_paaroerende"),
    ("C", "Julefrokosten blev aflyst igen i år", ""),
    ("C", "Okay, ja", ""),
    ("D", "Kodning og registrering fylder mest i min hverdag", "opgaver"),
    ("D", "Vi laver ventelister og booker ambulante tider", "opgaver"),
    ("D", "Patienten i telefonen forstod ikke brevet", "patienter_paaroerende"),
    ("D", "Pårørende møder op i skranken uden aftale", "patienter_paaroerende"),
    ("D", "Der er kage i dag", ""),
    ("D", "Nej, ikke rigtig", ""),
]


@pytest.fixture(scope="module")
def train_data():
    segs = pd.DataFrame({
        "segment_id": [f"{iid}:{i:03d}" for i, (iid, _, _) in enumerate(TRAIN)],
        "interview_id": [iid for iid, _, _ in TRAIN],
        "role": "participant",
        "text": [text for _, text, _ in TRAIN],
    })
    coding = pd.DataFrame(
        [(sid, t) for sid, (_, _, themes) in zip(segs.segment_id, TRAIN, strict=True) for t in themes.split(";")],
        columns=["segment_id", "theme"],
    )
    return segs, coding


@pytest.fixture(scope="module")
def fitted(train_data):
    segs, coding = train_data
    with pytest.warns(UserWarning, match="no positive"):  # 5 of the 7 themes have no examples here
        return ThemeClassifier(min_df=1, cv=4).fit(segs, coding)


def test_fit_predict_shapes_and_behaviour(fitted):
    texts = pd.Series(["Jeg booker tider og koder i LPR", "Pårørende ringer og er bekymrede", "Kagen var god"],
                      index=[10, 11, 12])
    proba = fitted.predict_proba(texts)
    pred = fitted.predict(texts)
    assert list(proba.columns) == list(fitted.themes_) and list(proba.index) == [10, 11, 12]
    assert pred.dtypes.eq(bool).all()
    assert ((proba >= 0) & (proba <= 1)).all().all()
    assert pred.loc[10, "opgaver"] and not pred.loc[10, "patienter_paaroerende"]
    assert pred.loc[11, "patienter_paaroerende"] and not pred.loc[11, "opgaver"]
    assert not pred.loc[12].any()
    assert proba.loc[10, "opgaver"] > proba.loc[12, "opgaver"]


@pytest.mark.filterwarnings("ignore:theme .* has no positive")
def test_themes_without_examples_are_never_predicted(fitted):
    pred = fitted.predict(["Vi er spindlen i nettet"])
    assert not pred["roller"].iloc[0]  # no training positives for 'roller'
    assert fitted.estimators_["roller"] is None


@pytest.mark.filterwarnings("ignore:theme .* has no positive")
def test_wide_coding_equals_long_coding(train_data, fitted):
    segs, coding = train_data
    from temaer.coding import to_wide

    wide = to_wide(coding, fitted.themes_, segments=segs.segment_id).reset_index(drop=True)
    other = ThemeClassifier(min_df=1, cv=4).fit(segs.drop(columns="segment_id"), wide,
                                                 groups=segs.interview_id.tolist())
    texts = ["Vi booker tider", "Pårørende ringer"]
    np.testing.assert_allclose(other.predict_proba(texts), fitted.predict_proba(texts))


def test_question_context_is_used_and_unknown_context_is_neutral():
    from temaer.classifier import question_context

    segs = pd.DataFrame({
        "interview_id": ["X"] * 4, "turn": [1, 2, 3, 4],
        "role": ["participant", "interviewer", "participant", "participant"],
        "text": ["Hej", "Hvad laver I?", "Booking", "Og kodning"],
    })
    assert question_context(segs).tolist() == ["", "", "Hvad laver I?", "Hvad laver I?"]
    assert question_context(segs[["text"]]) is None  # plain texts: context unknown
    model = load_model()
    assert model.context_seen_
    docs = model._docs(["Booking"], None)
    assert docs["context"].tolist() == [""]  # unknown context: empty block, not the opening token


def test_explain_names_words_from_the_text(fitted):
    ex = fitted.explain("Jeg booker tider og koder i LPR")
    assert set(ex["theme"]) == {"opgaver"}
    assert {"booke", "kode"} & set(ex["feature"])
    assert (ex["weight"] > 0).all()


def test_classify_keeps_interviewer_rows_uncoded(fitted):
    segs = pd.DataFrame({
        "segment_id": ["X:1", "X:2", "X:3", "X:0"], "interview_id": "X",
        "role": ["interviewer", "participant", "participant", "note"],
        "text": ["Hvad laver I?", "Vi booker tider og koder", "Pårørende ringer og er bekymrede",
                 "Gruppeinterview om booking og pårørende"],
    })
    coded = classify(segs, fitted)
    assert coded.loc[0, "opgaver"] is pd.NA and np.isnan(coded.loc[0, "p_opgaver"])
    assert coded.loc[3, "themes"] is pd.NA or coded.loc[3, "themes"] == ""  # a note is not coded
    assert np.isnan(coded.loc[3, "p_opgaver"])
    assert coded.loc[1, "opgaver"] and coded.loc[1, "themes"] == "opgaver"
    assert coded.loc[2, "themes"] == "patienter_paaroerende"
    assert coded["uncertain"].dtype == "boolean" and coded.loc[0, "uncertain"] is pd.NA
    assert ((coded["confidence"].iloc[1:3] >= 0) & (coded["confidence"].iloc[1:3] <= 1)).all()


def test_save_and_load_round_trip(fitted, tmp_path):
    path = fitted.save(tmp_path / "m.skops", metrics={"note": "test"})
    loaded = load_model(path)
    texts = ["Vi booker tider", "Pårørende ringer", "Kage"]
    pd.testing.assert_frame_equal(loaded.predict_proba(texts), fitted.predict_proba(texts))
    assert loaded.thresholds_ == fitted.thresholds_
    assert loaded.info["fingerprint"] == fitted.fingerprint_ and loaded.info["metrics"]["note"] == "test"
    assert loaded.info["temaer_version"]
    assert loaded.codebook_.ids == fitted.codebook_.ids


def test_load_refuses_files_with_foreign_types(tmp_path):
    import skops.io as sio

    path = tmp_path / "evil.skops"
    sio.dump({"format": "temaer-theme-classifier/1", "payload": pd.Timestamp("2021-03-01")}, path)
    with pytest.raises(ValueError, match="unexpected types"):
        load_model(path)


def test_too_little_coding_is_a_clear_error():
    with pytest.raises(ValueError, match="too few"):
        ThemeClassifier().fit(pd.DataFrame({"segment_id": ["a:1"], "text": ["x"]}),
                              pd.DataFrame({"segment_id": ["a:1"], "theme": ["opgaver"]}))


def test_shipped_model_codes_plain_cases():
    model = load_model()
    texts = [
        "Vi bruger rigtig meget tid i telefonen med pårørende, der er bekymrede og vil vide, hvornår deres far "
        "bliver indkaldt.",
        "Øh, jeg sidder mest med booking af ambulante tider, og så koder jeg alle kontakterne i LPR om eftermiddagen.",
        "Ja.",
    ]
    pred = model.predict(texts)
    assert pred.loc[0, "patienter_paaroerende"]
    assert pred.loc[1, "opgaver"]
    assert not pred.loc[2].any()


def test_classify_path_never_imports_topic_stack(tmp_path):
    code = (
        "import sys, temaer, pandas as pd\n"
        "from temaer.classifier import classify, load_model\n"
        "segs = pd.DataFrame({'segment_id': ['a:1'], 'role': ['participant'], 'text': ['Vi booker tider']})\n"
        "classify(segs, load_model())\n"
        "bad = [m for m in ('bertopic', 'umap', 'hdbscan', 'torch', 'sentence_transformers') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300)


CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.fixture(scope="module")
def two_interviews():
    from temaer.transcripts import read_transcripts

    return [read_transcripts(CORPUS / "transcripts" / f"{i}.txt") for i in ("AL01", "HK01")]


def test_context_follows_rows_not_index_labels(two_interviews):
    from temaer.classifier import classify

    a, b = two_interviews
    both = pd.concat([b, a])  # the usual concat: index labels repeat
    assert both.index.has_duplicates
    coded = classify(both)
    fresh = classify(both.reset_index(drop=True))
    assert coded.index.equals(both.index)
    np.testing.assert_allclose(coded.filter(like="p_").to_numpy(dtype=float),
                               fresh.filter(like="p_").to_numpy(dtype=float))
    alone = classify(a)  # the same as classifying the interview on its own
    np.testing.assert_allclose(coded.loc[coded["interview_id"] == "AL01"].filter(like="p_").to_numpy(dtype=float),
                               alone.filter(like="p_").to_numpy(dtype=float))


def test_participant_rows_without_their_questions_are_unknown_context(two_interviews):
    from temaer.classifier import classify

    part = two_interviews[0].query("role == 'participant'")
    with pytest.warns(UserWarning, match="1 of 1 interviews have no interviewer rows"):
        filtered = classify(part)
    plain = classify(part["text"].tolist())
    np.testing.assert_allclose(filtered.filter(like="p_").to_numpy(dtype=float),
                               plain.filter(like="p_").to_numpy(dtype=float))


def test_wide_coding_indexed_by_segment_id_is_aligned_by_id(train_data, fitted):
    from temaer.coding import to_wide

    segs, coding = train_data
    wide = to_wide(coding, fitted.themes_, segments=segs.segment_id).sample(frac=1, random_state=0)
    assert wide.index.name == "segment_id"
    other = ThemeClassifier(min_df=1, cv=4).fit(segs, wide)
    texts = ["Vi booker tider", "Pårørende ringer"]
    np.testing.assert_allclose(other.predict_proba(texts), fitted.predict_proba(texts))


def test_groups_per_row_of_x_with_interviewer_rows(two_interviews):
    segs = pd.concat(two_interviews, ignore_index=True)
    coding = CORPUS / "coding" / "gold.csv"
    model = ThemeClassifier(cv=2).fit(segs, coding, groups=segs["interview_id"])
    assert model.n_train_ == int((segs["role"] == "participant").sum())
    with pytest.raises(ValueError, match="groups has 3 entries"):
        ThemeClassifier(cv=2).fit(segs, coding, groups=["a", "b", "c"])


def test_input_edge_cases_are_clear(fitted):
    assert fitted.predict_proba([]).shape == (0, len(fitted.themes_))
    with pytest.raises(TypeError, match="not a dict"):
        fitted.predict({"a": "Vi booker tider"})
    with pytest.raises(ValueError, match="unknown theme"):
        fitted.explain("Vi booker tider", themes=["ukendt"])
    nan = fitted.predict_proba(pd.DataFrame({"text": [None, ""]}))
    np.testing.assert_allclose(nan.iloc[0], nan.iloc[1])  # a missing text is empty, not the word "nan"
