"""Build corpus/metadata.csv (the case table) and corpus/splits.csv (the fixed train/test split).

Metadata comes from each transcript's front matter; WebVTT files carry none, so their rows come from
the interview plan in corpus/_brief/assignments.txt. The split is by interview, ~80/20, stratified
over stakeholder groups: within each group the interviews are shuffled with a fixed seed and
round(0.2 * n) go to test. Run: ``uv run python corpus/tools/build_metadata.py``.
"""
import random
import re
from pathlib import Path

import pandas as pd

from temaer.transcripts import iter_files, read_transcripts

corpus = Path(__file__).resolve().parents[1]
plan = {}
for line in (corpus / "_brief" / "assignments.txt").read_text(encoding="utf-8").splitlines():
    m = re.match(r"\s+([A-Z]+\d+) (.+?) / (.+?) / (.+?) / (\w+) / (\d{4}-\d\d-\d\d) / (\d+) deltager", line)
    if m:
        plan[m[1]] = dict(zip(["hospital", "afdeling", "interessentgruppe", "interviewform", "dato", "deltagere"],
                              m.groups()[1:], strict=True))
rows = []
for path in iter_files(corpus / "transcripts"):
    segs = read_transcripts(path)
    first = segs.iloc[0]
    iid = first["interview_id"]
    keys = ["hospital", "afdeling", "interessentgruppe", "interviewform", "dato", "deltagere"]
    meta = {k: first.get(k, "") for k in keys}
    if path.suffix == ".vtt":
        meta = plan[iid]
    rows.append({"interview_id": iid, "file": path.name, **meta})
table = pd.DataFrame(rows).sort_values("interview_id")
table.to_csv(corpus / "metadata.csv", index=False)

rng = random.Random(2021)
split = {}
for _group, g in table.groupby("interessentgruppe", sort=True):
    ids = sorted(g["interview_id"])
    rng.shuffle(ids)
    n_test = round(0.2 * len(ids))
    for i, iid in enumerate(ids):
        split[iid] = "test" if i < n_test else "train"
splits = pd.DataFrame({"interview_id": list(split), "split": list(split.values())}).sort_values("interview_id")
splits.to_csv(corpus / "splits.csv", index=False)
print(table.groupby("interessentgruppe").size().to_string())
print(splits["split"].value_counts().to_string())
print("test:", ", ".join(splits.loc[splits.split == "test", "interview_id"]))
