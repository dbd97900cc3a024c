"""Benchmark: reading 1,000 transcripts of ~40 turns each.

Run: ``uv run python evaluation/bench_read.py [--n 1000]``. The transcripts are written to a temporary
folder by re-assembling participant and interviewer turns of the shipped corpus in a seeded random
order (timestamps on every third file, continuation lines on some turns), so the reader sees the
same kind of text as real transcripts. Prints files/s, segments/s and peak memory (tracemalloc).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import tracemalloc
from pathlib import Path

from temaer.transcripts import read_transcripts

ROOT = Path(__file__).resolve().parents[1]


def make_files(folder: Path, n: int, turns: int, seed: int = 0) -> None:
    corpus = read_transcripts(ROOT / "corpus" / "transcripts")
    texts = corpus.loc[corpus.role == "participant", "text"].tolist()
    questions = corpus.loc[corpus.role == "interviewer", "text"].tolist()
    rng = random.Random(seed)
    for i in range(n):
        lines = [
            "---", f"interview: B{i:05d}", "hospital: Regionshospitalet Randers",
            "interessentgruppe: Lægesekretærer", "interviewform: Gruppe", "dato: 2021-04-01", "---",
        ]
        for t in range(turns):
            ts = f"[00:{t // 60:02d}:{t % 60:02d}] " if i % 3 == 0 else ""
            if t % 4 == 0:
                lines.append(f"{ts}I: {rng.choice(questions)}")
            else:
                text = rng.choice(texts)
                if len(text) > 200 and t % 3 == 0:
                    cut = text.find(" ", len(text) // 2)
                    text = text[:cut] + "\n" + text[cut + 1 :]
                lines.append(f"{ts}D{rng.randint(1, 4)}: {text}")
        (folder / f"B{i:05d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--turns", type=int, default=40)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        make_files(folder, args.n, args.turns)
        tracemalloc.start()
        t0 = time.perf_counter()
        segs = read_transcripts(folder)
        elapsed = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    print(f"read {args.n} transcripts ({len(segs)} segments) in {elapsed:.2f} s: "
          f"{args.n / elapsed:.0f} files/s, {len(segs) / elapsed:.0f} segments/s, "
          f"peak traced memory {peak:.0f} MiB")


if __name__ == "__main__":
    main()
