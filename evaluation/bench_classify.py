"""Benchmark: classification speed and memory against raw spaCy tokenisation (the floor).

For 1k, 10k and 100k segments (participant segments of the shipped corpus, resampled with a fixed
seed; 10k/100k repeat texts, so the per-word-form lemma cache is warm as in a real study), measures:
- ``tokenise``: ``spacy.blank("da").tokenizer.pipe`` over the texts (nothing else);
- ``classify``: ``temaer.classify`` with the shipped model (lemmas + features + all themes);
and peak resident memory of the classifying process. Then streams the corpus transcripts copied
N times through ``temaer.batch.classify_files`` to show memory stays flat in the number of files.
Each measurement runs in a fresh subprocess. Run: ``uv run python evaluation/bench_classify.py``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _texts(n: int):
    import numpy as np
    import pandas as pd

    from temaer.transcripts import read_transcripts

    segs = read_transcripts(ROOT / "corpus" / "transcripts")
    part = segs[segs["role"] == "participant"].reset_index(drop=True)
    idx = np.random.default_rng(0).integers(0, len(part), n)
    out = part.iloc[idx].reset_index(drop=True)
    out["segment_id"] = [f"B{i // 50:05d}:{i % 50:03d}" for i in range(n)]
    out["interview_id"] = out["segment_id"].str.split(":").str[0]
    return pd.DataFrame(out)


def worker(kind: str, n: int) -> dict:
    segs = _texts(n)
    texts = segs["text"].tolist()
    if kind == "tokenise":
        import spacy

        nlp = spacy.blank("da")
        t0 = time.perf_counter()
        n_tok = sum(len(doc) for doc in nlp.tokenizer.pipe(texts, batch_size=1000))
        secs = time.perf_counter() - t0
        extra = {"tokens": n_tok}
    else:
        from temaer.classifier import classify, load_model

        model = load_model()
        model.predict(["opvarmning"])  # load lazily imported modules before timing
        t0 = time.perf_counter()
        classify(segs, model)
        secs = time.perf_counter() - t0
        extra = {}
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"kind": kind, "n": n, "seconds": secs, "per_second": n / secs, "peak_rss_mib": rss, **extra}


def stream_worker(copies: int) -> dict:
    from temaer.batch import classify_files

    src = ROOT / "corpus" / "transcripts"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        for c in range(copies):
            for f in sorted(src.iterdir()):
                if f.suffix == ".txt":
                    text = f.read_text(encoding="utf-8").replace("interview: ", f"interview: K{c:03d}", 1)
                    (folder / f"K{c:03d}_{f.name}").write_text(text, encoding="utf-8")
        t0 = time.perf_counter()
        summary = classify_files([folder], Path(tmp) / "out.csv")
        secs = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"kind": "stream", "files": summary.files, "segments": summary.segments, "seconds": secs,
            "peak_rss_mib": rss}


def run(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1:
        if sys.argv[1] == "stream":
            print(json.dumps(stream_worker(int(sys.argv[2]))))
        else:
            print(json.dumps(worker(sys.argv[1], int(sys.argv[2]))))
        return
    print(f"{'segments':>9} {'tokenise seg/s':>15} {'classify seg/s':>15} {'ratio':>6} {'peak RSS MiB':>13}")
    for n in (1_000, 10_000, 100_000):
        tok, cls = run(["tokenise", str(n)]), run(["classify", str(n)])
        print(f"{n:>9} {tok['per_second']:>15.0f} {cls['per_second']:>15.0f} "
              f"{cls['per_second'] / tok['per_second']:>6.1%} {cls['peak_rss_mib']:>13.0f}", flush=True)
    print("\nstreaming transcript files through classify_files (memory flat in the number of files):")
    for copies in (1, 5, 20):
        r = run(["stream", str(copies)])
        print(f"  {r['files']:>5} files {r['segments']:>7} segments: {r['seconds']:6.1f} s, "
              f"{r['segments'] / r['seconds']:.0f} seg/s, peak RSS {r['peak_rss_mib']:.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
