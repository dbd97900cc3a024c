"""Benchmark embedding + topic modelling at 1k and 10k segments: time and peak memory.

The corpus has ~2,000 participant segments, so larger inputs are made by resampling them with
small perturbations: each synthetic segment is a random corpus segment (seeded) with one word
dropped, two neighbouring words swapped and, half of the time, a spoken filler prepended. Texts are
therefore distinct (no embedding cache hits) but keep the corpus's topics and lengths; interview
ids and metadata are resampled with them.

Each size runs in a fresh subprocess (mode ``"all"``, default E5 embedder) with an empty cache,
then once more with the cache warm (embeddings and UMAP's reduced coordinates); the peak resident
memory of the subprocess is ``ru_maxrss``. ``embedding`` is the time
:func:`temaer.topics.discover_topics` spends embedding (BERTopic's import and UMAP's JIT compilation
run alongside it in a background thread); ``topic model`` is the whole call, embedding included.

Usage::

    uv run python evaluation/bench_topics.py                 # 1000 and 10000 segments
    uv run python evaluation/bench_topics.py --sizes 1000

Writes ``bench_topics.json`` and ``bench_topics.md`` to ``--out`` (default ``evaluation/results``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILLERS = ("øh", "altså", "jamen", "ja", "mm", "nå")


def synthetic_segments(n: int, seed: int = 0):
    """``n`` participant segments resampled from the corpus with small perturbations."""
    import numpy as np

    from temaer.transcripts import read_transcripts

    segs = read_transcripts(ROOT / "corpus" / "transcripts")
    part = segs[(segs["role"] == "participant") & (segs["text"].str.split().str.len() >= 6)]
    rng = np.random.default_rng(seed)
    rows = part.iloc[rng.integers(0, len(part), n)].copy().reset_index(drop=True)
    texts = []
    for text in rows["text"]:
        words = text.split()
        del words[rng.integers(len(words))]
        j = int(rng.integers(len(words) - 1))
        words[j], words[j + 1] = words[j + 1], words[j]
        if rng.random() < 0.5:
            words.insert(0, FILLERS[int(rng.integers(len(FILLERS)))] + ",")
        texts.append(" ".join(words))
    rows["text"] = texts
    rows["segment_id"] = [f"B{i:06d}" for i in range(n)]
    return rows.drop_duplicates("text").reset_index(drop=True)


def _child(n: int, cache_dir: str) -> None:
    """Run one benchmark in this process and print a JSON line."""
    t0 = time.perf_counter()
    segs = synthetic_segments(n)
    t_data = time.perf_counter() - t0
    from temaer.topics import discover_topics

    t2 = time.perf_counter()
    res = discover_topics(segs, mode="all", cache_dir=cache_dir)
    t_topics = time.perf_counter() - t2
    t_embed = res.params["seconds_embedding"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "n": int(len(segs)), "data_s": round(t_data, 1), "embed_s": round(t_embed, 1),
        "topics_s": round(t_topics, 1), "n_topics": int(len(res.topics)),
        "outliers": res.n_outliers, "peak_rss_mb": round(peak_mb),
        "load_avg_1min": round(os.getloadavg()[0], 2)}))


def run_size(n: int, cache_dir: str) -> dict:
    cmd = [sys.executable, __file__, "--child", str(n), "--cache", cache_dir]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    wall = time.perf_counter() - t0
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = round(wall, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", nargs="+", type=int, default=[1000, 10000])
    ap.add_argument("--out", type=Path, default=ROOT / "evaluation" / "results")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--cache", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(args.child, args.cache)
        return 0
    rows = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as cache:
            cold = run_size(n, cache)
            warm = run_size(n, cache)
        rows.append({"n": cold["n"], "cold": cold, "warm": warm})
        print(f"{cold['n']} segments: cold {cold['wall_s']} s (embed {cold['embed_s']} s, topics "
              f"{cold['topics_s']} s), warm {warm['wall_s']} s (topics {warm['topics_s']} s), "
              f"peak {cold['peak_rss_mb']} MB, {cold['n_topics']} topics", flush=True)
    report = {"machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                         f"{platform.python_version()}", "runs": rows}
    md = ["# Topic modelling benchmark", "", f"Machine: {report['machine']}. Mode `all`, E5 "
          "embedder; synthetic segments resampled from the corpus (see the script's docstring). "
          "Cold = empty cache; warm = rerun with embeddings and UMAP coordinates cached. Wall time includes "
          "starting Python and importing BERTopic. `load` is the 1-minute load average at the end "
          "of the cold run (2 cores: above 2 means other processes competed for the CPU).", "",
          "| segments | cold wall (s) | embedding (s) | discover_topics (s) | warm wall (s) | "
          "warm discover_topics (s) | peak RSS (MB) | topics | load |",
          "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        c, w = r["cold"], r["warm"]
        md.append(f"| {r['n']} | {c['wall_s']} | {c['embed_s']} | {c['topics_s']} | "
                  f"{w['wall_s']} | {w['topics_s']} | {c['peak_rss_mb']} | {c['n_topics']} | "
                  f"{c.get('load_avg_1min', '')} |")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench_topics.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (args.out / "bench_topics.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
