"""Evaluation for analysts: how far coders agree, and how the automatic coding compares.

``codings`` everywhere is a mapping ``{coder name: coding table}``; a table is anything
:func:`temaer.coding.read_coding` accepts (long ``segment_id, theme`` or the wide 0/1 table
that :func:`temaer.classify` returns; a file path or a DataFrame). Each theme is judged as a
binary decision per segment; segments a coder did not code are missing for that coder.

* :func:`compare_coders`: one tidy table of agreement per theme and overall, per coder pair,
  for all coders together and for each coder against a reference, with bootstrap confidence
  intervals that resample whole interviews.
* :func:`model_vs_humans`: "is the model as reliable as a second human coder?", per theme.
* :func:`masi_alpha`, :func:`disagreements`: set-valued agreement over whole segments, and the
  list of segments the coders disagree on (for refining the codebook).
* :func:`spans_to_segments`, :func:`character_agreement`: span-coded input from QDA tools
  (MAXQDA-style mapping onto segments; NVivo-style character-level agreement).
* :func:`evaluation_report`: all of it as a self-contained HTML report (Danish) or an XLSX file.

>>> a = pd.DataFrame({"segment_id": ["i1:1", "i1:2", "i2:1"], "theme": ["roller", "", "roller"]})
>>> b = pd.DataFrame({"segment_id": ["i1:1", "i1:2", "i2:1"], "theme": ["roller", "roller", ""]})
>>> table = compare_coders({"A": a, "B": b}, codebook=["roller"], n_boot=0)
>>> table.loc[table["theme"].eq("roller"), ["n", "percent_agreement"]].to_dict("records")
[{'n': 3, 'percent_agreement': 0.3333333333333333}]
"""

from __future__ import annotations

import html
import math
import textwrap
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from temaer.agreement import _set_alpha, bootstrap_ci, masi_distance
from temaer.codebook import Codebook
from temaer.coding import CodingError, read_coding, to_wide
from temaer.transcripts import is_participant

__all__ = [
    "character_agreement",
    "compare_coders",
    "disagreements",
    "evaluation_report",
    "load_segments",
    "masi_alpha",
    "model_vs_humans",
    "spans_to_segments",
]

SEGMENT = "segment_id"
METRICS = ("percent_agreement", "kappa", "alpha", "ac1", "precision", "recall", "f1")
"""Metric columns of :func:`compare_coders` (each with ``_low`` and ``_high``)."""
VERDICTS = ("more reliable", "as reliable", "less reliable", "inconclusive", "undefined")
_EPS = 1e-12

CodingInput = Any  # str | Path | pd.DataFrame
CodebookInput = Codebook | str | Path | Sequence[str] | None


# ----------------------------------------------------------------------------- input


def _codebook(codebook: CodebookInput) -> tuple[tuple[str, ...], dict[str, str]]:
    """(theme ids, labels) from a Codebook, a YAML path, a list of ids or None (shipped)."""
    if codebook is None:
        codebook = Codebook.load()
    elif isinstance(codebook, (str, Path)):
        codebook = Codebook.load(codebook)
    if isinstance(codebook, Codebook):
        return codebook.ids, dict(codebook.labels)
    ids = tuple(str(t) for t in codebook)
    if not ids:
        raise ValueError("codebook: no theme ids given")
    return ids, {t: t for t in ids}


def load_segments(source: str | Path | pd.DataFrame) -> pd.DataFrame:
    """A segments table from a DataFrame, a table file (.csv/.xlsx/.parquet, e.g. written by
    ``temaer segments --out``) or transcript files/folders (read with ``read_transcripts``).

    >>> load_segments(pd.DataFrame({"segment_id": ["i1:1"], "text": ["Ja."]})).shape
    (1, 2)
    """
    if isinstance(source, pd.DataFrame):
        frame = source.copy()
    else:
        path = Path(source)
        suffix = path.suffix.lower()
        text_cols = {SEGMENT: str, "interview_id": str, "source": str}
        if suffix == ".csv":
            with path.open(encoding="utf-8-sig") as fh:
                header = fh.readline()
            sep = ";" if header.count(";") > header.count(",") else ","
            frame = pd.read_csv(path, sep=sep, dtype=text_cols, encoding="utf-8-sig")
        elif suffix in {".xlsx", ".xlsm", ".xls"}:
            frame = pd.read_excel(path, dtype=text_cols)
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            from temaer.transcripts import TranscriptError, read_transcripts

            frame = read_transcripts(path, errors="collect")  # the text is extra: a bad file loses only itself
            for failure in frame.attrs["errors"]:
                error = TranscriptError(failure["file"], failure["message"], failure["line"])
                warnings.warn(f"{error} (its segments have no text)", UserWarning, stacklevel=2)
    if SEGMENT not in frame.columns:
        if frame.index.name == SEGMENT:
            frame = frame.reset_index()
        else:
            raise CodingError(f"segments table has no {SEGMENT!r} column")
    frame[SEGMENT] = frame[SEGMENT].astype(str).str.strip()
    if frame[SEGMENT].duplicated().any():
        dup = frame.loc[frame[SEGMENT].duplicated(), SEGMENT].iloc[0]
        raise CodingError(f"segments table: duplicate segment_id {dup!r}")
    return frame


def _participants(segments: pd.DataFrame) -> pd.DataFrame:
    return segments[is_participant(segments)]


def _read(table: CodingInput, ids: Sequence[str], name: str) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        table = table[is_participant(table)]
    try:
        long = read_coding(table, codebook=list(ids))
    except CodingError as exc:
        raise CodingError(f"coding {name!r}: {exc}") from None
    if "coder" in long.columns and long["coder"].nunique(dropna=False) > 1:
        coders = sorted(map(str, long["coder"].unique()))
        raise CodingError(
            f"coding {name!r} holds several coders ({', '.join(coders)}); "
            "pass one table per coder, e.g. dict(iter(table.groupby('coder')))"
        )
    return long


def _named(codings: Any) -> dict[str, CodingInput]:
    if isinstance(codings, Mapping):
        named = {str(k): v for k, v in codings.items()}
    elif isinstance(codings, (str, Path, pd.DataFrame)):
        raise TypeError("codings must be a mapping {coder name: coding table} (or a list of tables)")
    else:
        named = {f"coder_{i + 1}": v for i, v in enumerate(codings)}
    if any(not k.strip() for k in named):
        raise ValueError("coder names must not be empty")
    return named


@dataclass
class _Data:
    themes: tuple[str, ...]
    labels: dict[str, str]
    units: list[str]
    wide: dict[str, np.ndarray]  # name -> units x themes, NaN rows = not coded
    clusters: np.ndarray  # cluster code per unit
    segments: pd.DataFrame | None

    def coded(self, name: str) -> np.ndarray:
        return ~np.isnan(self.wide[name][:, 0])


def _prepare(
    codings: Mapping[str, CodingInput],
    codebook: CodebookInput,
    segments: Any,
    cluster: Any,
) -> _Data:
    ids, labels = _codebook(codebook)
    longs = {name: _read(table, ids, name) for name, table in codings.items()}
    coded_ids = set().union(*(set(t[SEGMENT]) for t in longs.values())) if longs else set()
    segs = None
    if segments is not None:
        segs = _participants(load_segments(segments))
        units = [s for s in segs[SEGMENT] if s in coded_ids]
        if not units:
            raise CodingError("no coded segment is in the segments table (wrong corpus?)")
    else:
        units = sorted(coded_ids)
    if not units:
        raise CodingError("the codings contain no segments")
    wide = {
        name: to_wide(long, ids, segments=units).to_numpy(dtype=float)
        for name, long in longs.items()
    }
    gaps = {name: int(np.isnan(w).all(axis=1).sum()) for name, w in wide.items()}
    if any(gaps.values()):
        which = ", ".join(f"{name} {k} of {len(units)}" for name, k in gaps.items() if k)
        warnings.warn(f"the codings cover different segments (not coded: {which}); each comparison uses the "
                      "segments both sides coded (column n)", UserWarning, stacklevel=1)
    return _Data(ids, labels, units, wide, _clusters(units, segs, cluster), segs)


def _clusters(units: list[str], segs: pd.DataFrame | None, cluster: Any) -> np.ndarray:
    if cluster is None or cluster == "segment":
        return np.arange(len(units))
    if isinstance(cluster, str):
        if cluster != "interview":
            raise ValueError(f"cluster must be 'interview', 'segment', None or a mapping; got {cluster!r}")
        if segs is not None and "interview_id" in segs.columns:
            lookup = dict(zip(segs[SEGMENT], segs["interview_id"].astype(str), strict=True))
            labels = [lookup.get(u) or u.rsplit(":", 1)[0] for u in units]
        else:
            labels = [u.rsplit(":", 1)[0] for u in units]
    elif isinstance(cluster, (Mapping, pd.Series)):
        lookup = dict(cluster.items())
        missing = [u for u in units if u not in lookup]
        if missing:
            raise ValueError(f"cluster mapping has no entry for segment(s) {missing[:5]}")
        labels = [str(lookup[u]) for u in units]
    else:
        raise TypeError(f"cluster must be 'interview', 'segment', None or a mapping; got {type(cluster).__name__}")
    return pd.factorize(pd.Series(labels, dtype=object))[0]


# ----------------------------------------------------------------------------- fast statistics
# Every coefficient below is a function of sums of per-unit statistics, so a cluster
# bootstrap only needs per-cluster sums and a matrix of resampling counts.


def _one_hot_cells(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """units x themes x 4 one-hot cells [00, 01, 10, 11] (x first, y second)."""
    cells = (2 * x + y).astype(int)
    return (cells[..., None] == np.arange(4)).astype(float)


def _cell_metrics(c: np.ndarray) -> dict[str, np.ndarray]:
    """Binary two-coder metrics from cell counts (..., 4); x = coder/prediction, y = reference."""
    n00, n01, n10, n11 = (c[..., i] for i in range(4))
    n = n00 + n01 + n10 + n11
    with np.errstate(divide="ignore", invalid="ignore"):
        pa = (n00 + n11) / n
        px, py = (n10 + n11) / n, (n01 + n11) / n
        pe = px * py + (1 - px) * (1 - py)
        kappa = np.where(1 - pe > _EPS, (pa - pe) / (1 - pe), np.nan)
        pi = (px + py) / 2
        pe_g = 2 * pi * (1 - pi)
        ac1 = (pa - pe_g) / (1 - pe_g)
        ones = 2 * n11 + n10 + n01
        zeros = 2 * n - ones
        alpha = np.where(ones * zeros > 0, 1 - (2 * n - 1) * (n01 + n10) / (ones * zeros), np.nan)
        precision = n11 / (n11 + n10)
        recall = n11 / (n11 + n01)
        f1 = 2 * n11 / (2 * n11 + n10 + n01)
    return {"percent_agreement": pa, "kappa": kappa, "alpha": alpha, "ac1": ac1,
            "precision": precision, "recall": recall, "f1": f1, "prev_x": px, "prev_y": py}


def _multi_stats(x: np.ndarray) -> np.ndarray:
    """units x coders x themes (NaN = not coded) -> units x themes x 7 additive statistics."""
    r = (~np.isnan(x)).sum(axis=1).astype(float)
    r1 = np.nansum(x, axis=1)
    r0 = r - r1
    has1, has2 = r >= 1, r >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        spi = np.where(has1, r1 / r, 0.0)
        agree = np.where(has2, (r1 * (r1 - 1) + r0 * (r0 - 1)) / (r * (r - 1)), 0.0)
        dis = np.where(has2, 2 * r1 * r0 / (r - 1), 0.0)
    return np.stack([has1, spi, has2, agree, np.where(has2, r, 0), np.where(has2, r1, 0), dis],
                    axis=-1).astype(float)


def _multi_metrics(s: np.ndarray) -> dict[str, np.ndarray]:
    """Gwet's percent agreement and AC1 (categories 0/1) and nominal Krippendorff's alpha."""
    has1, spi, has2, agree, n, n1, dis = (s[..., i] for i in range(7))
    with np.errstate(divide="ignore", invalid="ignore"):
        pa = agree / has2
        pi = spi / has1
        pe = 2 * pi * (1 - pi)
        ac1 = np.where(has2 > 0, (pa - pe) / (1 - pe), np.nan)
        n0 = n - n1
        alpha = np.where(n1 * n0 > 0, 1 - dis * (n - 1) / (2 * n1 * n0), np.nan)
    return {"percent_agreement": pa, "alpha": alpha, "ac1": ac1}


def _boot_sums(
    per_unit: np.ndarray, clusters: np.ndarray, n_boot: int, random_state: int | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Point sums over units and bootstrap replicate sums (n_boot x ...) resampling clusters."""
    inverse = np.unique(clusters, return_inverse=True)[1]
    n_clusters = int(inverse.max()) + 1 if inverse.size else 0
    sums = np.zeros((n_clusters, *per_unit.shape[1:]))
    np.add.at(sums, inverse, per_unit)
    point = sums.sum(axis=0)
    if n_boot <= 0 or n_clusters == 0:
        return point, None
    rng = np.random.default_rng(random_state)
    draws = rng.multinomial(n_clusters, np.full(n_clusters, 1.0 / n_clusters), size=n_boot)
    return point, np.tensordot(draws.astype(float), sums, axes=(1, 0))


def _ci(reps: np.ndarray, level: float) -> tuple[float, float]:
    ok = reps[np.isfinite(reps)]
    if ok.size == 0:
        return math.nan, math.nan
    tail = (1 - level) / 2
    low, high = np.quantile(ok, [tail, 1 - tail])
    return float(low), float(high)


def _summarise(
    metric_fn: Callable[[np.ndarray], dict[str, np.ndarray]],
    point: np.ndarray,
    reps: np.ndarray | None,
    names: Sequence[str],
    level: float,
) -> list[dict[str, float]]:
    """Per theme, then "overall" (pooled) and "macro" (mean over themes): {name: est, _low, _high}."""
    n_themes = point.shape[0]
    est = metric_fn(np.concatenate([point, point.sum(axis=0, keepdims=True)]))
    rep = None
    if reps is not None:
        rep = metric_fn(np.concatenate([reps, reps.sum(axis=1, keepdims=True)], axis=1))
    rows: list[dict[str, float]] = [{} for _ in range(n_themes + 2)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for name in names:
            values = list(est[name]) + [np.nanmean(est[name][:n_themes])]
            if rep is not None:
                rep_cols = [rep[name][:, i] for i in range(n_themes + 1)]
                rep_cols.append(np.nanmean(rep[name][:, :n_themes], axis=1))
            for i, value in enumerate(values):
                rows[i][name] = float(value)
                low, high = _ci(rep_cols[i], level) if rep is not None else (math.nan, math.nan)
                rows[i][f"{name}_low"], rows[i][f"{name}_high"] = low, high
    return rows


def _check_boot(n_boot: int, level: float) -> None:
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise ValueError(f"n_boot must be a non-negative integer, got {n_boot!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")


# ----------------------------------------------------------------------------- compare_coders


def compare_coders(
    codings: Mapping[str, CodingInput] | Sequence[CodingInput],
    reference: str | CodingInput | None = None,
    *,
    codebook: CodebookInput = None,
    segments: Any = None,
    n_boot: int = 1000,
    cluster: Any = "interview",
    level: float = 0.95,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Agreement per theme between coders, and against a reference, as one tidy table.

    ``codings`` maps coder name -> coding table (see :mod:`temaer.evaluate`). ``reference``
    (e.g. the gold standard) is a coding table, or the name of one of ``codings``. Rows, with
    ``theme`` each theme id, ``"overall"`` (all theme decisions pooled) and ``"macro"`` (mean
    over themes):

    * ``comparison == "pair"``: every pair of coders: percent agreement, Cohen's kappa,
      Krippendorff's alpha (nominal) and Gwet's AC1, on the segments both coded (``n``);
    * ``comparison == "all"`` (three or more coders): Krippendorff's alpha, AC1 and percent
      agreement over all coders, on segments coded by at least two (missing allowed);
    * ``comparison == "reference"``: each coder against ``reference`` (``coder_2``):
      the agreement figures plus precision, recall and F1 of the coder.

    ``prevalence_<name>`` is the share of compared segments the coder gave the theme. Each
    metric has ``<metric>_low``/``<metric>_high``: a percentile bootstrap interval (``level``)
    from ``n_boot`` resamples of whole interviews (``cluster="interview"``: the
    ``interview_id`` of ``segments``, else the part of ``segment_id`` before the last ``:``;
    ``None`` resamples segments; or a mapping segment_id -> cluster). ``n_boot=0`` skips
    the intervals. ``segments`` (a table or transcript path) limits the comparison to its
    participant segments. Undefined values (e.g. kappa when neither coder used a theme) are NaN.

    >>> a = pd.DataFrame({"segment_id": ["i:1", "i:2", "i:3", "i:4"],
    ...                   "theme": ["roller", "roller", "", ""]})
    >>> b = pd.DataFrame({"segment_id": ["i:1", "i:2", "i:3", "i:4"],
    ...                   "theme": ["roller", "", "", ""]})
    >>> t = compare_coders({"A": a, "B": b}, codebook=["roller"], n_boot=0)
    >>> t.loc[0, ["kappa", "prevalence_A", "prevalence_B"]].tolist()
    [0.5, 0.5, 0.25]
    """
    _check_boot(n_boot, level)
    named = _named(codings)
    ref_name = None
    if reference is not None:
        if isinstance(reference, str) and reference in named:
            ref_name = reference
        else:
            ref_name = "reference"
            if ref_name in named:
                raise ValueError("a coder is named 'reference'; pass reference=<that name> instead")
            named[ref_name] = reference
    coders = [n for n in named if n != ref_name]
    if len(coders) < 2 and ref_name is None:
        raise ValueError("compare_coders needs at least two codings, or one and a reference")
    if not coders:
        raise ValueError("compare_coders needs at least one coding besides the reference")
    data = _prepare(named, codebook, segments, cluster)

    rows: list[dict] = []
    comparisons = [("pair", a, b) for a, b in combinations(coders, 2)]
    comparisons += [("reference", c, ref_name) for c in coders] if ref_name else []
    names_all = [*coders, *([ref_name] if ref_name else [])]
    for kind, a, b in comparisons:
        both = data.coded(a) & data.coded(b)
        if not both.any():
            warnings.warn(f"{a!r} and {b!r} coded no segment in common; their rows are NaN",
                          UserWarning, stacklevel=2)
        x, y = data.wide[a][both], data.wide[b][both]
        point, reps = _boot_sums(_one_hot_cells(x, y), data.clusters[both], n_boot, random_state)
        metrics = [m for m in METRICS if kind == "reference" or m not in ("precision", "recall", "f1")]
        summary = _summarise(_cell_metrics, point, reps, metrics, level)
        prev = _prevalences({a: x, b: y})
        for theme, stats, pv in zip([*data.themes, "overall", "macro"], summary, prev, strict=True):
            rows.append({"comparison": kind, "coder_1": a, "coder_2": b, "theme": theme,
                         "n": int(both.sum()), **{f"prevalence_{k}": v for k, v in pv.items()},
                         **stats})

    if len(coders) >= 3:
        stacked = np.stack([data.wide[c] for c in coders], axis=1)
        some = np.stack([data.coded(c) for c in coders], axis=1).sum(axis=1) >= 1
        pairable = np.stack([data.coded(c) for c in coders], axis=1).sum(axis=1) >= 2
        point, reps = _boot_sums(_multi_stats(stacked[some]), data.clusters[some], n_boot,
                                 random_state)
        summary = _summarise(_multi_metrics, point, reps, ["percent_agreement", "alpha", "ac1"], level)
        prev = _prevalences({c: data.wide[c][pairable] for c in coders})
        for theme, stats, pv in zip([*data.themes, "overall", "macro"], summary, prev, strict=True):
            rows.append({"comparison": "all", "coder_1": ", ".join(coders), "coder_2": "",
                         "theme": theme, "n": int(pairable.sum()),
                         **{f"prevalence_{k}": v for k, v in pv.items()}, **stats})

    columns = ["comparison", "coder_1", "coder_2", "theme", "n",
               *(f"prevalence_{c}" for c in names_all)]
    for m in METRICS:
        columns += [m, f"{m}_low", f"{m}_high"]
    return pd.DataFrame(rows).reindex(columns=columns)


def _prevalences(values: Mapping[str, np.ndarray]) -> list[dict[str, float]]:
    """Per theme, overall and macro: share of coded segments each coder gave the theme."""
    out: list[dict[str, float]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        per = {k: np.nanmean(v, axis=0) if len(v) else np.full(v.shape[1], np.nan)
               for k, v in values.items()}
        n_themes = next(iter(values.values())).shape[1]
        for i in range(n_themes):
            out.append({k: float(p[i]) for k, p in per.items()})
        overall = {k: float(np.nanmean(p)) for k, p in per.items()}
        out += [overall, dict(overall)]
    return out


# ----------------------------------------------------------------------------- model vs humans


def model_vs_humans(
    human_a: CodingInput,
    human_b: CodingInput,
    model: CodingInput,
    gold: CodingInput | None = None,
    *,
    codebook: CodebookInput = None,
    segments: Any = None,
    n_boot: int = 1000,
    cluster: Any = "interview",
    level: float = 0.95,
    margin: float = 0.05,
    random_state: int | None = 0,
) -> pd.DataFrame:
    """Is the model as reliable as a second human coder? One row per theme (+ overall, macro).

    On the segments coded by all inputs: Cohen's kappa of human A vs human B
    (``kappa_ab``), of the model vs the gold standard (``kappa_model_gold``) and of the model vs
    each human (``kappa_model_a``, ``kappa_model_b``), with bootstrap intervals from the same
    interview resamples. ``difference`` is ``kappa_model_gold - kappa_ab`` (without ``gold``:
    the mean of the model-vs-human kappas minus ``kappa_ab``), and ``verdict`` reads its interval:
    ``"more reliable"`` (low > 0), ``"as reliable"`` (low >= -margin, non-inferior),
    ``"less reliable"`` (high < -margin), else ``"inconclusive"``. With ``n_boot=0`` the
    verdict uses the point estimate (>= -margin: as reliable). Note that the gold standard is
    reconciled from A and B, which favours neither the model nor the humans only approximately.

    >>> h = pd.DataFrame({"segment_id": ["i:1", "i:2", "i:3"], "theme": ["roller", "", ""]})
    >>> out = model_vs_humans(h, h, h, h, codebook=["roller"], n_boot=0)
    >>> out.loc[0, ["kappa_ab", "kappa_model_gold", "verdict"]].to_dict()
    {'kappa_ab': 1.0, 'kappa_model_gold': 1.0, 'verdict': 'as reliable'}
    """
    _check_boot(n_boot, level)
    if margin < 0:
        raise ValueError(f"margin must be >= 0, got {margin!r}")
    named = {"A": human_a, "B": human_b, "model": model}
    if gold is not None:
        named["gold"] = gold
    data = _prepare(named, codebook, segments, cluster)
    common = np.logical_and.reduce([data.coded(n) for n in named])
    pairs = {"ab": ("A", "B"), "model_a": ("model", "A"), "model_b": ("model", "B")}
    if gold is not None:
        pairs["model_gold"] = ("model", "gold")
    cells = np.concatenate(
        [_one_hot_cells(data.wide[x][common], data.wide[y][common]) for x, y in pairs.values()],
        axis=-1,
    )
    point, reps = _boot_sums(cells, data.clusters[common], n_boot, random_state)

    def kappas(counts: np.ndarray) -> dict[str, np.ndarray]:
        out = {f"kappa_{k}": _cell_metrics(counts[..., 4 * i: 4 * i + 4])["kappa"]
               for i, k in enumerate(pairs)}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            model = out["kappa_model_gold"] if gold is not None else np.nanmean(
                np.stack([out["kappa_model_a"], out["kappa_model_b"]]), axis=0)
        out["difference"] = model - out["kappa_ab"]
        return out

    names = [f"kappa_{k}" for k in ("ab", "model_gold", "model_a", "model_b")] + ["difference"]
    names = [n for n in names if n != "kappa_model_gold" or gold is not None]
    summary = _summarise(kappas, point, reps, names, level)
    rows = []
    for theme, stats in zip([*data.themes, "overall", "macro"], summary, strict=True):
        rows.append({"theme": theme, "n": int(common.sum()), **stats,
                     "verdict": _verdict(stats, margin, n_boot > 0)})
    columns = ["theme", "n"]
    for n in [f"kappa_{k}" for k in ("ab", "model_gold", "model_a", "model_b")] + ["difference"]:
        columns += [n, f"{n}_low", f"{n}_high"]
    return pd.DataFrame(rows).reindex(columns=[*columns, "verdict"])


def _verdict(stats: Mapping[str, float], margin: float, with_ci: bool) -> str:
    diff, low, high = stats["difference"], stats["difference_low"], stats["difference_high"]
    if math.isnan(diff):
        return "undefined"
    if not with_ci or math.isnan(low):
        return "as reliable" if diff >= -margin else "less reliable"
    if low > 0:
        return "more reliable"
    if low >= -margin:
        return "as reliable"
    if high < -margin:
        return "less reliable"
    return "inconclusive"


# ----------------------------------------------------------------------------- whole segments


def _set_matrix(data: _Data, names: Sequence[str]) -> np.ndarray:
    """coders x units object matrix of frozensets of themes (None = not coded)."""
    out = np.empty((len(names), len(data.units)), dtype=object)
    themes = np.array(data.themes, dtype=object)
    for i, name in enumerate(names):
        wide = data.wide[name]
        for j, row in enumerate(wide):
            out[i, j] = None if np.isnan(row[0]) else frozenset(themes[row == 1])
    return out


def masi_alpha(
    codings: Mapping[str, CodingInput] | Sequence[CodingInput],
    *,
    codebook: CodebookInput = None,
    segments: Any = None,
    distance: str = "masi",
) -> float:
    """Krippendorff's alpha over whole segments, each value the set of themes a coder gave it.

    Partial agreement counts by the MASI distance (Passonneau 2006; ``distance="jaccard"`` for
    Jaccard); a segment coded with no theme is the empty set, a real value.

    >>> a = pd.DataFrame({"segment_id": ["i:1", "i:2", "i:3"], "theme": ["roller", "", "opgaver"]})
    >>> masi_alpha({"A": a, "B": a}, codebook=["roller", "opgaver"])
    1.0
    """
    from temaer.agreement import krippendorff_alpha

    if distance not in ("masi", "jaccard"):
        raise ValueError(f"distance must be 'masi' or 'jaccard', got {distance!r}")
    named = _named(codings)
    if len(named) < 2:
        raise ValueError("masi_alpha needs at least two codings")
    data = _prepare(named, codebook, segments, None)
    return krippendorff_alpha(_set_matrix(data, list(named)), level=distance)


def _masi_ci(data: _Data, names: Sequence[str], n_boot: int, level: float,
             random_state: int | None) -> tuple[float, float, float]:
    matrix = _set_matrix(data, names)
    values: dict[frozenset, int] = {}
    codes = np.full(matrix.shape, -1, dtype=np.intp)
    for (i, j), v in np.ndenumerate(matrix):
        if v is not None:
            codes[i, j] = values.setdefault(v, len(values))
    keys = list(values)
    dist = np.array([[masi_distance(a, b) for b in keys] for a in keys]).reshape(len(keys), len(keys))

    def metric(m: np.ndarray) -> float:
        return _set_alpha(np.asarray(m, dtype=np.intp), dist)

    if n_boot <= 0:
        return metric(codes), math.nan, math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return bootstrap_ci(metric, codes, n_boot=n_boot, level=level, cluster=data.clusters,
                            random_state=random_state)


def disagreements(
    codings: Mapping[str, CodingInput] | Sequence[CodingInput],
    segments: Any = None,
    *,
    codebook: CodebookInput = None,
) -> pd.DataFrame:
    """Segments that at least two coders coded differently, for refining the codebook.

    Columns: ``segment_id``, ``text`` (when ``segments`` has it), one column per coder with
    the ``;``-joined themes it gave (``""`` = coded with no theme, NaN = not coded), and
    ``disputed``: the themes some but not all of those coders gave.

    >>> a = pd.DataFrame({"segment_id": ["i:1", "i:2"], "theme": ["roller", "opgaver"]})
    >>> b = pd.DataFrame({"segment_id": ["i:1", "i:2"], "theme": ["roller", ""]})
    >>> disagreements({"A": a, "B": b}, codebook=["roller", "opgaver"]).to_dict("records")
    [{'segment_id': 'i:2', 'A': 'opgaver', 'B': '', 'disputed': 'opgaver'}]
    """
    named = _named(codings)
    if len(named) < 2:
        raise ValueError("disagreements needs at least two codings")
    data = _prepare(named, codebook, segments, None)
    names = list(named)
    sets = _set_matrix(data, names)
    order = {t: i for i, t in enumerate(data.themes)}
    rows = []
    for j, unit in enumerate(data.units):
        given = {n: sets[i, j] for i, n in enumerate(names) if sets[i, j] is not None}
        if len(given) < 2 or len(set(given.values())) == 1:
            continue
        union = frozenset().union(*given.values())
        inter = frozenset.intersection(*given.values())
        row: dict[str, Any] = {SEGMENT: unit}
        for n in names:
            s = sets[names.index(n), j]
            row[n] = math.nan if s is None else ";".join(sorted(s, key=order.__getitem__))
        row["disputed"] = ";".join(sorted(union - inter, key=order.__getitem__))
        rows.append(row)
    out = pd.DataFrame(rows, columns=[SEGMENT, *names, "disputed"])
    if data.segments is not None and "text" in data.segments.columns:
        text = dict(zip(data.segments[SEGMENT], data.segments["text"], strict=True))
        out.insert(1, "text", out[SEGMENT].map(text))
    return out


# ----------------------------------------------------------------------------- spans


class _Sources:
    """Resolve source names of span exports (full path, file name or stem/interview id)."""

    def __init__(self, segments: pd.DataFrame):
        self.keys: dict[str, set[str]] = {}
        ids = segments["interview_id"] if "interview_id" in segments.columns else None
        for i, src in enumerate(segments["source"].astype(str)):
            canonical = src
            keys = {src, Path(src).name, Path(src).stem}
            if ids is not None:
                keys.add(str(ids.iloc[i]))
            for k in keys:
                self.keys.setdefault(k, set()).add(canonical)

    def resolve(self, name: str) -> str | None:
        for key in (name, Path(name).name, Path(name).stem):
            found = self.keys.get(key)
            if found:
                if len(found) > 1:
                    raise CodingError(f"span source {name!r} is ambiguous: {sorted(found)}")
                return next(iter(found))
        return None


def _read_spans(spans: Any, ids: Sequence[str], name: str = "spans") -> pd.DataFrame:
    if isinstance(spans, (str, Path)):
        spans = _read_table(Path(spans))
    if not isinstance(spans, pd.DataFrame):
        raise TypeError(f"{name} must be a DataFrame or a table file, got {type(spans).__name__}")
    missing = [c for c in ("source", "start", "end", "theme") if c not in spans.columns]
    if missing:
        raise CodingError(f"{name}: missing column(s) {missing} (need source, start, end, theme)")
    out = spans.copy()
    out["source"] = out["source"].astype(str)
    out["theme"] = out["theme"].fillna("").astype(str).str.strip()
    bad = ~out["theme"].isin(list(ids))
    if bad.any():
        row = out.index[bad][0]
        raise CodingError(f"{name}, row {row}: unknown theme {out.at[row, 'theme']!r} "
                          f"(known: {', '.join(ids)})")
    for col in ("start", "end"):
        values = pd.to_numeric(out[col], errors="coerce")
        if values.isna().any() or (values % 1 != 0).any() or (values < 0).any():
            row = out.index[values.isna() | (values % 1 != 0) | (values < 0)][0]
            raise CodingError(f"{name}, row {row}: {col} must be a non-negative integer offset")
        out[col] = values.astype(int)
    wrong = out["end"] <= out["start"]
    if wrong.any():
        raise CodingError(f"{name}, row {out.index[wrong][0]}: end must be greater than start")
    return out


def _read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig") as fh:
            header = fh.readline()
        sep = ";" if header.count(";") > header.count(",") else ","
        return pd.read_csv(path, sep=sep, encoding="utf-8-sig", dtype={"source": str})
    if suffix in {".xlsx", ".xlsm", ".xls"}:
        return pd.read_excel(path, dtype={"source": str})
    if suffix == ".parquet":
        return pd.read_parquet(path)
    raise CodingError(f"{path}: unsupported table type {suffix!r} (use .csv, .xlsx or .parquet)")


def _merge(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(starts, kind="stable")
    merged: list[list[int]] = []
    for s, e in zip(starts[order], ends[order], strict=True):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([int(s), int(e)])
    arr = np.array(merged, dtype=float).reshape(-1, 2)
    return arr[:, 0], arr[:, 1]


def _overlap(s1: np.ndarray, e1: np.ndarray, s2: np.ndarray, e2: np.ndarray) -> np.ndarray:
    """len(s1) x len(s2) matrix of overlapping characters."""
    return np.clip(np.minimum(e1[:, None], e2[None, :]) - np.maximum(s1[:, None], s2[None, :]),
                   0, None)


def spans_to_segments(
    spans: pd.DataFrame | str | Path,
    segments: Any,
    *,
    min_overlap: float = 0.5,
    of: str = "segment",
    codebook: CodebookInput = None,
) -> pd.DataFrame:
    """Map QDA-tool spans (``source, start, end, theme``) onto segments by character overlap.

    Offsets are 0-based, end-exclusive code point offsets into the same plain text that the
    segments' ``start``/``end`` refer to (see :func:`temaer.plain_text`). A segment gets a theme
    when the spans of that theme cover at least ``min_overlap`` of it (``of="segment"``,
    MAXQDA-style), when at least ``min_overlap`` of one span lies inside it (``of="span"``), or
    either (``of="either"``). Span sources may be given as the full source path, the file name or
    its stem / interview id. Participant segments of every source that has spans are coded
    (``""`` when no theme reached the threshold); with a ``coder`` column, per coder.
    Returns a long coding table (``segment_id, theme`` [, ``coder``]).

    >>> segs = pd.DataFrame({"segment_id": ["i:1", "i:2"], "source": "i.txt",
    ...                      "start": [0, 10], "end": [10, 20]})
    >>> spans = pd.DataFrame({"source": ["i"], "start": [4], "end": [12], "theme": ["roller"]})
    >>> spans_to_segments(spans, segs, codebook=["roller"]).to_dict("list")
    {'segment_id': ['i:1', 'i:2'], 'theme': ['roller', '']}
    """
    if not 0 <= min_overlap <= 1:
        raise ValueError(f"min_overlap must be between 0 and 1, got {min_overlap!r}")
    if of not in ("segment", "span", "either"):
        raise ValueError(f"of must be 'segment', 'span' or 'either', got {of!r}")
    ids, _ = _codebook(codebook)
    spans = _read_spans(spans, ids)
    segs = _participants(load_segments(segments))
    missing = [c for c in ("source", "start", "end") if c not in segs.columns]
    if missing:
        raise CodingError(f"segments table: missing column(s) {missing}")
    sources = _Sources(segs)
    resolved = spans["source"].map(sources.resolve)
    if resolved.isna().any():
        unknown = sorted(spans.loc[resolved.isna(), "source"].unique())
        raise CodingError(f"span source(s) not in the segments table: {unknown[:10]}")
    spans = spans.assign(source=resolved)
    segs = segs.assign(source=segs["source"].astype(str))
    by_coder = "coder" in spans.columns
    rows = []
    for key, group in spans.groupby(["coder", "source"] if by_coder else ["source"], sort=False):
        coder, source = (key if by_coder else (None, key[0] if isinstance(key, tuple) else key))
        seg = segs[segs["source"] == source]
        s_start = seg["start"].to_numpy(float)
        s_end = seg["end"].to_numpy(float)
        length = np.maximum(s_end - s_start, 1.0)
        hits = np.zeros((len(seg), len(ids)), dtype=bool)
        for t, theme in enumerate(ids):
            sp = group[group["theme"] == theme]
            if sp.empty:
                continue
            starts, ends = sp["start"].to_numpy(float), sp["end"].to_numpy(float)
            share = np.zeros(len(seg))
            if of in ("segment", "either"):
                m_start, m_end = _merge(starts, ends)
                share = _overlap(s_start, s_end, m_start, m_end).sum(axis=1) / length
            if of in ("span", "either"):
                per_span = _overlap(s_start, s_end, starts, ends) / (ends - starts)[None, :]
                share = np.maximum(share, per_span.max(axis=1))
            hits[:, t] = (share >= min_overlap) & (share > 0)
        for seg_id, row in zip(seg[SEGMENT], hits, strict=True):
            themes = [ids[t] for t in np.flatnonzero(row)] or [""]
            rows += [{SEGMENT: seg_id, "theme": th, **({"coder": coder} if by_coder else {})}
                     for th in themes]
    columns = [SEGMENT, "theme", *(["coder"] if by_coder else [])]
    return pd.DataFrame(rows, columns=columns)


def character_agreement(
    spans_a: pd.DataFrame | str | Path,
    spans_b: pd.DataFrame | str | Path,
    *,
    lengths: Mapping[str, int | str] | None = None,
    segments: Any = None,
    codebook: CodebookInput = None,
    by_source: bool = False,
) -> pd.DataFrame:
    """NVivo-style character-level agreement between two span codings, per theme.

    Every character of every source that either coder coded is a unit, coded or not coded
    with each theme by each coder. The characters are those of the full text when ``lengths``
    (source -> text length or the text itself) is given, those inside ``segments`` when a
    segments table is given, else 0..the last coded character. Returns per theme (pooled over
    sources; ``by_source=True``: per source and theme) and ``"overall"`` (all themes pooled):
    ``n_chars``, the shares ``both``, ``only_a``, ``only_b``, ``neither``,
    ``percent_agreement`` (``both + neither``) and Cohen's ``kappa`` (NaN when undefined, e.g.
    neither coder used the theme in that source).

    >>> a = pd.DataFrame({"source": ["s"], "start": [0], "end": [50], "theme": ["roller"]})
    >>> b = pd.DataFrame({"source": ["s"], "start": [0], "end": [40], "theme": ["roller"]})
    >>> character_agreement(a, b, lengths={"s": 100}, codebook=["roller"]).loc[
    ...     0, ["both", "percent_agreement", "kappa"]].tolist()
    [0.4, 0.9, 0.8]
    """
    ids, _ = _codebook(codebook)
    a = _read_spans(spans_a, ids, "spans_a")
    b = _read_spans(spans_b, ids, "spans_b")
    segs = load_segments(segments) if segments is not None else None
    if segs is not None:
        sources = _Sources(segs)
        for frame, nm in ((a, "spans_a"), (b, "spans_b")):
            resolved = frame["source"].map(sources.resolve)
            if resolved.isna().any():
                unknown = sorted(frame.loc[resolved.isna(), "source"].unique())
                raise CodingError(f"{nm}: source(s) not in the segments table: {unknown[:10]}")
            frame["source"] = resolved
    length_of: dict[str, int] = {}
    if lengths is not None:
        for k, v in lengths.items():
            n = len(v) if isinstance(v, str) else int(v)
            length_of[str(k)] = n
            length_of.setdefault(Path(str(k)).stem, n)

    names = list(dict.fromkeys([*a["source"], *b["source"]]))
    cells = np.zeros((len(names), len(ids), 4))  # both, only_a, only_b, neither
    for s, source in enumerate(names):
        sa, sb = a[a["source"] == source], b[b["source"] == source]
        if lengths is not None:
            n = length_of.get(source, length_of.get(Path(source).stem))
            if n is None:
                raise CodingError(f"lengths has no entry for source {source!r}")
            universe = np.ones(n, dtype=bool)
        elif segs is not None:
            rows = segs[segs["source"].astype(str) == source]
            n = int(rows["end"].max())
            universe = _mask(rows["start"], rows["end"], n)
        else:
            n = int(max(sa["end"].max() if len(sa) else 0, sb["end"].max() if len(sb) else 0))
            universe = np.ones(n, dtype=bool)
        for t, theme in enumerate(ids):
            ma = _mask(sa.loc[sa["theme"] == theme, "start"], sa.loc[sa["theme"] == theme, "end"], n)
            mb = _mask(sb.loc[sb["theme"] == theme, "start"], sb.loc[sb["theme"] == theme, "end"], n)
            cells[s, t] = [(ma & mb & universe).sum(), (ma & ~mb & universe).sum(),
                           (~ma & mb & universe).sum(), (~ma & ~mb & universe).sum()]

    def rows_for(counts: np.ndarray, theme: str, source: str | None) -> dict:
        total = counts.sum()
        both, only_a, only_b, neither = counts / total if total else (math.nan,) * 4
        metrics = _cell_metrics(np.array([neither, only_b, only_a, both]) * (total or 1))
        row = {"theme": theme, **({"source": source} if source is not None else {}),
               "n_chars": int(total), "both": both, "only_a": only_a, "only_b": only_b,
               "neither": neither, "percent_agreement": float(metrics["percent_agreement"]),
               "kappa": float(metrics["kappa"])}
        return row

    out = []
    if by_source:
        for s, source in enumerate(names):
            for t, theme in enumerate(ids):
                out.append(rows_for(cells[s, t], theme, source))
            out.append(rows_for(cells[s].sum(axis=0), "overall", source))
    else:
        for t, theme in enumerate(ids):
            out.append(rows_for(cells[:, t].sum(axis=0), theme, None))
        out.append(rows_for(cells.sum(axis=(0, 1)), "overall", None))
    return pd.DataFrame(out)


def _mask(starts: Any, ends: Any, n: int) -> np.ndarray:
    diff = np.zeros(n + 1, dtype=int)
    for s, e in zip(np.asarray(starts, dtype=int), np.asarray(ends, dtype=int), strict=True):
        s, e = min(max(s, 0), n), min(max(e, 0), n)
        if e > s:
            diff[s] += 1
            diff[e] -= 1
    return np.cumsum(diff[:n]) > 0


# ----------------------------------------------------------------------------- report

_DA_VERDICT = {
    "more reliable": "mere pålidelig end en ekstra menneskelig koder",
    "as reliable": "lige så pålidelig som en ekstra menneskelig koder",
    "less reliable": "mindre pålidelig end en ekstra menneskelig koder",
    "inconclusive": "kan ikke afgøres (for usikkert)",
    "undefined": "kan ikke beregnes",
}
_DA_THEME = {"overall": "Samlet (alle temaer)", "macro": "Gennemsnit over temaer"}


def _num(x: float, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.{digits}f}".replace(".", ",").replace("-", "−")


def _pct(x: float) -> str:
    return "–" if x is None or math.isnan(x) else f"{100 * x:.1f} %".replace(".", ",")


def _with_ci(row: Mapping[str, Any], name: str) -> str:
    value = _num(row[name])
    low, high = row.get(f"{name}_low", math.nan), row.get(f"{name}_high", math.nan)
    if value == "–" or math.isnan(low):
        return value
    return f"{value} <span class=ci>({_num(low)}–{_num(high)})</span>"


def _theme_name(theme: str, labels: Mapping[str, str]) -> str:
    return _DA_THEME.get(theme, labels.get(theme, theme))


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table class='{cls}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _plot(table: pd.DataFrame, themes: Sequence[str], labels: Mapping[str, str]) -> str:
    import plotly.graph_objects as go

    fig = go.Figure()
    shown = table[table["theme"].isin(themes)]
    for (kind, a, b), grp in shown.groupby(["comparison", "coder_1", "coder_2"], sort=False):
        metric = "alpha" if kind == "all" else "kappa"
        grp = grp.set_index("theme").reindex(themes)
        name = f"{a} – {b}" if kind != "all" else f"alle kodere (α): {a}"
        fig.add_bar(
            x=[t.replace("_", " ") for t in themes], y=grp[metric], name=name,
            error_y={"type": "data", "symmetric": False,
                     "array": (grp[f"{metric}_high"] - grp[metric]).clip(lower=0),
                     "arrayminus": (grp[metric] - grp[f"{metric}_low"]).clip(lower=0)},
            hovertext=["<br>".join(textwrap.wrap(labels.get(t, t), 40)) for t in themes],
        )
    fig.update_layout(barmode="group", yaxis={"title": "Cohens κ (95 % KI)", "range": [-0.1, 1.05]},
                      legend={"orientation": "h", "y": -0.25}, margin={"t": 30},
                      template="plotly_white", height=480)
    return fig.to_html(full_html=False, include_plotlyjs=True)


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1200px;
padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.7rem}h2{margin-top:2.2rem;border-bottom:2px solid #ddd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:right;vertical-align:top}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
table.text td{text-align:left}.ci{color:#777;font-size:.85em}.note{color:#555;font-size:.9rem}
"""


def _report_tables(
    codings: Mapping[str, CodingInput],
    reference: CodingInput | None,
    segments: Any,
    auto: CodingInput | None,
    codebook: CodebookInput,
    n_boot: int,
    cluster: Any,
    random_state: int | None,
) -> dict[str, Any]:
    named = _named(codings)
    humans = list(named)
    if len(named) + (auto is not None) + (reference is not None) < 2:
        raise ValueError("a report needs at least two codings (coders, auto or reference)")
    if auto is not None:
        if "model" in named:
            raise ValueError("a coding is named 'model'; that name is reserved for auto")
        named["model"] = auto
    ids, labels = _codebook(codebook)
    segs = load_segments(segments) if segments is not None else None
    compare = compare_coders(named, reference, codebook=codebook, segments=segs, n_boot=n_boot,
                             cluster=cluster, random_state=random_state) if (
        len(named) >= 2 or reference is not None) else None
    mvh = None
    if auto is not None and len(humans) == 2:
        mvh = model_vs_humans(named[humans[0]], named[humans[1]], auto, reference,
                              codebook=codebook, segments=segs, n_boot=n_boot, cluster=cluster,
                              random_state=random_state)
    masi = None
    with_ref = dict(named) if reference is None else {**named, "reference": reference}
    masi_names = humans if len(humans) >= 2 else list(with_ref)
    if len(masi_names) >= 2:
        data = _prepare({n: with_ref[n] for n in masi_names}, codebook, segs, cluster)
        masi = (masi_names, *_masi_ci(data, masi_names, n_boot, 0.95, random_state))
    disagree = disagreements(with_ref, segs, codebook=codebook) if len(with_ref) >= 2 else None
    return {"ids": ids, "labels": labels, "compare": compare, "mvh": mvh, "masi": masi,
            "disagreements": disagree, "humans": humans, "n_boot": n_boot,
            "has_reference": reference is not None,
            "names": list(with_ref)}


def evaluation_report(
    codings: Mapping[str, CodingInput] | Sequence[CodingInput],
    reference: CodingInput | None = None,
    segments: Any = None,
    out: str | Path = "evaluering.html",
    *,
    auto: CodingInput | None = None,
    codebook: CodebookInput = None,
    n_boot: int = 1000,
    cluster: Any = "interview",
    random_state: int | None = 0,
    max_disagreements: int = 1000,
) -> Path:
    """Write an evaluation report: ``.html`` (self-contained, Danish) or ``.xlsx`` (one sheet per table).

    Contents: agreement per theme between the human ``codings`` (pairs and, for three or more,
    all together), each coding (and ``auto``, the automatic codes, named ``"model"``) against
    ``reference``, a per-theme agreement plot, "is the model as reliable as a second human
    coder?" (with ``auto`` and exactly two human codings), set-valued alpha (MASI) over whole
    segments and the list of disagreements (with text when ``segments`` is given). The file is
    written atomically; returns its path.

    >>> evaluation_report({"A": "a.csv", "B": "b.csv"}, out="rapport.html")  # doctest: +SKIP
    """
    from temaer.io import write_sheets, write_text

    target = Path(out)
    suffix = target.suffix.lower()
    if suffix not in (".html", ".htm", ".xlsx"):
        raise ValueError(f"{target}: report must be .html or .xlsx, got {suffix!r}")
    t = _report_tables(codings, reference, segments, auto, codebook, n_boot, cluster, random_state)
    if suffix == ".xlsx":
        return write_sheets(_sheets(t), target)
    return write_text(_html(t, max_disagreements), target)


def _sheets(t: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    labels = t["labels"]
    sheets: dict[str, pd.DataFrame] = {}
    if t["compare"] is not None:
        frame = t["compare"].copy()
        frame.insert(4, "tema", frame["theme"].map(lambda x: _theme_name(x, labels)))
        sheets["Overensstemmelse"] = frame
    if t["mvh"] is not None:
        frame = t["mvh"].copy()
        frame.insert(1, "tema", frame["theme"].map(lambda x: _theme_name(x, labels)))
        frame["vurdering"] = frame["verdict"].map(_DA_VERDICT)
        sheets["Model mod mennesker"] = frame
    if t["masi"] is not None:
        who, est, low, high = t["masi"]
        sheets["MASI alpha"] = pd.DataFrame([{"kodere": ", ".join(who), "alpha_masi": est,
                                              "alpha_masi_low": low, "alpha_masi_high": high}])
    if t["disagreements"] is not None:
        sheets["Uenigheder"] = t["disagreements"]
    sheets["Om tallene"] = pd.DataFrame({"note": [_strip_tags(p) for p in _notes(t)]})
    return sheets


def _strip_tags(text: str) -> str:
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _notes(t: Mapping[str, Any]) -> list[str]:
    boot = (f"Intervallerne i parentes er 95 % bootstrap-konfidensintervaller ({t['n_boot']} "
            "gentrækninger af hele interviews, så segmenter fra samme interview holdes sammen)."
            if t["n_boot"] else "Der er ikke beregnet konfidensintervaller (n_boot = 0).")
    return [
        "Hvert tema vurderes som en ja/nej-beslutning pr. segment. <b>n</b> er antallet af "
        "segmenter, som begge kodere (eller mindst to kodere) har kodet.",
        "<b>Procentvis enighed</b>: andelen af segmenter, hvor koderne er enige. "
        "<b>Cohens κ</b> korrigerer enigheden for den enighed, der ville opstå tilfældigt; "
        "0 = tilfældig, 1 = fuld enighed. Tommelfingerregel (Landis &amp; Koch 1977): "
        "0,41–0,60 moderat, 0,61–0,80 betydelig, over 0,80 næsten perfekt.",
        "<b>Krippendorffs α</b> (nominal) tåler manglende kodninger og flere kodere; "
        "Krippendorff anbefaler α ≥ 0,80 og mindst 0,667 for foreløbige konklusioner. "
        "<b>Gwets AC1</b> er mindre følsom over for sjældne temaer end κ og α.",
        "<b>Præcision</b>: andelen af koderens/modellens kodninger med temaet, som referencen "
        "også har. <b>Genkaldelse</b>: andelen af referencens kodninger med temaet, som "
        "koderen/modellen fandt. <b>F1</b> er det harmoniske gennemsnit af de to.",
        "<b>Samlet</b> puljer alle tema-beslutninger; <b>gennemsnit over temaer</b> er det "
        "uvægtede gennemsnit af temaernes værdier (makro).",
        "<b>MASI-α</b> er Krippendorffs α over hele segmenter, hvor hver kodning er mængden af "
        "temaer; delvis enighed (fx et fælles tema ud af to) tæller delvist (Passonneau 2006). "
        "Et segment kodet uden tema er en rigtig værdi (den tomme mængde).",
        boot,
    ]


def _html(t: Mapping[str, Any], max_disagreements: int) -> str:
    labels, ids = t["labels"], t["ids"]
    parts = ["<!DOCTYPE html><html lang='da'><head><meta charset='utf-8'>",
             "<title>Evaluering af kodning</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>Evaluering af kodning</h1>"]
    compare: pd.DataFrame | None = t["compare"]
    if compare is not None:
        n_seg = int(compare["n"].max()) if len(compare) else 0
        parts.append(f"<p>Kodninger: {html.escape(', '.join(t['names']))}. "
                     f"Op til {n_seg} segmenter sammenlignet.</p>")
        parts.append("<h2>Overensstemmelse pr. tema</h2>")
        parts.append(_plot(compare[compare["comparison"] != "all"] if (
            compare["comparison"] != "all").any() else compare, ids, labels))
        for kind, title in (("pair", "Kodere parvis"), ("all", "Alle kodere samlet"),
                            ("reference", "Sammenligning med reference")):
            sub = compare[compare["comparison"] == kind]
            if sub.empty:
                continue
            parts.append(f"<h2>{title}</h2>")
            for (a, b), grp in sub.groupby(["coder_1", "coder_2"], sort=False):
                who = html.escape(a if kind == "all" else f"{a} mod {b}")
                parts.append(f"<h3>{who}</h3>")
                parts.append(_compare_html(grp, kind, a, b, labels))
    mvh = t["mvh"]
    if mvh is not None:
        a, b = t["humans"]
        parts.append("<h2>Er modellen lige så pålidelig som en menneskelig koder?</h2>")
        parts.append(
            f"<p class=note>Cohens κ mellem de to menneskelige kodere ({html.escape(a)} og "
            f"{html.escape(b)}) sammenlignet med modellens κ mod referencen og mod hver koder. "
            + ("Forskel = model mod reference minus kodere indbyrdes"
               if t["has_reference"] else
               "Uden reference er forskellen = gennemsnittet af modellens κ mod de to kodere "
               "minus kodere indbyrdes")
            + "; vurderingen bruger konfidensintervallet for forskellen med en tolerance på "
            "0,05.</p>")
        header = ["Tema", "n", f"κ {a}–{b}", "κ model–reference", f"κ model–{a}",
                  f"κ model–{b}", "Forskel", "Vurdering"]
        rows = [[html.escape(_theme_name(r["theme"], labels)), str(r["n"]),
                 _with_ci(r, "kappa_ab"), _with_ci(r, "kappa_model_gold"),
                 _with_ci(r, "kappa_model_a"), _with_ci(r, "kappa_model_b"),
                 _with_ci(r, "difference"), html.escape(_DA_VERDICT[r["verdict"]])]
                for r in mvh.to_dict("records")]
        parts.append(_html_table(header, rows))
    if t["masi"] is not None:
        who, est, low, high = t["masi"]
        ci = "" if math.isnan(low) else f" <span class=ci>({_num(low)}–{_num(high)})</span>"
        parts.append("<h2>Enighed om hele segmenter (MASI-α)</h2>")
        parts.append(f"<p>Krippendorffs α med MASI-afstand over {html.escape(', '.join(who))}: "
                     f"<b>{_num(est, 3)}</b>{ci}</p>")
    dis: pd.DataFrame | None = t["disagreements"]
    if dis is not None:
        parts.append("<h2>Uenigheder</h2>")
        parts.append(f"<p class=note>{len(dis)} segmenter, hvor koderne har givet forskellige "
                     "temaer. – = ikke kodet; (intet tema) = kodet uden tema.</p>")
        shown = dis.head(max_disagreements)
        header = [c if c != "disputed" else "Uenige temaer" for c in shown.columns]
        header = ["Segment" if c == SEGMENT else "Tekst" if c == "text" else c for c in header]
        rows = []
        for rec in shown.to_dict("records"):
            row = []
            for col, v in rec.items():
                if col not in (SEGMENT, "text", "disputed"):
                    v = "–" if not isinstance(v, str) else (v or "(intet tema)")
                row.append(html.escape("" if not isinstance(v, str) else v.replace(";", "; ")))
            rows.append(row)
        parts.append(_html_table(header, rows, cls="text"))
        if len(dis) > max_disagreements:
            parts.append(f"<p class=note>Viser de første {max_disagreements} af {len(dis)}; "
                         "alle står i XLSX-udgaven af rapporten.</p>")
    parts.append("<h2>Om tallene</h2><ul>")
    parts += [f"<li>{p}</li>" for p in _notes(t)]
    parts.append("</ul></body></html>")
    return "\n".join(parts)


def _compare_html(grp: pd.DataFrame, kind: str, a: str, b: str, labels: Mapping[str, str]) -> str:
    records = grp.to_dict("records")
    if kind == "all":
        header = ["Tema", "n", "Krippendorffs α", "Gwets AC1", "Procentvis enighed"]
        rows = [[html.escape(_theme_name(r["theme"], labels)), str(r["n"]),
                 _with_ci(r, "alpha"), _with_ci(r, "ac1"), _with_ci(r, "percent_agreement")]
                for r in records]
        return _html_table(header, rows)
    header = ["Tema", "n", f"Forekomst {a}", f"Forekomst {b}", "Procentvis enighed", "Cohens κ",
              "Krippendorffs α", "Gwets AC1"]
    if kind == "reference":
        header += ["Præcision", "Genkaldelse", "F1"]
    rows = []
    for r in records:
        row = [html.escape(_theme_name(r["theme"], labels)), str(r["n"]),
               _pct(r.get(f"prevalence_{a}", math.nan)), _pct(r.get(f"prevalence_{b}", math.nan)),
               _with_ci(r, "percent_agreement"), _with_ci(r, "kappa"), _with_ci(r, "alpha"),
               _with_ci(r, "ac1")]
        if kind == "reference":
            row += [_with_ci(r, "precision"), _with_ci(r, "recall"), _with_ci(r, "f1")]
        rows.append(row)
    return _html_table(header, rows)

