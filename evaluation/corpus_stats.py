"""Counts of the shipped corpus: the tables shown in corpus/README.md.

Run: ``uv run python evaluation/corpus_stats.py``.
"""

from __future__ import annotations

import pandas as pd
from corpus_data import CORPUS, load_corpus, md_table

from temaer.codebook import Codebook


def main() -> None:
    data = load_corpus()
    segs, gold = data["segments"], data["gold"]
    cb = Codebook.load()
    part = segs[segs["role"] == "participant"]
    n_themes = gold.sum(axis=1)
    print(f"interviews: {segs['interview_id'].nunique()}; segments: {len(segs)} "
          f"({len(part)} participant, {int((segs['role'] == 'interviewer').sum())} interviewer)")
    formats = segs.groupby("interview_id")["source"].first().str.rsplit(".", n=1).str[-1]
    print(f"files by format: {formats.value_counts().to_dict()}")
    words = part["text"].str.split().str.len()
    print(f"participant segment length in words: median {words.median():.0f}, min {words.min()}, max {words.max()}")
    print(f"coded segments with >= 2 themes: {(n_themes >= 2).mean():.1%}; with no theme: {(n_themes == 0).mean():.1%}")
    print()
    per_theme = pd.DataFrame({
        "theme": cb.ids, "label": [cb.labels[t] for t in cb.ids],
        "gold": [int(gold[t].sum()) for t in cb.ids],
        "coder A": [int(data["coder_a"][t].sum()) for t in cb.ids],
        "coder B": [int(data["coder_b"][t].sum()) for t in cb.ids],
    })
    print(md_table(per_theme))
    print()
    meta = segs.groupby("interview_id").first()
    pcount = part.groupby("interview_id").size()
    for col in ("interessentgruppe", "hospital", "interviewform"):
        table = meta.groupby(col).agg(interviews=("source", "size")).join(
            pcount.groupby(meta[col]).sum().rename("participant segments"))
        print(md_table(table.reset_index()))
        print()
    splits = pd.read_csv(CORPUS / "splits.csv")
    sp = part.merge(splits, on="interview_id", suffixes=("", "_s")).groupby("split").agg(
        interviews=("interview_id", "nunique"), segments=("segment_id", "size"))
    print(md_table(sp.reset_index()))
    emerging = pd.read_csv(CORPUS / "coding" / "emerging.csv")
    print()
    print("planted off-mandate topics (coder A):", emerging["topic"].value_counts().to_dict())


if __name__ == "__main__":
    main()
