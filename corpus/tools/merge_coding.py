"""Assemble the corpus codings from the coders' per-interview files.

``prepare``: writes corpus/coding/coder_a.csv, coder_b.csv (long ``segment_id, theme``), the planted
off-mandate topic labels (corpus/coding/emerging.csv, from coder A) and, per interview, the list of
segments where A and B disagree (corpus/_work/disagreements/<ID>.txt) for the adjudicator.
``gold``: writes corpus/coding/gold.csv: agreed segments as coded; disagreements as decided by the
adjudicator (corpus/_work/adjudication/g_<ID>.csv: ``segment_id, themes, note``), with the note.
Run: ``uv run python corpus/tools/merge_coding.py prepare|gold``.
"""
import sys
from pathlib import Path

import pandas as pd

from temaer.codebook import Codebook
from temaer.coding import read_coding
from temaer.transcripts import read_transcripts

corpus = Path(__file__).resolve().parents[1]
work = corpus / "_work"
ids = Codebook.load().ids


def _concat(pattern: str) -> pd.DataFrame:
    files = sorted((work / "coding").glob(pattern))
    return pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)


def _sets(coding: pd.DataFrame) -> dict[str, frozenset]:
    out: dict[str, set] = {}
    for sid, theme in zip(coding["segment_id"], coding["theme"], strict=True):
        out.setdefault(sid, set())
        if theme:
            out[sid].add(theme)
    return {k: frozenset(v) for k, v in out.items()}


def _write_long(sets: dict[str, frozenset], path: Path, notes: dict[str, str] | None = None) -> None:
    rows = []
    for sid in sorted(sets):
        themes = [t for t in ids if t in sets[sid]] or [""]
        for t in themes:
            note = {"note": notes.get(sid, "")} if notes is not None else {}
            rows.append({"segment_id": sid, "theme": t, **note})
    pd.DataFrame(rows).to_csv(path, index=False)


def prepare() -> None:
    segs = read_transcripts(corpus / "transcripts")
    part = segs[segs.role == "participant"]
    a, b = read_coding(_concat("a_*.csv")), read_coding(_concat("b_*.csv"))
    sa, sb = _sets(a), _sets(b)
    (corpus / "coding").mkdir(exist_ok=True)
    _write_long(sa, corpus / "coding" / "coder_a.csv")
    _write_long(sb, corpus / "coding" / "coder_b.csv")
    topics = _concat("topics_a_*.csv")
    topics = topics[topics["topic"].str.strip() != ""].drop_duplicates("segment_id").sort_values("segment_id")
    topics.to_csv(corpus / "coding" / "emerging.csv", index=False)
    out = work / "disagreements"
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for iid, g in segs.groupby("interview_id"):
        lines = []
        for r in g.itertuples():
            if r.role != "participant" or r.segment_id not in sa or r.segment_id not in sb:
                continue
            if sa[r.segment_id] != sb[r.segment_id]:
                prev = g[g.turn == r.turn - 1]
                ctx = f"{prev.speaker.iloc[0]}: {prev.text.iloc[0]}" if len(prev) else ""
                lines += [f"[{r.segment_id}] {r.speaker}: {r.text}", f"  context (previous turn) {ctx}",
                          f"  A: {';'.join(sorted(sa[r.segment_id])) or '(no theme)'}",
                          f"  B: {';'.join(sorted(sb[r.segment_id])) or '(no theme)'}", ""]
                n += 1
        if lines:
            (out / f"{iid}.txt").write_text("\n".join(lines), encoding="utf-8")
    coded_both = set(sa) & set(sb)
    print(f"participant segments {len(part)}; coded by A {len(sa)}, by B {len(sb)}, both {len(coded_both)}; "
          f"disagreements {n}")


def gold() -> None:
    a, b = read_coding(corpus / "coding" / "coder_a.csv"), read_coding(corpus / "coding" / "coder_b.csv")
    sa, sb = _sets(a), _sets(b)
    adj = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False)
                     for f in sorted((work / "adjudication").glob("g_*.csv"))], ignore_index=True)
    decided = {r.segment_id: (frozenset(t for t in r.themes.split(";") if t.strip()), r.note)
               for r in adj.itertuples()}
    bad = {t for s, _ in decided.values() for t in s} - set(ids)
    if bad:
        raise SystemExit(f"unknown themes in adjudication: {bad}")
    gold_sets, notes, missing = {}, {}, []
    for sid in sorted(set(sa) & set(sb)):
        if sa[sid] == sb[sid]:
            gold_sets[sid] = sa[sid]
        elif sid in decided:
            gold_sets[sid], notes[sid] = decided[sid]
        else:
            missing.append(sid)
    if missing:
        raise SystemExit(f"{len(missing)} disagreements not adjudicated, e.g. {missing[:5]}")
    _write_long(gold_sets, corpus / "coding" / "gold.csv", notes)
    print(f"gold: {len(gold_sets)} segments, {len(notes)} adjudicated")


if __name__ == "__main__":
    {"prepare": prepare, "gold": gold}[sys.argv[1]]()
