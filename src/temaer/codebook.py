"""Codebooks: the themes a segment can be coded with.

A codebook is a YAML file with a ``name``, optional ``version``, ``language``,
``description`` and ``rules``, and a non-empty list of ``themes`` (each with an
``id``, a ``label`` and optionally ``description``, ``include``, ``exclude`` and
``examples``). The shipped default is the mandate codebook
``temaer/codebooks/kommissorium.yaml`` (seven themes from the commission).

>>> cb = Codebook.load()
>>> cb.ids[:2]
('roller', 'opgaver')
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

__all__ = ["DEFAULT_CODEBOOK", "Codebook", "CodebookError", "Theme"]

DEFAULT_CODEBOOK = "kommissorium"
"""Name of the shipped default codebook (``temaer/codebooks/<name>.yaml``)."""

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

_TOP_KEYS = {"name", "version", "language", "description", "rules", "themes"}
_THEME_KEYS = {"id", "label", "description", "include", "exclude", "examples"}
_LIST_KEYS = ("include", "exclude", "examples")


class CodebookError(ValueError):
    """A codebook file or mapping does not follow the codebook schema."""


@dataclass(frozen=True)
class Theme:
    """One theme of a codebook.

    >>> Theme("roller", "Primære roller").label
    'Primære roller'
    """

    id: str
    label: str
    description: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Codebook:
    """An ordered, validated set of themes.

    Build one with :meth:`load` (a YAML file, or the shipped default) or
    :meth:`from_dict`. Iterating yields :class:`Theme` objects in order.

    >>> cb = Codebook.load()
    >>> len(cb), cb.theme("roller").label
    (7, 'Primære roller i hospitalernes afdelinger')
    """

    name: str
    themes: tuple[Theme, ...]
    version: int | str = 1
    language: str = "da"
    description: str = ""
    rules: tuple[str, ...] = ()
    source: str = field(default="<dict>", compare=False, repr=False)

    # -- construction -----------------------------------------------------

    @classmethod
    def load(cls, path: str | Path | None = None) -> Codebook:
        """Load a codebook YAML file; the shipped default when ``path`` is None.

        Raises :class:`CodebookError` (naming the file) on invalid YAML or
        schema violations, :class:`FileNotFoundError` if ``path`` is missing.

        >>> Codebook.load().name
        'kommissorium'
        """
        if path is None:
            resource = files("temaer") / "codebooks" / f"{DEFAULT_CODEBOOK}.yaml"
            text, source = resource.read_text(encoding="utf-8"), str(resource)
        else:
            path = Path(path)
            text, source = path.read_text(encoding="utf-8"), str(path)
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise CodebookError(f"{source}: invalid YAML: {exc}") from exc
        return cls.from_dict(data, source=source)

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "<dict>") -> Codebook:
        """Validate a parsed codebook mapping and build a :class:`Codebook`.

        >>> Codebook.from_dict({"name": "x", "themes": [{"id": "a", "label": "A"}]}).ids
        ('a',)
        """

        def fail(problem: str) -> CodebookError:
            return CodebookError(f"{source}: {problem}")

        if not isinstance(data, Mapping):
            raise fail(f"expected a mapping at top level, got {type(data).__name__}")
        _check_keys(
            data, required={"name", "themes"}, allowed=_TOP_KEYS, where="top level", fail=fail
        )
        name = _text(data["name"], "name", fail, required=True)
        version = data.get("version", 1)
        if isinstance(version, bool) or not isinstance(version, int | str):
            raise fail(f"'version' must be an integer or string, got {type(version).__name__}")
        language = _text(data.get("language", "da"), "language", fail, required=True)
        description = _text(data.get("description", ""), "description", fail)
        rules = _texts(data.get("rules", []), "rules", fail)

        raw_themes = data["themes"]
        if not isinstance(raw_themes, list):
            raise fail(f"'themes' must be a list, got {type(raw_themes).__name__}")
        if not raw_themes:
            raise fail("'themes' is empty: a codebook needs at least one theme")
        themes: list[Theme] = []
        seen: set[str] = set()
        for i, raw in enumerate(raw_themes):
            where = f"themes[{i}]"
            if not isinstance(raw, Mapping):
                raise fail(f"{where} must be a mapping, got {type(raw).__name__}")
            if isinstance(raw.get("id"), str):
                where = f"themes[{i}] ({raw['id']!r})"
            _check_keys(raw, required={"id", "label"}, allowed=_THEME_KEYS, where=where, fail=fail)
            theme_id = _text(raw["id"], f"{where}.id", fail, required=True)
            if not ID_PATTERN.match(theme_id):
                raise fail(
                    f"{where}.id {theme_id!r} must match {ID_PATTERN.pattern} "
                    "(lowercase letters, digits, underscore)"
                )
            if theme_id in seen:
                raise fail(f"duplicate theme id {theme_id!r} at {where}")
            seen.add(theme_id)
            themes.append(
                Theme(
                    id=theme_id,
                    label=_text(raw["label"], f"{where}.label", fail, required=True),
                    description=_text(raw.get("description", ""), f"{where}.description", fail),
                    **{k: _texts(raw.get(k, []), f"{where}.{k}", fail) for k in _LIST_KEYS},
                )
            )
        return cls(
            name=name,
            themes=tuple(themes),
            version=version,
            language=language,
            description=description,
            rules=rules,
            source=source,
        )

    # -- access -----------------------------------------------------------

    @property
    def ids(self) -> tuple[str, ...]:
        """Theme ids in codebook order."""
        return tuple(t.id for t in self.themes)

    @property
    def labels(self) -> dict[str, str]:
        """Mapping theme id -> label, in codebook order."""
        return {t.id: t.label for t in self.themes}

    def theme(self, theme_id: str) -> Theme:
        """Return the theme with this id (``KeyError`` listing known ids if absent)."""
        for t in self.themes:
            if t.id == theme_id:
                return t
        raise KeyError(
            f"unknown theme {theme_id!r} in codebook {self.name!r}; known: {', '.join(self.ids)}"
        )

    def __len__(self) -> int:
        return len(self.themes)

    def __iter__(self) -> Iterator[Theme]:
        return iter(self.themes)

    # -- tables -----------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """One row per theme: ``theme, label, description, include, exclude, examples``.

        List fields are joined with newlines so the table exports cleanly to
        CSV/Excel.

        >>> Codebook.load().to_frame().columns[:2].tolist()
        ['theme', 'label']
        """
        return pd.DataFrame(
            [
                {
                    "theme": t.id,
                    "label": t.label,
                    "description": t.description,
                    **{k: "\n".join(getattr(t, k)) for k in _LIST_KEYS},
                }
                for t in self.themes
            ],
            columns=["theme", "label", "description", *_LIST_KEYS],
        )

    def examples_frame(self) -> pd.DataFrame:
        """Example quotes as a ``theme, text`` table (e.g. extra training data).

        >>> Codebook.load().examples_frame().columns.tolist()
        ['theme', 'text']
        """
        return pd.DataFrame(
            [(t.id, ex) for t in self.themes for ex in t.examples], columns=["theme", "text"]
        )


# -- validation helpers ------------------------------------------------------


def _check_keys(data: Mapping, *, required: set[str], allowed: set[str], where: str, fail) -> None:
    missing = sorted(required - set(data))
    if missing:
        raise fail(f"{where}: missing key {', '.join(map(repr, missing))}")
    unknown = sorted(set(map(str, data)) - allowed)
    if unknown:
        raise fail(
            f"{where}: unknown key {', '.join(map(repr, unknown))} "
            f"(allowed: {', '.join(sorted(allowed))})"
        )


def _text(value: Any, key: str, fail, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise fail(f"{key} must be a string, got {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise fail(f"{key} must not be empty")
    return value


def _texts(value: Any, key: str, fail) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise fail(f"{key} must be a list of strings, got {type(value).__name__}")
    out = []
    for j, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise fail(f"{key}[{j}] must be a non-empty string, got {item!r}")
        out.append(item.strip())
    return tuple(out)
