"""Inter-coder agreement coefficients on raw coding data.

Every function takes ``data`` as **coders x units**: a list of lists, a 2-D array or a
DataFrame with one row per coder and one column per unit (segment). ``None``/NaN/``pd.NA``
means "this coder did not code this unit". Any number of coders is allowed and values may be
missing. Each function returns a float; where a coefficient is undefined for the data (no
pairable units, a single category, chance agreement of 1, ...) it returns NaN and emits an
:class:`UndefinedAgreementWarning` instead of raising. Malformed input (ragged rows, 1-D data,
values outside ``categories``) raises :class:`ValueError`.

Missing values, in short:

* :func:`cohen_kappa`: units where either coder is missing are dropped (pairwise deletion).
* :func:`percent_agreement`, :func:`gwet_ac1`, :func:`brennan_prediger`, :func:`fleiss_kappa`:
  Gwet's (2014) framework for incomplete designs, as in the irrCAC R package: observed
  agreement is averaged over units with at least two values; category prevalences (AC1,
  Fleiss) are averaged over units with at least one value.
* :func:`scott_pi`: observed agreement as above; chance agreement from the pooled values of
  units with at least two values.
* :func:`krippendorff_alpha`: Krippendorff's pairable values, i.e. units with fewer than two
  values are ignored.

``weights`` (``None``, ``"linear"`` or ``"quadratic"``) are agreement weights computed from the
positions of the values in ``categories`` (default: the sorted distinct observed values):
``1 - |i - j| / (q - 1)`` and ``1 - (i - j)**2 / (q - 1)**2``.

>>> percent_agreement([[1, 1, 2], [1, 2, 2]])
0.6666666666666666
>>> round(cohen_kappa(["ja", "nej", "ja", "ja"], ["ja", "nej", "nej", "ja"]), 3)
0.5
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Hashable, Iterable, Sequence
from itertools import combinations
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = [
    "LEVELS",
    "UndefinedAgreementWarning",
    "bootstrap_ci",
    "brennan_prediger",
    "cohen_kappa",
    "fleiss_kappa",
    "gwet_ac1",
    "jaccard_distance",
    "krippendorff_alpha",
    "masi_distance",
    "percent_agreement",
    "scott_pi",
]

LEVELS = ("nominal", "ordinal", "interval", "ratio", "masi", "jaccard")
"""Levels of measurement accepted by :func:`krippendorff_alpha`."""

Weights = Literal["linear", "quadratic"] | None
_EPS = 1e-12


class UndefinedAgreementWarning(RuntimeWarning):
    """A coefficient is undefined for the given data; NaN was returned."""


# ----------------------------------------------------------------------------- input handling


def _matrix(data: Any, name: str = "data") -> np.ndarray:
    """``data`` as a 2-D object array (coders x units), elements untouched."""
    if isinstance(data, pd.DataFrame):
        return data.to_numpy(dtype=object)
    if isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise ValueError(f"{name} must be 2-D (coders x units), got {data.ndim}-D array")
        return data if data.dtype == object else data.astype(object)
    if isinstance(data, (str, bytes, pd.Series)) or not isinstance(data, Iterable):
        raise TypeError(
            f"{name} must be a list of lists, a 2-D array or a DataFrame (one row per coder), "
            f"got {type(data).__name__}"
        )
    rows = []
    for i, row in enumerate(data):
        if isinstance(row, (str, bytes, set, frozenset, dict)) or not isinstance(row, Iterable):
            raise ValueError(
                f"{name}[{i}] must be a sequence of values (one per unit), got {type(row).__name__}"
            )
        rows.append(list(row))
    lengths = {len(r) for r in rows}
    if len(lengths) > 1:
        raise ValueError(f"{name}: coders have different numbers of units: {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    out = np.empty((len(rows), n), dtype=object)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            out[i, j] = value
    return out


def _missing(arr: np.ndarray) -> np.ndarray:
    return np.asarray(pd.isna(arr), dtype=bool)


def _scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _sorted_unique(values: Iterable[Hashable]) -> list:
    unique = set(values)
    try:
        return sorted(unique)
    except TypeError:
        return sorted(unique, key=lambda v: (type(v).__name__, str(v)))


def _encode(
    arr: np.ndarray, categories: Sequence | None, name: str
) -> tuple[np.ndarray, list]:
    """Integer codes (-1 = missing) and the category list."""
    mask = _missing(arr)
    present = [_scalar(v) for v in arr[~mask]]
    try:
        if categories is None:
            cats = _sorted_unique(present)
            texts = {c for c in cats if isinstance(c, str)}
            clash = [c for c in cats if not isinstance(c, str) and str(c) in texts]
            if clash:
                warnings.warn(f"{name}: values mix text and numbers ({str(clash[0])!r} and {clash[0]!r} are "
                              "different categories); convert them to one type", UserWarning, stacklevel=3)
        else:
            if isinstance(categories, (str, bytes)):
                raise TypeError("categories must be a sequence of values, not a string")
            cats = [_scalar(c) for c in categories]
            if len(set(cats)) != len(cats):
                raise ValueError(f"{name}: categories contain duplicates: {cats}")
        index = {c: i for i, c in enumerate(cats)}
        codes = np.full(arr.shape, -1, dtype=np.intp)
        try:
            codes[~mask] = [index[v] for v in present]
        except KeyError as exc:
            raise ValueError(
                f"{name}: value {exc.args[0]!r} is not in categories {cats}"
            ) from None
    except TypeError as exc:
        if "unhashable" in str(exc):
            raise TypeError(
                f"{name}: values must be hashable categories; for set-valued codes use "
                "krippendorff_alpha(data, level='masi')"
            ) from None
        raise
    return codes, cats


def _counts(codes: np.ndarray, q: int) -> np.ndarray:
    """units x categories matrix: how many coders put unit i in category k."""
    counts = np.zeros((codes.shape[1], q))
    rows, cols = np.nonzero(codes >= 0)
    np.add.at(counts, (cols, codes[rows, cols]), 1.0)
    return counts


def _weights(q: int, weights: Weights) -> np.ndarray:
    if weights is None:
        return np.eye(q)
    if weights not in ("linear", "quadratic"):
        raise ValueError(f"weights must be None, 'linear' or 'quadratic', got {weights!r}")
    if q < 2:
        return np.ones((q, q))
    pos = np.arange(q)
    dist = np.abs(pos[:, None] - pos[None, :]) / (q - 1)
    return 1.0 - dist if weights == "linear" else 1.0 - dist**2


def _undefined(name: str, reason: str) -> float:
    warnings.warn(
        f"{name} is undefined: {reason}; returning NaN", UndefinedAgreementWarning, stacklevel=3
    )
    return math.nan


def _prepare(data: Any, categories: Sequence | None, weights: Weights, name: str):
    arr = _matrix(data)
    codes, cats = _encode(arr, categories, name)
    q = len(cats)
    return _counts(codes, q), _weights(q, weights), q, arr.shape[0]


def _observed(counts: np.ndarray, w: np.ndarray) -> float:
    """Gwet's observed (weighted) agreement over units with at least two values."""
    r = counts.sum(axis=1)
    two = r >= 2
    if not two.any():
        return math.nan
    c, rr = counts[two], r[two]
    agree = (c * (c @ w.T - 1.0)).sum(axis=1) / (rr * (rr - 1.0))
    return float(agree.mean())


def _prevalence(counts: np.ndarray) -> np.ndarray:
    """Category prevalence averaged over units with at least one value (Gwet 2014)."""
    r = counts.sum(axis=1)
    one = r >= 1
    return (counts[one] / r[one, None]).mean(axis=0)


def _corrected(pa: float, pe: float, name: str) -> float:
    if math.isnan(pa):
        return _undefined(name, "no unit was coded by at least two coders")
    if 1.0 - pe < _EPS:
        return _undefined(name, "expected agreement is 1 (all values in one category)")
    return float((pa - pe) / (1.0 - pe))


def _check_coders(m: int, name: str) -> bool:
    if m < 2:
        _undefined(name, f"needs at least two coders, got {m}")
        return False
    return True


# ----------------------------------------------------------------------------- coefficients


def percent_agreement(
    data: Any, weights: Weights = None, categories: Sequence | None = None
) -> float:
    """Share of agreeing coder pairs, averaged over units (Gwet 2014; irrCAC ``pa.coeff.raw``).

    Missing values: units with fewer than two values are ignored; within a unit every pair of
    its coders counts. With two coders and no missing values this is the share of units coded
    identically.

    >>> percent_agreement([[1, 2, 3, None], [1, 2, 1, 4]])
    0.6666666666666666
    """
    counts, w, _q, m = _prepare(data, categories, weights, "percent agreement")
    if not _check_coders(m, "percent agreement"):
        return math.nan
    pa = _observed(counts, w)
    if math.isnan(pa):
        return _undefined("percent agreement", "no unit was coded by at least two coders")
    return pa


def fleiss_kappa(data: Any, weights: Weights = None, categories: Sequence | None = None) -> float:
    """Fleiss' (1971) kappa for any number of coders, generalised to missing values (Gwet 2014).

    Missing values: observed agreement over units with at least two values; category
    prevalences averaged over units with at least one value (as irrCAC ``fleiss.kappa.raw``).

    >>> round(fleiss_kappa([[1, 1, 2, 2], [1, 1, 2, 1], [1, 2, 2, 2]]), 3)
    0.333
    """
    counts, w, _q, m = _prepare(data, categories, weights, "Fleiss' kappa")
    if not _check_coders(m, "Fleiss' kappa"):
        return math.nan
    pa = _observed(counts, w)
    if math.isnan(pa):
        return _undefined("Fleiss' kappa", "no unit was coded by at least two coders")
    pi = _prevalence(counts)
    return _corrected(pa, float(pi @ w @ pi), "Fleiss' kappa")


def scott_pi(data: Any, weights: Weights = None, categories: Sequence | None = None) -> float:
    """Scott's (1955) pi, for any number of coders.

    Chance agreement comes from the pooled distribution of all values in units with at least
    two values; observed agreement as in :func:`percent_agreement`. Without missing values it
    equals :func:`fleiss_kappa` (Fleiss 1971 generalised Scott's pi to many coders).

    >>> round(scott_pi([[1, 1, 2, 2], [1, 2, 2, 2]]), 3)
    0.467
    """
    counts, w, _q, m = _prepare(data, categories, weights, "Scott's pi")
    if not _check_coders(m, "Scott's pi"):
        return math.nan
    pa = _observed(counts, w)
    if math.isnan(pa):
        return _undefined("Scott's pi", "no unit was coded by at least two coders")
    pairable = counts[counts.sum(axis=1) >= 2]
    pi = pairable.sum(axis=0) / pairable.sum()
    return _corrected(pa, float(pi @ w @ pi), "Scott's pi")


def gwet_ac1(data: Any, weights: Weights = None, categories: Sequence | None = None) -> float:
    """Gwet's AC1 (AC2 when weighted), any number of coders (Gwet 2008, 2014).

    Chance agreement ``T_w / (q (q - 1)) * sum_k pi_k (1 - pi_k)`` with ``T_w`` the sum of the
    weights and ``q`` the number of categories, so pass ``categories`` when some category was
    never used (e.g. ``[0, 1]`` for a theme nobody coded). Missing values as in
    :func:`fleiss_kappa`. Undefined (NaN) with fewer than two categories.

    >>> round(gwet_ac1([[0, 0, 0, 1], [0, 0, 0, 0]], categories=[0, 1]), 3)
    0.68
    """
    counts, w, q, m = _prepare(data, categories, weights, "Gwet's AC1")
    if not _check_coders(m, "Gwet's AC1"):
        return math.nan
    pa = _observed(counts, w)
    if math.isnan(pa):
        return _undefined("Gwet's AC1", "no unit was coded by at least two coders")
    if q < 2:
        return _undefined("Gwet's AC1", "fewer than two categories (pass categories=...)")
    pi = _prevalence(counts)
    pe = w.sum() * float((pi * (1.0 - pi)).sum()) / (q * (q - 1))
    return _corrected(pa, pe, "Gwet's AC1")


def brennan_prediger(
    data: Any, weights: Weights = None, categories: Sequence | None = None
) -> float:
    """Brennan & Prediger's (1981) coefficient: chance agreement ``T_w / q**2`` (``1/q`` unweighted).

    Depends on the number of categories ``q``; pass ``categories`` to include unused ones.
    Missing values as in :func:`percent_agreement`.

    >>> brennan_prediger([[0, 0, 1, 1], [0, 0, 1, 0]], categories=[0, 1])
    0.5
    """
    counts, w, q, m = _prepare(data, categories, weights, "Brennan-Prediger")
    if not _check_coders(m, "Brennan-Prediger"):
        return math.nan
    pa = _observed(counts, w)
    if math.isnan(pa):
        return _undefined("Brennan-Prediger", "no unit was coded by at least two coders")
    if q < 2:
        return _undefined("Brennan-Prediger", "fewer than two categories (pass categories=...)")
    return _corrected(pa, float(w.sum()) / q**2, "Brennan-Prediger")


def cohen_kappa(
    a: Any,
    b: Any = None,
    weights: Weights = None,
    categories: Sequence | None = None,
) -> float:
    """Cohen's (1960) kappa for two coders; weighted kappa (Cohen 1968) with ``weights``.

    ``a`` and ``b`` are the two coders' values per unit; alternatively pass a 2 x units
    ``data`` matrix as ``a`` alone (so the function works with :func:`bootstrap_ci`).
    Missing values: units where either coder is missing are dropped. Weighted kappa equals
    scikit-learn's ``cohen_kappa_score(weights=...)`` on the same categories.

    >>> cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0])
    0.5
    """
    if b is None:
        arr = _matrix(a)
    else:
        arr = _matrix([list(_as_row(a, "a")), list(_as_row(b, "b"))])
    if arr.shape[0] != 2:
        raise ValueError(f"Cohen's kappa needs exactly two coders, got {arr.shape[0]}")
    codes, cats = _encode(arr, categories, "Cohen's kappa")
    both = (codes >= 0).all(axis=0)
    n = int(both.sum())
    if n == 0:
        return _undefined("Cohen's kappa", "no unit was coded by both coders")
    q = len(cats)
    w = _weights(q, weights)
    table = np.zeros((q, q))
    np.add.at(table, (codes[0, both], codes[1, both]), 1.0)
    table /= n
    po = float((w * table).sum())
    pe = float((w * np.outer(table.sum(axis=1), table.sum(axis=0))).sum())
    return _corrected(po, pe, "Cohen's kappa")


def _as_row(values: Any, name: str) -> Iterable:
    if isinstance(values, (pd.DataFrame, str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a 1-D sequence of values, got {type(values).__name__}")
    if isinstance(values, np.ndarray) and values.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got {values.ndim}-D array")
    return values


# ----------------------------------------------------------------------------- Krippendorff


def masi_distance(a: frozenset, b: frozenset) -> float:
    """MASI distance (Passonneau 2006) between two sets; 0 for two empty sets.

    ``1 - J * M`` with ``J`` the Jaccard index and ``M`` 1 (equal), 2/3 (one a subset of the
    other), 1/3 (overlap) or 0 (disjoint), as in NLTK's ``masi_distance``.

    >>> round(masi_distance(frozenset({1, 2}), frozenset({1, 2, 3, 4})), 4)
    0.6667
    """
    if a == b:
        return 0.0
    inter, union = len(a & b), len(a | b)
    if inter == 0:
        return 1.0
    m = 2 / 3 if inter == min(len(a), len(b)) else 1 / 3
    return 1.0 - inter / union * m


def jaccard_distance(a: frozenset, b: frozenset) -> float:
    """Jaccard distance ``1 - |a & b| / |a | b|``; 0 for two empty sets.

    >>> jaccard_distance(frozenset({1, 2}), frozenset({2, 3}))
    0.6666666666666667
    """
    union = len(a | b)
    return 0.0 if union == 0 else 1.0 - len(a & b) / union


_SET_DISTANCES: dict[str, Callable[[frozenset, frozenset], float]] = {
    "masi": masi_distance,
    "jaccard": jaccard_distance,
}


def _as_set(value: Any) -> frozenset:
    if isinstance(value, (set, frozenset)):
        return frozenset(value)
    if isinstance(value, str):
        return frozenset(s.strip() for s in value.split(";") if s.strip())
    if isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        return frozenset(_scalar(v) for v in value)
    return frozenset({_scalar(value)})


def _set_codes(arr: np.ndarray) -> tuple[np.ndarray, list[frozenset]]:
    mask = np.array([[v is None or (not _is_container(v) and bool(pd.isna(v))) for v in row]
                     for row in arr], dtype=bool).reshape(arr.shape)
    index: dict[frozenset, int] = {}
    codes = np.full(arr.shape, -1, dtype=np.intp)
    for (i, j), value in np.ndenumerate(arr):
        if not mask[i, j]:
            codes[i, j] = index.setdefault(_as_set(value), len(index))
    return codes, list(index)


def _is_container(value: Any) -> bool:
    return isinstance(value, (set, frozenset, list, tuple, np.ndarray, pd.Series, str))


def _set_alpha(codes: np.ndarray, dist: np.ndarray) -> float:
    """Krippendorff's alpha from integer-coded values (-1 = missing) and a distance matrix."""
    m = (codes >= 0).sum(axis=0)
    pairable = m >= 2
    if not pairable.any():
        return _undefined("Krippendorff's alpha", "no unit was coded by at least two coders")
    c, mu = codes[:, pairable], m[pairable].astype(float)
    n = mu.sum()
    pair_sum = np.zeros(c.shape[1])
    for i, j in combinations(range(c.shape[0]), 2):
        ok = (c[i] >= 0) & (c[j] >= 0)
        pair_sum[ok] += dist[c[i, ok], c[j, ok]]
    observed = float((2.0 * pair_sum / (mu - 1.0)).sum() / n)
    totals = np.bincount(c[c >= 0], minlength=dist.shape[0]).astype(float)
    expected = float(totals @ dist @ totals / (n * (n - 1.0)))
    if expected < _EPS:
        return _undefined("Krippendorff's alpha", "all pairable values are identical")
    return 1.0 - observed / expected


def krippendorff_alpha(
    data: Any,
    level: str = "nominal",
    *,
    categories: Sequence | None = None,
) -> float:
    """Krippendorff's alpha (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability").

    ``level`` is ``"nominal"``, ``"ordinal"``, ``"interval"``, ``"ratio"`` (computed with the
    ``krippendorff`` package) or set-valued ``"masi"`` / ``"jaccard"``, where each value is a set
    of codes (a set, list or tuple, or a ``;``-joined string); an empty set is a real value
    ("coded, no theme"), distinct from a missing value. ``categories`` orders the values for
    ``"ordinal"`` (default: sorted). Missing values: units with fewer than two values are
    not pairable and are ignored.

    >>> krippendorff_alpha([[1, 1, 2, None], [1, 1, 2, 2]])
    1.0
    >>> round(krippendorff_alpha([[{"a"}, {"a", "b"}, set()], [{"a"}, {"b"}, set()]],
    ...                          level="masi"), 3)
    0.722
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    arr = _matrix(data)
    name = "Krippendorff's alpha"
    if arr.shape[0] < 2:
        return _undefined(name, f"needs at least two coders, got {arr.shape[0]}")
    if level in _SET_DISTANCES:
        if categories is not None:
            raise ValueError(f"categories is not used with level={level!r}")
        codes, values = _set_codes(arr)
        fn = _SET_DISTANCES[level]
        dist = np.array([[fn(a, b) for b in values] for a in values]).reshape(
            len(values), len(values)
        )
        return _set_alpha(codes, dist)

    if level in ("interval", "ratio"):
        if categories is not None:
            raise ValueError(f"categories is only used with nominal/ordinal levels, not {level!r}")
        mask = _missing(arr)
        try:
            values = np.where(mask, np.nan, arr).astype(float)
        except (TypeError, ValueError):
            bad = next(v for v in arr[~mask] if not _is_number(v))
            raise ValueError(f"level={level!r} needs numeric values, got {bad!r}") from None
        domain = np.unique(values[~np.isnan(values)])
    else:
        codes, cats = _encode(arr, categories, name)
        values = np.where(codes >= 0, codes, -1).astype(float)
        values[codes < 0] = np.nan
        domain = np.arange(len(cats), dtype=float)

    present = ~np.isnan(values)
    pairable = present.sum(axis=0) >= 2
    if not pairable.any():
        return _undefined(name, "no unit was coded by at least two coders")
    if np.unique(values[:, pairable][present[:, pairable]]).size < 2:
        return _undefined(name, "all pairable values are identical")
    import krippendorff

    with np.errstate(divide="ignore", invalid="ignore"):
        result = float(
            krippendorff.alpha(
                reliability_data=values, value_domain=domain, level_of_measurement=level
            )
        )
    if not math.isfinite(result):
        return _undefined(name, f"the {level} distance is undefined for these values")
    return result


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, (str, bytes))


# ----------------------------------------------------------------------------- bootstrap


def bootstrap_ci(
    metric: Callable[..., float],
    data: Any,
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    cluster: Sequence | None = None,
    random_state: int | None = 0,
    **metric_kwargs: Any,
) -> tuple[float, float, float]:
    """Percentile bootstrap confidence interval: ``(estimate, low, high)``.

    Resamples units (columns of ``data``) with replacement, or whole clusters when ``cluster``
    gives a cluster label per unit (e.g. the interview of each segment, so that segments of
    one interview stay together). ``metric(resampled_data, **metric_kwargs)`` is any function of
    a coders x units matrix, such as those in this module. Resamples where the metric is
    undefined are dropped (with a warning saying how many).

    >>> data = [[1, 1, 0, 0, 1, 0], [1, 0, 0, 0, 1, 0]]
    >>> est, low, high = bootstrap_ci(percent_agreement, data, n_boot=200)
    >>> round(est, 3), low <= est <= high
    (0.833, True)
    """
    if not callable(metric):
        raise TypeError(f"metric must be callable, got {type(metric).__name__}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise ValueError(f"n_boot must be a positive integer, got {n_boot!r}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    arr = _matrix(data)
    n = arr.shape[1]
    estimate = float(metric(arr, **metric_kwargs))
    if n == 0:
        return estimate, math.nan, math.nan
    if cluster is None:
        groups = [np.array([j]) for j in range(n)]
    else:
        labels = np.asarray(list(cluster), dtype=object)
        if labels.shape != (n,):
            raise ValueError(f"cluster must have one label per unit ({n}), got {labels.shape[0]}")
        codes, _ = pd.factorize(pd.Series(labels, dtype=object))
        if (codes < 0).any():
            raise ValueError("cluster labels must not be missing")
        groups = [np.flatnonzero(codes == g) for g in range(codes.max() + 1)]
    rng = np.random.default_rng(random_state)
    reps = np.empty(n_boot)
    n_groups = len(groups)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedAgreementWarning)
        for b in range(n_boot):
            pick = rng.integers(0, n_groups, size=n_groups)
            idx = pick if cluster is None else np.concatenate([groups[g] for g in pick])
            reps[b] = float(metric(arr[:, idx], **metric_kwargs))
    ok = reps[np.isfinite(reps)]
    if ok.size < n_boot:
        warnings.warn(
            f"metric undefined in {n_boot - ok.size} of {n_boot} bootstrap resamples; "
            "they were dropped",
            UndefinedAgreementWarning,
            stacklevel=2,
        )
    if ok.size == 0:
        return estimate, math.nan, math.nan
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(ok, [tail, 1.0 - tail])
    return estimate, float(low), float(high)
