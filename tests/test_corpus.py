"""The shipped corpus: loads through the public reader, and its codings are complete and consistent."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from temaer import Codebook, read_coding, read_transcripts, to_wide

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
GROUPS = {
    "Lægesekretærer", "Ledende lægesekretærer", "Dansk Lægesekretærforening/HK", "Rådet af ledende lægesekretærer",
    "Afdelingsledelse", "Sygeplejerskegruppen", "Lægegruppen", "SOSU", "Patientforening", "Hospitalsledelserne",
    "HR chefer",
}


@pytest.fixture(scope="module")
def segments() -> pd.DataFrame:
    segs = read_transcripts(CORPUS / "transcripts", metadata=CORPUS / "metadata.csv")
    assert segs.attrs["unmatched_metadata"] == [] and segs.attrs["files_without_metadata"] == []
    return segs


@pytest.fixture(scope="module")
def participant_ids(segments) -> list[str]:
    return segments.loc[segments["role"] == "participant", "segment_id"].tolist()


def test_interviews_groups_forms_and_formats(segments):
    meta = segments.groupby("interview_id").first()
    assert len(meta) >= 40
    assert set(meta["interessentgruppe"]) == GROUPS
    forms = meta.groupby("interessentgruppe")["interviewform"].agg(set)
    assert forms["Hospitalsledelserne"] == {"Mail"} and "Mail" in forms["Patientforening"]
    assert forms["Lægesekretærer"] == {"Gruppe"}
    assert meta["dato"].between("2021-03-01", "2021-05-31").all()
    suffixes = meta["source"].str.rsplit(".", n=1).str[-1].value_counts()
    assert suffixes["docx"] >= 3 and suffixes["vtt"] >= 2 and suffixes["txt"] > suffixes.drop("txt").sum()
    assert meta["hospital"].nunique() >= 6 and meta["afdeling"].nunique() >= 20


def test_segment_counts_and_lengths(segments, participant_ids):
    assert len(participant_ids) >= 1800
    words = segments.loc[segments["role"] == "participant", "text"].str.split().str.len()
    assert words.min() <= 3 and 100 <= words.max() <= 200


@pytest.mark.parametrize("name", ["coder_a", "coder_b", "gold"])
def test_every_participant_segment_is_coded_and_every_code_exists(name, participant_ids):
    coding = read_coding(CORPUS / "coding" / f"{name}.csv")
    coded = set(coding["segment_id"])
    assert coded == set(participant_ids)


def test_gold_theme_counts_and_label_mix(participant_ids):
    gold = to_wide(read_coding(CORPUS / "coding" / "gold.csv"), Codebook.load().ids)
    assert (gold.sum() >= 180).all(), gold.sum().to_dict()
    n = gold.sum(axis=1)
    assert (n >= 2).mean() >= 0.20
    assert (n == 0).mean() >= 0.15


def test_gold_notes_explain_every_disagreement():
    ids = Codebook.load().ids
    a = to_wide(read_coding(CORPUS / "coding" / "coder_a.csv"), ids)
    b = to_wide(read_coding(CORPUS / "coding" / "coder_b.csv"), ids).reindex(a.index)
    disagree = set(a.index[(a != b).any(axis=1)])
    gold = pd.read_csv(CORPUS / "coding" / "gold.csv", dtype=str, keep_default_na=False)
    noted = set(gold.loc[gold["note"].str.strip() != "", "segment_id"])
    assert disagree and noted == disagree


def test_split_is_by_interview_and_stratified(segments):
    splits = pd.read_csv(CORPUS / "splits.csv")
    meta = segments.groupby("interview_id").first()
    assert set(splits["interview_id"]) == set(meta.index) and splits["interview_id"].is_unique
    test_share = (splits["split"] == "test").mean()
    assert 0.15 <= test_share <= 0.25
    per_group = splits.set_index("interview_id").join(meta["interessentgruppe"]).groupby("interessentgruppe")
    # every group with 3+ interviews has at least one test interview
    assert all((g["split"] == "test").any() for _, g in per_group if len(g) >= 3)


def test_planted_topics_are_labelled(participant_ids):
    emerging = pd.read_csv(CORPUS / "coding" / "emerging.csv")
    assert set(emerging["segment_id"]) <= set(participant_ids)
    counts = emerging["topic"].value_counts()
    for topic in ("covid", "flytning", "loen", "arbejdsmiljoe", "socialt"):
        assert counts[topic] >= 40


def test_independent_interviews_read_completely_and_are_fully_coded():
    indep = CORPUS / "independent"
    segs = read_transcripts(indep / "transcripts", metadata=indep / "metadata.csv")
    assert segs.attrs["unmatched_metadata"] == [] and segs.attrs["files_without_metadata"] == []
    counts = segs.groupby(["interview_id", "role"]).size().unstack(fill_value=0)
    # the writers' own turn counts, in twelve layouts
    assert counts["participant"].to_dict() == {
        "IND01": 28, "IND02": 17, "IND03": 14, "IND04": 27, "IND05": 17, "IND06": 20,
        "IND07": 19, "IND08": 23, "IND09": 16, "IND10": 23, "IND11": 23, "IND12": 16}
    assert (counts["interviewer"] > 0).all()
    # a title paragraph (IND07) and a transcriber's note (IND12) are kept, not taken for speech
    assert counts["note"][counts["note"] > 0].to_dict() == {"IND07": 1, "IND12": 1}
    anna = segs[(segs["interview_id"] == "IND12") & (segs["speaker"] == "Anna")]
    assert set(anna["role"]) == {"interviewer"}  # named in the front matter
    part = set(segs.loc[segs["role"] == "participant", "segment_id"])
    ids = Codebook.load().ids
    for coder in ("coder_a", "coder_b"):
        coding = read_coding(indep / "coding" / f"{coder}.csv", codebook=ids)
        assert set(coding["segment_id"]) == part
