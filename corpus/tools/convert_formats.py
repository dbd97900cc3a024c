"""Turn a few written .txt interviews into the formats they were 'recorded' in: Word and Teams WebVTT.

Word: one paragraph per line of the text file (front matter included). WebVTT: Teams-style cues with
<v Speaker> voice tags, long turns split into several cues (which the reader merges back), cue times
from a speaking rate of ~2.6 words/s; metadata for .vtt files lives in corpus/metadata.csv.
The segment texts read back must be identical to the .txt version (checked here).
"""
import sys
from pathlib import Path

import docx

from temaer.transcripts import read_transcripts

root = Path(__file__).resolve().parents[1] / "transcripts"


def to_docx(stem: str) -> None:
    src = root / f"{stem}.txt"
    before = read_transcripts(src)
    d = docx.Document()
    for line in src.read_text(encoding="utf-8").split("\n"):
        d.add_paragraph(line)
    d.save(root / f"{stem}.docx")
    after = read_transcripts(root / f"{stem}.docx")
    assert before["text"].tolist() == after["text"].tolist(), stem
    assert before["speaker"].tolist() == after["speaker"].tolist(), stem
    src.unlink()


def _ts(sec: float) -> str:
    h, rem = divmod(sec, 3600)
    m, s = divmod(rem, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:06.3f}"


def to_vtt(stem: str) -> None:
    src = root / f"{stem}.txt"
    before = read_transcripts(src)
    cues, t = ["WEBVTT", ""], 2.0
    for row in before.itertuples():
        words = row.text.split()
        chunks = [words[i : i + 14] for i in range(0, len(words), 14)]
        for chunk in chunks:
            dur = max(0.8, len(chunk) / 2.6)
            cues += [f"{_ts(t)} --> {_ts(t + dur)}", f"<v {row.speaker}>{' '.join(chunk)}</v>", ""]
            t += dur + 0.2
        t += 0.6
    (root / f"{stem}.vtt").write_text("\n".join(cues), encoding="utf-8")
    after = read_transcripts(root / f"{stem}.vtt")
    assert before["text"].tolist() == after["text"].tolist(), stem
    assert before["speaker"].tolist() == after["speaker"].tolist(), stem
    src.unlink()


if __name__ == "__main__":
    kind, *stems = sys.argv[1:]
    for stem in stems:
        (to_docx if kind == "docx" else to_vtt)(stem)
        print("converted", stem, "to", kind)
