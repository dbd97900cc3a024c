"""Atomic writing of result tables and files.

Example:
    >>> write_table(df, "out/segments.xlsx")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

TABLE_SUFFIXES = (".csv", ".xlsx", ".parquet")


@contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path beside ``path``; move it into place only if the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        if os.path.exists(tmp):  # mkstemp makes files private (0600): give the usual permissions
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def check_output_path(path: str | Path, suffixes: tuple[str, ...] = TABLE_SUFFIXES) -> Path:
    """Fail early, with a clear message, on an output path that cannot be written.

    Example:
        >>> check_output_path("out/kodet.json")  # doctest: +SKIP
        ValueError: out/kodet.json: unsupported output type '.json'; use one of .csv, .xlsx, .parquet
    """
    target = Path(path)
    if target.suffix.lower() not in suffixes:
        raise ValueError(f"{target}: unsupported output type {target.suffix or '(none)'!r}; "
                         f"use one of {', '.join(suffixes)}")
    if target.is_dir():
        raise ValueError(f"{target}: is a folder; give a file name")
    parent = next((q for q in target.parents if q.exists()), Path("."))
    if not parent.is_dir():
        raise ValueError(f"{target}: {parent} is a file, not a folder")
    return target


def write_text(text: str, path: str | Path) -> Path:
    """Write UTF-8 text atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def _excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype).startswith("string"):
            out[col] = out[col].map(lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple, set)) else v)
    return out


def write_table(df: pd.DataFrame, path: str | Path, *, sheet_name: str = "segments") -> Path:
    """Write ``df`` atomically as CSV (UTF-8 with BOM, so Excel shows æøå), XLSX or Parquet."""
    target = check_output_path(path)
    suffix = target.suffix.lower()
    writers: dict[str, Callable[[Path], None]] = {
        ".csv": lambda p: df.to_csv(p, index=False, encoding="utf-8-sig"),
        ".xlsx": lambda p: _excel_safe(df).to_excel(p, index=False, sheet_name=sheet_name),
        ".parquet": lambda p: df.to_parquet(p, index=False),
    }
    with atomic_path(target) as tmp:
        writers[suffix](tmp)
    return target


def write_sheets(sheets: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """Write several tables as the sheets of one Excel workbook, atomically."""
    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            _excel_safe(frame).to_excel(writer, sheet_name=name[:31], index=False)
    return Path(path)
