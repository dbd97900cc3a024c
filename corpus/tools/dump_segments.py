"""Write one plain listing per interview for the coders (corpus/_work/segments/<ID>.txt)."""
from pathlib import Path

from temaer.transcripts import read_transcripts

root = Path(__file__).resolve().parents[1]
out = root / "_work" / "segments"
out.mkdir(parents=True, exist_ok=True)
segs = read_transcripts(root / "transcripts")
for iid, g in segs.groupby("interview_id"):
    lines = [f"[{r.segment_id}] ({r.role}) {r.speaker}: {r.text}" for r in g.itertuples()]
    (out / f"{iid}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
print(len(segs), "segments;", int((segs.role == "participant").sum()), "participant")
