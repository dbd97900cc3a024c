"""temaer: Danish qualitative interviews to coded, evaluated evidence.

Heavy libraries (scikit-learn, spaCy, BERTopic) are imported only when the function that needs them
is used, so ``import temaer`` and ``temaer --help`` stay instant.

Example:
    >>> import temaer
    >>> segments = temaer.read_transcripts("corpus/transcripts")   # doctest: +SKIP
    >>> coded = temaer.classify(segments)                           # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "read_transcripts": "temaer.transcripts",
    "iter_transcripts": "temaer.transcripts",
    "plain_text": "temaer.transcripts",
    "TranscriptError": "temaer.transcripts",
    "Codebook": "temaer.codebook",
    "Theme": "temaer.codebook",
    "CodebookError": "temaer.codebook",
    "CodingError": "temaer.coding",
    "read_coding": "temaer.coding",
    "to_wide": "temaer.coding",
    "to_long": "temaer.coding",
    "ThemeClassifier": "temaer.classifier",
    "load_model": "temaer.classifier",
    "classify": "temaer.classifier",
    "discover_topics": "temaer.topics",
    "compare_coders": "temaer.evaluate",
    "build_report": "temaer.report",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        if name in {"nlp", "agreement", "evaluate", "report", "embed", "topics", "coding"}:
            return importlib.import_module(f"temaer.{name}")
        raise AttributeError(f"module 'temaer' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
