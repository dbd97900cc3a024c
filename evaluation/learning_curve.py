"""Learning curve: how the shipped classifier's test quality grows with the amount of coded training data.

Question: could more coded interviews lift test macro-F1 of the default model from about 0.67 to the
0.80 target? Protocol: whole TRAIN interviews are subsampled at fractions 0.25 ... 1.0 (5 random
subsets per fraction < 1, seeds 0-4, lightly stratified by interview form, at least 2 interviews).
Each subset fits a ``ThemeClassifier`` exactly as ``train_default.py`` does (default parameters,
thresholds and calibration from its own grouped CV inside the subset; the E5 variant with
``dense="e5"``, vectors from the on-disk cache) and predicts the fixed TEST split once; macro-,
micro- and per-theme F1 against gold. Two curves are fitted to mean test macro-F1 against the number
of training segments, a saturating power law and a log-linear one, and extrapolated; their spread
comes from a joint bootstrap over the random subsets and the test interviews.

Run: ``uv run python evaluation/learning_curve.py [--jobs 2] [--e5-seeds 5] [--n-boot 1000]``
-> ``evaluation/results/learning_curve.md`` and ``evaluation/results/learning_curve.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from corpus_data import ROOT, load_corpus, md_table
from joblib import Parallel, delayed
from scipy.optimize import curve_fit

from temaer.classifier import ThemeClassifier

OUT_DIR = Path(__file__).resolve().parent / "results"
FRACTIONS = (0.25, 0.4, 0.55, 0.7, 0.85, 1.0)
SEEDS = (0, 1, 2, 3, 4)
TARGET = 0.80
MODELS = {"default": {}, "E5": {"dense": "e5"}}
STRATIFY = "interviewform"  # light stratification of the interview subsets


# ----------------------------------------------------------------------------- subsets and fits


def choose_interviews(meta: pd.DataFrame, fraction: float, seed: int) -> list[str]:
    """``fraction`` of the train interviews (at least 2), allocated proportionally over ``STRATIFY``."""
    n_all = len(meta)
    k = max(2, round(fraction * n_all))
    if k >= n_all:
        return sorted(meta["interview_id"])
    rng = np.random.default_rng([seed, round(fraction * 1000)])
    groups = meta.groupby(STRATIFY, sort=True)["interview_id"].apply(sorted)
    quota = groups.str.len() * k / n_all
    take = np.floor(quota).astype(int)
    rest = (quota - take).sort_values(ascending=False, kind="stable")
    for g in rest.index[: k - int(take.sum())]:  # largest remainders get the leftover places
        take[g] += 1
    chosen = [iid for g, ids in groups.items() for iid in rng.choice(ids, size=int(take[g]), replace=False)]
    return sorted(chosen)


def fit_and_predict(params: dict, train_all: pd.DataFrame, test_all: pd.DataFrame, gold: pd.DataFrame) -> dict:
    """Fit like ``train_default.py`` and return the test predictions of the participant segments."""
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = ThemeClassifier(**params).fit(train_all, gold.reset_index())
    pred = clf.predict(test_all)[test_all["role"].to_numpy() == "participant"]
    return {"pred": pred.to_numpy().astype(np.int8), "seconds": time.perf_counter() - t0,
            "n_warnings": sum("no positive" in str(w.message) for w in caught)}


# ----------------------------------------------------------------------------- metrics


def counts(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Per-theme (tp, fp, fn), shape (3, themes)."""
    return np.stack([(p & y).sum(0), (p & ~y).sum(0), (~p & y).sum(0)]).astype(float)


def f1s(c: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Macro-F1, micro-F1 and per-theme F1 from counts (F1 = 0 where undefined, as zero_division=0)."""
    tp, fp, fn = c
    den = 2 * tp + fp + fn
    per = np.divide(2 * tp, den, out=np.zeros_like(tp), where=den > 0)
    micro = 2 * tp.sum() / max(2 * tp.sum() + fp.sum() + fn.sum(), 1e-12)
    return float(per.mean()), float(micro), per


# ----------------------------------------------------------------------------- curves


def power_law(x: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
    """Saturating: F1 = a - b * x^-c, with x = n / n_full (so b is the gap to the asymptote at full size)."""
    return a - b * np.power(x, -c)


def fit_curves(n: np.ndarray, f1: np.ndarray, n_full: float, ceiling: float) -> dict:
    """Both fits, their predictions at 2x and 4x the full training size, and n reaching ``TARGET``.

    The power law's asymptote ``a`` is bounded by ``ceiling`` (the human coders' agreement: a model is
    not expected to match gold better than a second coder does).
    """
    x = n / n_full
    out: dict = {}
    try:
        (a, b, c), _ = curve_fit(power_law, x, f1, p0=[min(f1.max() + 0.05, ceiling - 1e-3), 0.05, 0.5],
                                 bounds=([0.0, 0.0, 0.01], [ceiling, 1.0, 3.0]), maxfev=20000)
        n80 = n_full * (b / (a - TARGET)) ** (1 / c) if a > TARGET else math.inf
        out["power"] = {"a": a, "b": b, "c": c, "a_at_ceiling": bool(a >= ceiling - 1e-3),
                        "at_2x": float(power_law(2.0, a, b, c)), "at_4x": float(power_law(4.0, a, b, c)),
                        "n_at_target": n80}
    except (RuntimeError, ValueError):
        out["power"] = {"a": math.nan, "b": math.nan, "c": math.nan, "a_at_ceiling": False, "at_2x": math.nan,
                        "at_4x": math.nan, "n_at_target": math.nan}
    q, p = np.polyfit(np.log(n), f1, 1)
    n80 = math.exp((TARGET - p) / q) if q > 0 else math.inf
    out["loglin"] = {"p": float(p), "q": float(q), "per_doubling": float(q * math.log(2)),
                     "at_2x": float(p + q * math.log(2 * n_full)), "at_4x": float(p + q * math.log(4 * n_full)),
                     "n_at_target": n80}
    for fit in out.values():
        fit["within_100x"] = bool(fit["n_at_target"] <= 100 * n_full)
    return out


def curve_points(runs: list[dict], test_rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Mean training segments and mean test macro-F1 per fraction (optionally on resampled test rows)."""
    n, f1 = [], []
    for frac in FRACTIONS:
        sel = [r for r in runs if r["fraction"] == frac]
        n.append(np.mean([r["n_segments"] for r in sel]))
        if test_rows is None:
            f1.append(np.mean([r["macro_f1"] for r in sel]))
        else:
            f1.append(np.mean([f1s(counts(r["y"][test_rows], r["p"][test_rows]))[0] for r in sel]))
    return np.asarray(n), np.asarray(f1)


def bootstrap(runs: list[dict], test_groups: np.ndarray, n_full: float, n_boot: int, ceiling: float) -> dict:
    """Joint bootstrap: resample the random subsets of each fraction and the test interviews, refit."""
    rng = np.random.default_rng(12345)
    by_frac = {f: [r for r in runs if r["fraction"] == f] for f in FRACTIONS}
    interviews = np.unique(test_groups)
    rows_of = {i: np.flatnonzero(test_groups == i) for i in interviews}
    draws = []
    for _ in range(n_boot):
        picked = [by_frac[f][j] for f in FRACTIONS for j in rng.integers(0, len(by_frac[f]), len(by_frac[f]))]
        test_rows = np.concatenate([rows_of[i] for i in rng.choice(interviews, len(interviews))])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            draws.append(fit_curves(*curve_points(picked, test_rows), n_full, ceiling))
    out = {}
    for kind in ("power", "loglin"):
        out[kind] = {}
        for key in ("at_2x", "at_4x"):
            vals = np.array([d[kind][key] for d in draws])
            vals = vals[np.isfinite(vals)]
            out[kind][key] = [float(np.percentile(vals, 5)), float(np.percentile(vals, 95))]
        out[kind]["share_within_100x"] = float(np.mean([d[kind]["within_100x"] for d in draws]))
        out[kind]["share_target_at_4x"] = float(np.mean([d[kind]["at_4x"] >= TARGET for d in draws]))
    out["power"]["share_a_at_ceiling"] = float(np.mean([d["power"]["a_at_ceiling"] for d in draws]))
    return out


# ----------------------------------------------------------------------------- report


def n_text(n: float, n_full: float, per_interview: float) -> str:
    if not math.isfinite(n):
        return "never (fit levels off below it)"
    if n > 100 * n_full:
        return f"beyond 100x (≈{n / n_full:,.0f}x)"
    return f"≈{n:,.0f} segments ({n / n_full:.1f}x, ≈{n / per_interview:,.0f} interviews)"


def model_section(name: str, res: dict, ids: list[str]) -> list[str]:
    table = pd.DataFrame(res["by_fraction"])
    table = table.rename(columns={"n_runs": "runs", "n_interviews": "interviews", "mean_segments": "segments",
                                  "mean_macro_f1": "mean macro-F1", "std_macro_f1": "std", "mean_micro_f1":
                                  "mean micro-F1", "std_micro_f1": "std micro"})
    table["segments"] = table["segments"].round().astype(int)
    cols = ["fraction", "interviews", "runs", "segments", "mean macro-F1", "std", "mean micro-F1", "std micro"]
    per = pd.DataFrame([{"fraction": r["fraction"], **{t: r["mean_f1_per_theme"][t] for t in ids}}
                        for r in res["by_fraction"]])
    return [f"## {name} (`ThemeClassifier({res['params_repr']})`)", "", md_table(table[cols]), "",
            "Mean test F1 per theme:", "", md_table(per), ""]


def extrapolation_table(results: dict, n_full: float, per_interview: float) -> str:
    rows = []
    for name, res in results.items():
        for kind, label in (("power", "a − b·(n/n_full)^−c"), ("loglin", "p + q·ln n")):
            fit, boot = res["fits"][kind], res["bootstrap"][kind]
            if kind == "power":
                params = f"a={fit['a']:.3f}{' (at ceiling)' if fit['a_at_ceiling'] else ''}, b={fit['b']:.3f}, "
                params += f"c={fit['c']:.2f}"
            else:
                params = f"+{fit['per_doubling']:.3f} per doubling"
            rows.append([name, label, params, f"{res['by_fraction'][-1]['mean_macro_f1']:.3f}",
                         f"{fit['at_2x']:.3f} [{boot['at_2x'][0]:.3f}, {boot['at_2x'][1]:.3f}]",
                         f"{fit['at_4x']:.3f} [{boot['at_4x'][0]:.3f}, {boot['at_4x'][1]:.3f}]",
                         n_text(fit["n_at_target"], n_full, per_interview),
                         f"{100 * boot['share_within_100x']:.0f} %"])
    header = ["model", "fit", "parameters", "macro-F1 now (1x)", "at 2x [90 % interval]", "at 4x [90 % interval]",
              f"n where macro-F1 = {TARGET:.2f}", "bootstrap share reaching it within 100x"]
    lines = ["| " + " | ".join(header) + " |", "|---|---|---|" + "---:|" * (len(header) - 3)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def conclusion(name: str, res: dict, n_full: float, per_interview: float, ceiling: float) -> str:
    first, before, last = res["by_fraction"][0], res["by_fraction"][-2], res["by_fraction"][-1]
    pw, ll = res["fits"]["power"], res["fits"]["loglin"]
    bpw, bll = res["bootstrap"]["power"], res["bootstrap"]["loglin"]
    if pw["a_at_ceiling"]:
        shape = f"the saturating fit shows no levelling off (its asymptote runs to the human ceiling {ceiling:.3f})"
    else:
        shape = f"the saturating fit levels off at {pw['a']:.3f}"
    jump = last["mean_macro_f1"] - before["mean_macro_f1"]
    text = (f"**{name}**: mean test macro-F1 rises from {first['mean_macro_f1']:.3f} (±{first['std_macro_f1']:.3f}) "
            f"with {first['n_interviews']} interviews to {last['mean_macro_f1']:.3f} with all "
            f"{last['n_interviews']} (the single full-data fit lies {jump:+.3f} "
            f"above the mean of the {before['fraction']} subsets); the log-linear fit gains "
            f"{ll['per_doubling']:+.3f} per doubling and {shape}. At 4x the coded data "
            f"(≈{4 * n_full / per_interview:.0f} interviews) they predict {pw['at_4x']:.3f} "
            f"[{bpw['at_4x'][0]:.3f}, {bpw['at_4x'][1]:.3f}] (saturating) and {ll['at_4x']:.3f} "
            f"[{bll['at_4x'][0]:.3f}, {bll['at_4x'][1]:.3f}] (log-linear)")
    fits = {"saturating": pw, "log-linear": ll}
    reach = [k for k, f in fits.items() if f["within_100x"]]
    if not reach:
        return text + f", and neither reaches {TARGET:.2f} within 100x the current training size."
    return text + "; " + " and ".join(f"the {k} fit reaches {TARGET:.2f} at "
                                      + n_text(fits[k]["n_at_target"], n_full, per_interview) for k in reach) + "."


def verdict(results: dict, n_full: float, per_interview: float) -> str:
    at4 = {name: max(r["fits"]["power"]["at_4x"], r["fits"]["loglin"]["at_4x"]) for name, r in results.items()}
    best = max(at4, key=at4.get)
    high = max(results[best]["bootstrap"][k]["at_4x"][1] for k in ("power", "loglin"))
    needed = [f["n_at_target"] / per_interview for f in results[best]["fits"].values() if f["within_100x"]]
    where = (f"the fits put {TARGET:.2f} at ≈{min(needed):,.0f}-{max(needed):,.0f} coded interviews "
             f"(now {n_full / per_interview:.0f})" if needed else f"neither fit reaches {TARGET:.2f} within 100x")
    if at4[best] >= TARGET:
        return (f"Overall: a fit for the {best} model reaches {TARGET:.2f} by 4x the coded interviews "
                f"({at4[best]:.3f}), so more coding could plausibly close the gap ({where}); this rests on "
                "extrapolating six points and is uncertain.")
    return (f"Overall: even the more optimistic fit of the best model ({best}) predicts only {at4[best]:.3f} at "
            f"4x the coded interviews (upper end of its 90 % interval {high:.3f}); {where}, so more coded interviews "
            f"alone are unlikely to reach {TARGET:.2f} within a realistic amount of coding, though they would "
            "help; model changes are needed as well.")


def write_report(results: dict, info: dict) -> None:
    n_full, per_interview = info["n_full_segments"], info["segments_per_interview"]
    e5_note = f", E5 seeds 0-{info['e5_seeds'] - 1}" if info["e5_seeds"] < len(SEEDS) else ""
    md = [
        "# Learning curve of the theme classifier", "",
        f"How test macro-F1 grows with the amount of coded training data, to judge whether more coded "
        f"interviews could lift it to the {TARGET:.2f} target. Whole TRAIN interviews are subsampled "
        f"(fractions {', '.join(map(str, FRACTIONS))}; random subsets per fraction < 1, lightly stratified by "
        f"interview form, seeds {SEEDS[0]}-{SEEDS[-1]}{e5_note}; at least 2 interviews). Each subset fits a "
        "`ThemeClassifier` exactly as `evaluation/train_default.py` does (its own grouped-CV calibration and "
        "threshold tuning "
        f"inside the subset) and predicts the fixed TEST split ({info['n_test_segments']} participant segments "
        f"in {info['n_test_interviews']} interviews) once. Full training set: {info['n_train_interviews']} "
        f"interviews, {n_full} participant segments.", "",
        "Rerun: `uv run python evaluation/learning_curve.py` (deterministic; E5 vectors come from the "
        f"on-disk cache). Computed in {info['runtime_seconds']:.0f} s with {info['jobs']} parallel jobs. "
        "Figures only, no segment text. `std` is the standard deviation over the random subsets (the full "
        "fraction is a single fit, std 0; at high fractions the subsets overlap, so their std understates the "
        "uncertainty).", "",
    ]
    for name, res in results.items():
        md += model_section(name, res, info["themes"])
    md += [
        "## Extrapolation", "",
        f"Two curves fitted to the mean test macro-F1 per fraction against mean training segments n "
        f"(n_full = {n_full}; ≈{per_interview:.1f} segments per interview). **Extrapolations are uncertain**: "
        f"six points from {info['n_train_interviews']} interviews, a test split of only "
        f"{info['n_test_interviews']} interviews, and the two curve shapes disagree by design (the power law "
        "levels off, the log-linear one never does). Intervals: 5-95 % over "
        f"{info['n_boot']} joint bootstrap resamples of the random subsets and of the test interviews (refit "
        "each time); they do not cover the choice of curve. The power law's asymptote a is bounded by the human "
        f"ceiling, coder A vs coder B macro-F1 on the same test segments ({info['ceiling']:.3f}).", "",
        extrapolation_table(results, n_full, per_interview), "",
        "## Conclusion", "",
        *[conclusion(name, res, n_full, per_interview, info["ceiling"]) + "\n" for name, res in results.items()],
        verdict(results, n_full, per_interview), "",
    ]
    (OUT_DIR / "learning_curve.md").write_text("\n".join(md), encoding="utf-8")


# ----------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=2, help="parallel fits (default 2)")
    ap.add_argument("--e5-seeds", type=int, default=len(SEEDS), help="random subsets per fraction for E5")
    ap.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples for the extrapolations")
    args = ap.parse_args()
    t_start = time.perf_counter()

    data = load_corpus()
    segs, gold = data["segments"], data["gold"]
    ids = list(gold.columns)
    meta = pd.read_csv(ROOT / "corpus" / "metadata.csv", dtype=str)[["interview_id", STRATIFY]]
    train_meta = (segs.loc[segs["split"] == "train", ["interview_id"]].drop_duplicates()
                  .merge(meta, on="interview_id", how="left").fillna({STRATIFY: "?"}))
    test_all = segs[segs["split"] == "test"]
    test_part = test_all[test_all["role"] == "participant"]
    y_test = gold.loc[test_part["segment_id"], ids].to_numpy().astype(bool)
    test_groups = test_part["interview_id"].to_numpy()
    n_part = segs[segs["role"] == "participant"].groupby("interview_id").size()
    ceiling = f1s(counts(data["coder_a"].loc[test_part["segment_id"], ids].to_numpy().astype(bool),
                         data["coder_b"].loc[test_part["segment_id"], ids].to_numpy().astype(bool)))[0]

    tasks = []
    for name, params in MODELS.items():
        seeds = SEEDS if name == "default" else SEEDS[: args.e5_seeds]
        for frac in FRACTIONS:
            for seed in seeds if frac < 1 else (0,):
                chosen = choose_interviews(train_meta, frac, seed)
                tasks.append({"model": name, "fraction": frac, "seed": seed if frac < 1 else None,
                              "interviews": chosen, "params": params})
    print(f"{len(tasks)} fits with {args.jobs} jobs", flush=True)
    outs = Parallel(n_jobs=args.jobs, verbose=5)(
        delayed(fit_and_predict)(t["params"], segs[segs["interview_id"].isin(t["interviews"])], test_all, gold)
        for t in tasks)

    results: dict = {}
    for t, o in zip(tasks, outs, strict=True):
        p = o["pred"].astype(bool)
        macro, micro, per = f1s(counts(y_test, p))
        res = results.setdefault(t["model"], {"params": t["params"], "runs": []})
        res["runs"].append({"fraction": t["fraction"], "seed": t["seed"], "n_interviews": len(t["interviews"]),
                            "n_segments": int(n_part.reindex(t["interviews"]).fillna(0).sum()),
                            "interviews": t["interviews"], "macro_f1": macro, "micro_f1": micro,
                            "f1_per_theme": dict(zip(ids, per.tolist(), strict=True)),
                            "themes_without_positives": o["n_warnings"], "fit_predict_seconds": o["seconds"],
                            "y": y_test, "p": p})
    n_full = int(n_part.reindex(train_meta["interview_id"]).sum())
    per_interview = n_full / len(train_meta)
    for name, res in results.items():
        runs = res["runs"]
        res["params_repr"] = ", ".join(f"{k}={v!r}" for k, v in res["params"].items())
        res["by_fraction"] = []
        for frac in FRACTIONS:
            sel = [r for r in runs if r["fraction"] == frac]
            res["by_fraction"].append({
                "fraction": frac, "n_interviews": sel[0]["n_interviews"], "n_runs": len(sel),
                "mean_segments": float(np.mean([r["n_segments"] for r in sel])),
                "mean_macro_f1": float(np.mean([r["macro_f1"] for r in sel])),
                "std_macro_f1": float(np.std([r["macro_f1"] for r in sel], ddof=1)) if len(sel) > 1 else 0.0,
                "mean_micro_f1": float(np.mean([r["micro_f1"] for r in sel])),
                "std_micro_f1": float(np.std([r["micro_f1"] for r in sel], ddof=1)) if len(sel) > 1 else 0.0,
                "mean_f1_per_theme": {t: float(np.mean([r["f1_per_theme"][t] for r in sel])) for t in ids},
            })
        n, f1 = curve_points(runs)
        res["fits"] = fit_curves(n, f1, n_full, ceiling)
        res["bootstrap"] = bootstrap(runs, test_groups, n_full, args.n_boot, ceiling)
        res["fit_seconds_total"] = float(sum(r["fit_predict_seconds"] for r in runs))
        for r in runs:
            del r["y"], r["p"]
        row = "  ".join(f"{b['fraction']}: {b['mean_macro_f1']:.3f}±{b['std_macro_f1']:.3f}"
                        for b in res["by_fraction"])
        print(f"{name}: {row}", flush=True)

    info = {"themes": ids, "n_full_segments": n_full, "segments_per_interview": per_interview,
            "n_train_interviews": len(train_meta), "n_test_segments": len(test_part),
            "n_test_interviews": int(test_part["interview_id"].nunique()), "fractions": list(FRACTIONS),
            "seeds": list(SEEDS), "e5_seeds": args.e5_seeds, "n_boot": args.n_boot, "jobs": args.jobs,
            "stratified_by": STRATIFY, "target_macro_f1": TARGET, "ceiling": ceiling,
            "runtime_seconds": time.perf_counter() - t_start}
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    write_report(results, info)

    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return None if math.isnan(v) else "inf"
        return round(v, 4) if isinstance(v, float) else v

    def walk(obj):
        if isinstance(obj, dict):
            return {k: walk(v) for k, v in obj.items()}
        if isinstance(obj, list | tuple):
            return [walk(v) for v in obj]
        return clean(obj.item() if isinstance(obj, np.generic) else obj)

    payload = {"info": info, "models": results}
    (OUT_DIR / "learning_curve.json").write_text(json.dumps(walk(payload), indent=1, ensure_ascii=False) + "\n",
                                                 encoding="utf-8")
    print(f"wrote {OUT_DIR / 'learning_curve.md'} and .json in {info['runtime_seconds']:.0f} s")


if __name__ == "__main__":
    main()
