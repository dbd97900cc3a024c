"""Shared loading of the shipped corpus for the evaluation scripts."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from temaer.codebook import Codebook
from temaer.coding import read_coding, to_wide
from temaer.transcripts import read_transcripts

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


def load_corpus() -> dict[str, pd.DataFrame]:
    """Segments (with split), and the wide 0/1 codings of coder A, coder B and gold."""
    segs = read_transcripts(CORPUS / "transcripts", metadata=CORPUS / "metadata.csv")
    splits = pd.read_csv(CORPUS / "splits.csv", dtype=str)
    segs = segs.merge(splits, on="interview_id", how="left")
    ids = Codebook.load().ids
    part = segs[segs["role"] == "participant"]
    out = {"segments": segs}
    for name in ("coder_a", "coder_b", "gold"):
        coding = read_coding(CORPUS / "coding" / f"{name}.csv")
        out[name] = to_wide(coding, ids, segments=part["segment_id"])
    return out


def md_table(df: pd.DataFrame, floatfmt: str = ".3f") -> str:
    """A GitHub-markdown table of ``df`` (no extra dependency)."""
    def fmt(v):
        return format(v, floatfmt) if isinstance(v, float) else str(v)

    head = "| " + " | ".join(map(str, df.columns)) + " |"
    sep = "|" + "|".join("---:" if pd.api.types.is_numeric_dtype(df[c]) else "---" for c in df.columns) + "|"
    body = ["| " + " | ".join(fmt(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join([head, sep, *body])
