"""Coding tables: which themes each segment is coded with.

Two shapes are used throughout temaer:

* **long**: columns ``segment_id, theme`` (plus optional extras such as
  ``coder`` or ``note``), one row per (segment, theme). A segment coded with
  *no* theme appears once with an empty theme ``""``. Segments that are absent
  were not coded at all.
* **wide**: index ``segment_id``, one 0/1 column per theme id. A row of zeros is
  a segment coded with no theme; a row of NaN is a segment not coded.

>>> long = pd.DataFrame({"segment_id": ["s1", "s1", "s2"],
...                      "theme": ["roller", "opgaver", ""]})
>>> to_wide(long, ["roller", "opgaver"]).to_dict("index")
{'s1': {'roller': 1, 'opgaver': 1}, 's2': {'roller': 0, 'opgaver': 0}}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from temaer.codebook import Codebook

__all__ = ["CodingError", "coded_segment_ids", "read_coding", "to_long", "to_wide"]

SEGMENT = "segment_id"
THEME = "theme"


class CodingError(ValueError):
    """A coding table is malformed or uses theme ids outside the codebook."""


def read_coding(
    source: str | Path | pd.DataFrame,
    *,
    codebook: Codebook | Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read and validate a coding table, returning normalised long format.

    ``source`` is a ``.csv`` (comma or semicolon separated), ``.xlsx`` or
    ``.parquet`` file, or a DataFrame, in long format (has a ``theme`` column)
    or wide format (a ``segment_id`` column or index plus one 0/1 or bool
    column per theme id; other columns such as ``p_roller``, ``themes`` or
    ``text`` are ignored). Theme ids are checked against ``codebook`` (a
    :class:`Codebook` or a list of ids; default: the shipped codebook).

    The result has ``segment_id`` and ``theme`` as strings (``""`` = coded
    with no theme) plus any extra long-format columns; duplicate
    (segment_id, theme) rows are dropped (per ``coder`` if that column exists)
    and an empty-theme row is dropped when the segment also has themes.

    Errors name the source and the row: for CSV/Excel files the spreadsheet
    row (header = row 1), for DataFrames and Parquet files the index label.

    >>> read_coding(pd.DataFrame({"segment_id": [1, 2], "roller": [1, 0],
    ...                           "text": ["a", "b"]})).to_dict("list")
    {'segment_id': ['1', '2'], 'theme': ['roller', '']}
    """
    ids = _theme_ids(Codebook.load() if codebook is None else codebook)
    frame, name, spreadsheet = _read_frame(source)
    rows = pd.RangeIndex(2, len(frame) + 2) if spreadsheet else frame.index

    if SEGMENT not in frame.columns:
        if frame.index.name == SEGMENT:
            frame = frame.reset_index()
        else:
            raise CodingError(f"{name}: no {SEGMENT!r} column (columns: {list(frame.columns)})")
    frame = frame.set_axis(rows, axis=0)
    frame[SEGMENT] = _segment_ids(frame[SEGMENT], name)

    if THEME in frame.columns:
        return _normalise_long(frame, ids, name)
    present = [t for t in ids if t in frame.columns]
    if not present:
        raise CodingError(
            f"{name}: neither a {THEME!r} column (long format) nor any theme "
            f"column (wide format; theme ids: {', '.join(ids)})"
        )
    return _wide_to_long(frame.set_index(SEGMENT), present, name, rows=rows)


def to_wide(
    coding: pd.DataFrame,
    themes: Codebook | Sequence[str],
    segments: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Long coding -> wide 0/1 table indexed by ``segment_id``, one column per theme.

    Rows are sorted by segment id, or follow ``segments`` when given; segments
    in ``segments`` but absent from ``coding`` become NaN rows (not coded), so
    the columns are float in that case and int otherwise. Coded segments not in
    ``segments`` are dropped.

    >>> long = pd.DataFrame({"segment_id": ["b", "a"], "theme": ["roller", ""]})
    >>> to_wide(long, ["roller"], segments=["a", "b", "c"])["roller"].tolist()
    [0.0, 1.0, nan]
    """
    ids = _theme_ids(themes)
    for col in (SEGMENT, THEME):
        if col not in coding.columns:
            raise CodingError(f"long coding table has no {col!r} column")
    seg = coding[SEGMENT].astype(str)
    theme = coding[THEME].fillna("").astype(str).str.strip()
    unknown = sorted(set(theme) - set(ids) - {""})
    if unknown:
        raise CodingError(f"theme(s) {unknown} not in themes {list(ids)}")

    hit = theme.ne("")
    wide = (
        pd.crosstab(seg[hit], theme[hit])
        .clip(upper=1)
        .reindex(index=sorted(set(seg)), columns=list(ids), fill_value=0)
        .astype(int)
    )
    if segments is not None:
        order = [str(s) for s in segments]
        if len(set(order)) != len(order):
            raise CodingError("segments contains duplicate ids")
        wide = wide.reindex(order)
    wide.index.name, wide.columns.name = SEGMENT, None
    return wide


def to_long(wide: pd.DataFrame, themes: Codebook | Sequence[str] | None = None) -> pd.DataFrame:
    """Wide 0/1 table -> long ``segment_id, theme`` table (inverse of :func:`to_wide`).

    ``wide`` is indexed by ``segment_id`` (or has such a column); ``themes``
    selects the theme columns (default: all other columns). All-zero rows give
    one empty-theme row; all-NaN rows (not coded) are dropped.

    >>> wide = pd.DataFrame({"roller": [1, 0]}, index=pd.Index(["a", "b"], name="segment_id"))
    >>> to_long(wide).to_dict("list")
    {'segment_id': ['a', 'b'], 'theme': ['roller', '']}
    """
    if SEGMENT in wide.columns:
        wide = wide.set_index(SEGMENT)
    ids = list(wide.columns) if themes is None else list(_theme_ids(themes))
    missing = [t for t in ids if t not in wide.columns]
    if missing:
        raise CodingError(f"wide coding table has no column for theme(s) {missing}")
    wide = wide.set_axis(_segment_ids(pd.Series(wide.index, index=wide.index), "wide table"))
    return _wide_to_long(wide, ids, "wide table")


def coded_segment_ids(coding: pd.DataFrame) -> set[str]:
    """Ids of all segments present in a long coding table (with or without themes)."""
    return set(coding[SEGMENT].astype(str))


# -- helpers -----------------------------------------------------------------


def _theme_ids(themes: Codebook | Sequence[str]) -> tuple[str, ...]:
    if isinstance(themes, Codebook):
        return themes.ids
    if isinstance(themes, str):
        raise TypeError("themes must be a Codebook or a sequence of theme ids, not a string")
    return tuple(themes)


def _read_frame(source: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, str, bool]:
    """Return (frame, name for messages, whether rows are spreadsheet rows)."""
    if isinstance(source, pd.DataFrame):
        return source.copy(), "<DataFrame>", False
    path = Path(source)
    suffix = path.suffix.lower()
    text_cols = {SEGMENT: str, THEME: str}
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig") as fh:
            header = fh.readline()
        sep = ";" if header.count(";") > header.count(",") else ","
        try:
            return pd.read_csv(path, sep=sep, dtype=text_cols, encoding="utf-8-sig"), str(path), True
        except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise CodingError(f"{path}: not a readable coding table ({str(exc).strip() or 'empty file'})") from None
    if suffix in {".xlsx", ".xlsm", ".xls"}:
        return pd.read_excel(path, dtype=text_cols), str(path), True
    if suffix == ".parquet":
        return pd.read_parquet(path), str(path), False
    raise CodingError(f"{path}: unsupported file type {suffix!r} (use .csv, .xlsx or .parquet)")


def _segment_ids(values: pd.Series, name: str) -> pd.Series:
    """Segment ids as stripped strings; integer-valued floats lose their '.0'."""
    if pd.api.types.is_float_dtype(values) and values.dropna().mod(1).eq(0).all():
        values = values.astype("Int64")
    missing = values.isna()
    out = values.astype(object).where(~missing, "").astype(str).str.strip()
    empty = out.eq("")
    if empty.any():
        raise CodingError(f"{name}, row {out.index[empty][0]}: empty {SEGMENT}")
    return out


def _normalise_long(frame: pd.DataFrame, ids: Sequence[str], name: str) -> pd.DataFrame:
    theme = frame[THEME]
    theme = theme.astype(object).where(theme.notna(), "").astype(str).str.strip()
    bad = ~theme.isin([*ids, ""])
    if bad.any():
        row = theme.index[bad][0]
        raise CodingError(
            f"{name}, row {row}: unknown theme {theme[row]!r} (known: {', '.join(ids)})"
        )
    frame[THEME] = theme
    key = [SEGMENT, "coder"] if "coder" in frame.columns else [SEGMENT]
    has_theme = (
        frame[THEME]
        .ne("")
        .groupby([frame[k] for k in key], dropna=False)
        .transform("any")
        .astype(bool)
    )
    frame = frame[frame[THEME].ne("") | ~has_theme]
    frame = frame.drop_duplicates([*key, THEME])
    cols = [SEGMENT, THEME, *(c for c in frame.columns if c not in (SEGMENT, THEME))]
    return frame[cols].reset_index(drop=True)


def _wide_to_long(
    wide: pd.DataFrame, ids: Sequence[str], name: str, rows: Sequence | None = None
) -> pd.DataFrame:
    """``wide`` is indexed by string segment ids; ``ids`` are its theme columns;
    ``rows`` are row labels for error messages."""
    values = wide[list(ids)].astype(object)
    numeric = values.apply(pd.to_numeric, errors="coerce").astype(float)
    invalid = (values.notna() & ~numeric.isin([0.0, 1.0])).to_numpy()
    if invalid.any():
        r, c = (int(a[0]) for a in invalid.nonzero())
        where = f"segment {wide.index[r]!r}" if rows is None else f"row {rows[r]}"
        raise CodingError(
            f"{name}, {where}, column {ids[c]!r}: expected 0/1 or bool, got {values.iat[r, c]!r}"
        )
    coded = numeric.notna().any(axis=1)
    numeric = numeric[coded].fillna(0.0)
    if numeric.index.has_duplicates:
        numeric = numeric.groupby(level=0, sort=False).max()
    numeric.index.name = SEGMENT
    stacked = numeric.stack()
    long = stacked[stacked.eq(1.0)].reset_index().iloc[:, :2]
    long.columns = [SEGMENT, THEME]
    empty = numeric.index[numeric.sum(axis=1).eq(0)]
    long = pd.concat([long, pd.DataFrame({SEGMENT: empty, THEME: ""})], ignore_index=True)
    order = {s: i for i, s in enumerate(numeric.index)}
    long = long.sort_values(SEGMENT, key=lambda s: s.map(order), kind="stable")
    return long.astype({SEGMENT: str, THEME: str}).reset_index(drop=True)
