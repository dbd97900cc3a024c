"""Tests for temaer.topics: small real Danish inputs, determinism, tiny inputs, saving, no torch."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from temaer.topics import (
    CachedReduction,
    discover_topics,
    guided_labels,
    load_topics,
    scaled_params,
)

pytest.importorskip("bertopic")

# Four recurring off-mandate topics, written as participants talk, plus small talk.
TOPICS = {
    "parkering": [
        "Parkeringen ved det nye hospital er helt håbløs, man kører rundt i tyve minutter om morgenen.",
        "Jeg har opgivet bilen, for der er aldrig en ledig parkeringsplads ved personaleindgangen.",
        "Parkeringshuset er fyldt klokken syv, så vi der møder kvart over står og leder efter plads.",
        "Nu skal vi også betale for at parkere, og det er ret dyrt når man kører hver dag.",
        "Altså parkeringspladserne ligger så langt væk at man går ti minutter fra bilen til afsnittet.",
        "Der er bygget et nyt parkeringshus, men det er stadig for lille til alle medarbejdernes biler.",
        "Øh, jeg kommer tit for sent fordi jeg skal finde parkering, det stresser mig hver morgen.",
        "Vi har spurgt om flere pladser til personalet på parkeringsarealet, men svaret er nej.",
        "Det med parkeringen har fyldt meget, folk skændes nærmest om pladserne ved indgangen.",
        "Parkeringsbøder har vi også fået, fordi pladserne med tilladelse var optaget af besøgende.",
        "Hvis man kører bil ind til hospitalet skal man være der før syv for at finde en parkeringsplads.",
        "Jeg deler bil med en kollega nu, så vi kun skal finde én parkeringsplads om morgenen.",
    ],
    "julefrokost": [
        "Vi har kage hver fredag, og så sidder vi sammen i frokoststuen og snakker, det er hyggeligt.",
        "Julefrokosten blev aflyst igen i år, og det savner vi virkelig, det er der vi griner sammen.",
        "Fredagsbaren var sådan et sted hvor lægerne og sekretærerne mødtes og fik en øl sammen.",
        "Vi skiftes til at bage kage til fredag, og der er konkurrence om hvem der bager den bedste.",
        "Det sociale fællesskab betyder meget, vi spiser frokost sammen og fejrer fødselsdage med kage.",
        "Jamen julefrokosten og sommerfesten er det der holder sammen på os som kolleger.",
        "Vi holdt en lille fredagsbar ude på terrassen med pølser og øl, det var rigtig hyggeligt.",
        "Når nogen har fødselsdag kommer der boller og kage på bordet i kaffestuen om morgenen.",
        "Vores personaleforening arrangerer bowling og julefrokost, og næsten alle tager med.",
        "Fællesskabet i kaffestuen har lidt under det hele, vi ses ikke til frokost som før.",
        "Til sommerfesten havde vi grill og musik, og alle faggrupper var med, det var en god aften.",
        "Kagebordet om fredagen er nok det bedste ved ugen, der mødes vi på tværs af afsnittene.",
    ],
    "loen": [
        "Lønnen for en lægesekretær er simpelthen for lav i forhold til det ansvar vi har.",
        "Ved overenskomsten fik vi nogle få procent, men det dækker slet ikke prisudviklingen.",
        "Vi tjener mindre end sygeplejerskerne, selvom vi har en lang uddannelse bag os.",
        "Altså tillægget for de ekstra opgaver er forsvundet, og lønnen er den samme som før.",
        "Pensionen er også dårligere end i det private, så mange unge vælger en anden løn.",
        "Vi har bedt om et lokalt løntillæg for koordineringen, men ledelsen siger der ikke er penge.",
        "Lønforhandlingen i år gav os næsten ingenting, og det gør folk sure i afdelingen.",
        "HK har kæmpet for en bedre løn ved OK21, men resultatet var skuffende for os.",
        "Når man sammenligner lønsedlen med andre faggrupper, så kan man godt blive lidt bitter.",
        "Grundlønnen er den samme efter tyve år, det er kun anciennitet der giver lidt mere.",
        "Jeg fik et lønløft da jeg skiftede job, det kan ikke betale sig at blive på samme sted.",
        "Lønnen er grunden til at vi mister kolleger til kommunen og til private arbejdsgivere.",
    ],
    "covid": [
        "Under corona arbejdede vi hjemmefra, og telefonen blev stillet om til vores private mobiler.",
        "Vi skulle bære mundbind og visir i skranken, og der var plexiglas foran hele disken.",
        "Mange operationer blev aflyst under covid-nedlukningen, og vi ringede patienterne op.",
        "Vi blev testet for covid hver uge, og nogle kolleger var hjemme i karantæne længe.",
        "Da vaccinerne kom, var der så mange spørgsmål om hvornår man selv skulle vaccineres.",
        "Alle møder foregik på Teams under pandemien, og man så aldrig sine kolleger.",
        "Der var mangel på værnemidler i starten af pandemien, vi havde ikke nok handsker.",
        "Jeg blev omplaceret til covid-afsnittet i foråret, det var en helt anden verden.",
        "Besøgsforbuddet under corona betød at pårørende ikke måtte komme ind på afdelingen.",
        "Hjemmearbejdet under nedlukningen var ensomt, og forbindelsen til systemerne var langsom.",
        "Vi måtte holde afstand i frokoststuen, så vi spiste i hold på hver sit tidspunkt.",
        "Smitten på afdelingen betød at halvdelen af sekretærerne var sendt hjem på én gang.",
    ],
}
SMALL_TALK = ["Ja.", "Mm, helt enig.", "Skal jeg starte?", "Ja ja, det kan jeg genkende."]


def make_segments() -> pd.DataFrame:
    rows = []
    i = 0
    for k, (topic, texts) in enumerate(TOPICS.items()):
        for j, text in enumerate(texts):
            i += 1
            rows.append({"interview_id": f"T{j % 4}", "segment_id": f"T{j % 4}:{i:03d}",
                         "role": "participant", "speaker": f"P{k}", "text": text,
                         "interessentgruppe": ["Lægesekretærer", "SOSU"][j % 2],
                         "hospital": ["Regionshospitalet Randers", "Tværregional"][k % 2],
                         "planted": topic})
    for text in SMALL_TALK:
        i += 1
        rows.append({"interview_id": "T0", "segment_id": f"T0:{i:03d}", "role": "participant",
                     "speaker": "P0", "text": text, "interessentgruppe": "SOSU",
                     "hospital": "Tværregional", "planted": ""})
    i += 1
    rows.append({"interview_id": "T0", "segment_id": f"T0:{i:03d}", "role": "interviewer",
                 "speaker": "I", "text": "Hvad fylder mest for jer i hverdagen lige nu?",
                 "interessentgruppe": "SOSU", "hospital": "Tværregional", "planted": ""})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("emb-cache")


@pytest.fixture(scope="module")
def segments():
    return make_segments()


@pytest.fixture(scope="module")
def result(segments, cache_dir):
    return discover_topics(segments, coded=False, mode="all", cache_dir=cache_dir, min_tokens=3,
                           min_topic_size=5)


def test_finds_the_planted_topics(result, segments):
    assert len(result.topics) >= 3
    seg = result.segments
    # interviewer and minimal turns are not modelled
    assert set(seg["planted"]) == set(TOPICS)
    assert not set(SMALL_TALK) & set(result.segments["text"])
    pure = []
    for _, grp in seg[seg["topic"] >= 0].groupby("topic"):
        pure.append(grp["planted"].value_counts(normalize=True).iloc[0])
    assert np.mean(pure) >= 0.8
    assert {"topic", "size", "label", "terms", "representative", "emerging", "mandate_share",
            "nearest_theme", "theme_similarity", "interessentgruppe", "hospital",
            "interviews"} <= set(result.topics.columns)
    assert result.topics["size"].sum() + result.n_outliers == len(result.segments)


def test_labels_are_danish_content_words(result):
    from temaer.nlp import stop_words

    stops = stop_words()
    terms = [t for row in result.topics["terms"] for t in row.split(", ")]
    assert terms
    assert not [t for t in terms if t in stops]
    labels = " ".join(result.topics["label"])
    assert any(w in labels for w in ("parkering", "løn", "kage", "julefrokost", "covid", "corona"))
    assert all(" / " in label for label in result.topics["label"])


def test_deterministic_and_row_order_independent(result, segments, tmp_path):
    shuffled = segments.sample(frac=1.0, random_state=7)
    # a fresh cache: UMAP really runs again (the reduced coordinates are not reused)
    again = discover_topics(shuffled, coded=False, mode="all", cache_dir=tmp_path, min_tokens=3,
                            min_topic_size=5)
    pd.testing.assert_frame_equal(again.topics, result.topics)
    pd.testing.assert_frame_equal(again.segments, result.segments)


def test_reduced_coordinates_are_cached(segments, tmp_path, monkeypatch):
    import umap

    kwargs = {"coded": False, "mode": "all", "cache_dir": tmp_path, "min_tokens": 3, "min_topic_size": 5}
    first = discover_topics(segments, **kwargs)
    assert len(list((tmp_path / "reductions").glob("*.npy"))) == 1

    def rerun(*args, **kw):
        raise AssertionError("UMAP ran again")

    monkeypatch.setattr(umap.UMAP, "fit_transform", rerun)
    again = discover_topics(segments, **kwargs)
    pd.testing.assert_frame_equal(again.topics, first.topics)
    pd.testing.assert_frame_equal(again.segments, first.segments)
    with pytest.raises(AssertionError, match="UMAP ran again"):  # another seed is another key
        discover_topics(segments, **{**kwargs, "random_state": 1})


def test_emerging_mode_skips_confidently_coded(segments, cache_dir):
    coded = segments[["segment_id"]].copy()
    coded["udfordringer"] = segments["planted"].eq("loen")
    coded["uncertain"] = False
    coded.loc[segments.index[segments["planted"].eq("loen")][:3], "uncertain"] = True
    res = discover_topics(segments, coded=coded, cache_dir=cache_dir, min_tokens=3, min_topic_size=5,
                          extend_quantile=None)
    kept = set(res.segments["segment_id"])
    loen = segments.loc[segments["planted"].eq("loen"), "segment_id"]
    assert len(kept & set(loen)) == 3  # only the uncertain ones
    assert set(res.segments["assigned"]) == {"cluster"}
    assert res.params["mode"] == "emerging"
    assert res.topics["mandate_share"].notna().all()
    assert res.topics["emerging"].dtype == bool
    # theme columns without segment_id (e.g. model.predict(segments)) align by the segments' index
    by_index = discover_topics(segments, coded=coded.drop(columns="segment_id"), cache_dir=cache_dir,
                               min_tokens=3, min_topic_size=5, extend_quantile=None)
    assert set(by_index.segments["segment_id"]) == kept
    foreign = coded.assign(segment_id="other:" + coded["segment_id"])
    with pytest.raises(ValueError, match="no row for any of the participant segments"):
        discover_topics(segments, coded=foreign, cache_dir=cache_dir, min_tokens=3)


def test_emerging_topics_take_in_mixed_coded_segments(segments, cache_dir, tmp_path):
    # half of the Covid segments also carry a (confident) mandate theme, as do all pay segments;
    # the Covid ones belong to the Covid topic found from the rest, the pay ones to no topic
    covid = segments.index[segments["planted"].eq("covid")]
    coded = segments[["segment_id"]].assign(udfordringer=False, uncertain=False)
    coded.loc[covid[::2], "udfordringer"] = True
    coded.loc[segments["planted"].eq("loen"), "udfordringer"] = True
    res = discover_topics(segments, coded=coded, cache_dir=cache_dir, min_tokens=3, min_topic_size=4)
    seg = res.segments.set_index("segment_id")
    added = seg[seg["assigned"] == "nearest"]
    assert set(added.index) <= set(segments.loc[coded["udfordringer"], "segment_id"])
    covid_topic = seg.loc[segments.loc[covid[1::2], "segment_id"], "topic"].mode()[0]
    assert covid_topic >= 0
    mixed = segments.loc[covid[::2], "segment_id"]
    assert (added["topic"].reindex(mixed) == covid_topic).sum() >= 4  # of 6
    assert added["planted"].eq("loen").sum() <= 2  # of 12
    extended = res.topics.set_index("topic")["extended"]
    assert extended.sum() == len(added)
    assert extended[covid_topic] == (added["topic"] == covid_topic).sum()
    assert res.topics["size"].sum() + res.n_outliers == (seg["assigned"] == "cluster").sum()
    from temaer._cli_topics import write_topic_outputs  # plots per group from the clustered rows only

    out = write_topic_outputs(res, tmp_path / "emner")
    assert (out / "topics_per_interessentgruppe.html").exists() and (out / "model").is_dir()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_nearest_topics_keeps_far_rows_out():
    from temaer.topics import nearest_topics

    rng = np.random.default_rng(0)
    a = rng.normal([5, 0, 0], 0.3, size=(20, 3))
    b = rng.normal([0, 5, 0], 0.3, size=(20, 3))
    X = np.vstack([a, b])
    topics = np.array([0] * 20 + [1] * 20)
    new = np.array([[5, 0.1, 0], [0.1, 5, 0], [0, 0, 5]])
    assert nearest_topics(X, topics, new, 0.1).tolist() == [0, 1, -1]
    assert nearest_topics(X, np.full(40, -1), new, 0.1).tolist() == [-1, -1, -1]


def test_tiny_inputs_do_not_crash(segments, cache_dir):
    tiny = segments[segments["planted"].isin(["parkering"])].head(12)
    res = discover_topics(tiny, coded=False, mode="all", cache_dir=cache_dir, min_tokens=3)
    assert len(res.segments) == 12
    assert len(res.topics) <= 2
    assert set(res.segments["topic"]) <= {-1, 0, 1}
    three = discover_topics(tiny.head(3), coded=False, mode="all", cache_dir=cache_dir, min_tokens=3)
    assert three.model is None and three.topics.empty
    assert (three.segments["topic"] == -1).all()
    empty = discover_topics(segments[segments["role"] == "interviewer"], coded=False,
                            mode="all", cache_dir=cache_dir, min_tokens=3)
    assert empty.segments.empty and empty.topics.empty


def test_fewer_than_two_topics_is_valid(segments, cache_dir):
    one = segments[segments["planted"] == "loen"]
    res = discover_topics(one, coded=False, mode="all", cache_dir=cache_dir, min_tokens=3, embedder="tfidf")
    assert len(res.topics) <= 1
    assert res.n_outliers + int(res.topics["size"].sum()) == len(res.segments)


def test_guided_and_zeroshot_modes(segments, cache_dir):
    guided = discover_topics(segments, coded=False, mode="guided", cache_dir=cache_dir, min_tokens=3,
                             min_topic_size=5)
    assert len(guided.segments) == 48
    assert 0 < guided.params["guided_segments"] < 48  # the seeds really label (and so guide) segments
    assert guided.model.seed_topic_list is None  # BERTopic's own raw-cosine step is not run as well
    zs = discover_topics(segments, coded=False, mode="zeroshot", cache_dir=cache_dir, min_tokens=3,
                         min_topic_size=5)
    assert 0 < zs.params["zeroshot_min_similarity"] < 1
    assert len(zs.segments) == 48


def test_save_and_load_offline(result, tmp_path, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    out = result.save(tmp_path / "topics")
    files = {p.name for p in (out / "bertopic").iterdir()}
    assert "topic_embeddings.safetensors" in files and "ctfidf.safetensors" in files
    assert not [p for p in out.rglob("*") if p.suffix in (".pkl", ".pickle", ".bin")]
    loaded = load_topics(out)
    assert loaded.model is not None
    assert sorted(loaded.model.get_topics()) == sorted(result.model.get_topics())
    assert loaded.topics["label"].tolist() == result.topics["label"].tolist()
    import os

    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_scaled_params():
    assert scaled_params(12)["n_neighbors"] == 10
    assert scaled_params(5)["n_neighbors"] == 4
    assert scaled_params(4)["n_components"] == 2
    big = scaled_params(100_000)
    assert big["min_cluster_size"] == 500 and big["n_neighbors"] == 50
    assert scaled_params(1000)["min_cluster_size"] == 40


def test_invalid_arguments(segments):
    with pytest.raises(ValueError, match="mode"):
        discover_topics(segments, mode="nope")
    with pytest.raises(ValueError, match="text"):
        discover_topics(segments.drop(columns="text"), coded=False)


def test_cli_outputs(result, tmp_path):
    from temaer._cli_topics import write_topic_outputs

    out = write_topic_outputs(result, tmp_path / "cli")
    names = {p.name for p in out.iterdir()}
    assert {"topics.csv", "topics.xlsx", "segments_topics.csv", "topics_barchart.html",
            "topics_per_interessentgruppe.html", "model"} <= names
    seg = pd.read_csv(out / "segments_topics.csv")
    assert "topic" in seg.columns and not [c for c in seg.columns if c.startswith("_")]


def test_no_torch_or_sentence_transformers_imported(tmp_path, cache_dir):
    code = textwrap.dedent(f"""
        import sys, warnings
        warnings.filterwarnings("ignore")
        import temaer, temaer.embed, temaer.topics, temaer._cli_topics
        for name in ("temaer.cli", "temaer.classifier", "temaer.nlp"):
            try:
                __import__(name)
            except ImportError:
                pass
        assert "bertopic" not in sys.modules, "importing temaer must not import bertopic"
        sys.path.insert(0, {str(__file__.rsplit("/", 1)[0])!r})
        from test_topics import make_segments
        from temaer.topics import discover_topics
        res = discover_topics(make_segments(), coded=False, mode="all", min_topic_size=5,
                              min_tokens=3, cache_dir={str(cache_dir)!r})
        res.save({str(tmp_path / "saved")!r})
        temaer.topics.load_topics({str(tmp_path / "saved")!r})
        bad = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "sentence_transformers"))
        assert not bad, bad
        print("ok", len(res.topics))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("ok")


def test_guided_labels_work_in_a_narrow_cosine_band():
    # E5-like vectors: one large shared component, topics in small deviations from it
    rng = np.random.default_rng(0)
    common = np.zeros(16)
    common[0] = 1.0
    dirs = np.eye(16)[1:3] * 0.3
    X = np.vstack([common + dirs[k] + rng.normal(0, 0.02, 16) for k in (0, 0, 0, 1, 1, 1)]
                  + [common + rng.normal(0, 0.02, 16) for _ in range(6)]).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    style = np.eye(16)[5] * 0.4  # seed word lists do not read like speech: a component of their own
    seeds = (common + dirs * 0.8 + style).astype(np.float32)
    seeds /= np.linalg.norm(seeds, axis=1, keepdims=True)
    raw = X @ np.vstack([seeds, X.mean(axis=0) / np.linalg.norm(X.mean(axis=0))]).T
    assert (raw.argmax(axis=1) == 2).all()  # BERTopic's rule: the mean segment always wins, no guidance
    y, moved, cut = guided_labels(X, seeds)
    assert y.tolist() == [0, 0, 0, 1, 1, 1] + [-1] * 6
    assert np.allclose(np.linalg.norm(moved, axis=1), 1, atol=1e-5)
    assert (np.sum(moved[:3] * seeds[0], axis=1) > np.sum(X[:3] * seeds[0], axis=1)).all()
    assert np.allclose(moved[6:], X[6:], atol=1e-6)


def test_reduction_cache_key_includes_guidance(tmp_path):
    from umap import UMAP

    step = CachedReduction(UMAP(random_state=0), tmp_path)
    X = np.random.default_rng(0).normal(size=(20, 4)).astype(np.float32)
    keys = {step._path(X), step._path(X, np.zeros(20, dtype=int)), step._path(X, np.r_[np.zeros(10), -np.ones(10)])}
    assert len(keys) == 3
