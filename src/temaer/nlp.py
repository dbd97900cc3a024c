"""Danish NLP layer: spaCy pipeline loading and the lemma stream used by the models.

``load_pipeline()`` tries, in order, an explicit name or path, the ``TEMAER_SPACY_MODEL`` setting and
``da_core_news_sm``; when none is installed it builds the offline fallback: ``spacy.blank("da")`` with
a simplemma-backed lemmatiser (cached per word form) and a sentenciser.

Example:
    >>> from temaer.nlp import preprocess
    >>> next(preprocess(["Øh, jamen lægesekretærerne skriver journalerne [griner]"]))
    ['lægesekretær', 'skrive', 'journal']
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from temaer.text import ANNOTATION_RE

if TYPE_CHECKING:
    from spacy.language import Language

log = logging.getLogger(__name__)

DEFAULT_MODEL = "da_core_news_sm"
FALLBACK_NAME = "temaer_da_fallback"
ENV_VAR = "TEMAER_SPACY_MODEL"

#: Fillers and discourse particles of spoken Danish, dropped before modelling.
FILLERS = frozenset(
    """øh øhm øhh ehm eh hmm hm mm mmm mhm aha ah åh nå nåh nåe ja jaa jah jo nej nejnej næ nææ okay
    ok okey altså jamen jamenøh bare ik ikk ikke' ikk' ikke-også ikkeogså sådan sgu vel nok lige
    egentlig faktisk liksom ligesom simpelthen jo-jo ja-ja nåmen nå-men hva hvad ha haha hehe""".split()
)

_WORD_RE = re.compile(r"[^\W\d_]", re.UNICODE)


@lru_cache(maxsize=1)
def _spacy_stop_words() -> frozenset[str]:
    from spacy.lang.da.stop_words import STOP_WORDS as DA_STOP_WORDS

    return frozenset(DA_STOP_WORDS)


def stop_words() -> frozenset[str]:
    """Danish stop words (spaCy's list) plus the fillers of spoken Danish."""
    return _spacy_stop_words() | FILLERS


class _LemmaCache:
    """Per-word-form lemma look-up backed by simplemma (one simplemma call per distinct form)."""

    def __init__(self) -> None:
        import simplemma

        self._lemmatize = simplemma.lemmatize
        self._cache: dict[str, str] = {}

    def __call__(self, form: str) -> str:
        lemma = self._cache.get(form)
        if lemma is None:
            lemma = _lemma_for(form, self._lemmatize)
            self._cache[form] = lemma
        return lemma


def _lemma_for(form: str, lemmatize) -> str:
    if not _WORD_RE.search(form):
        return form
    lower = form.lower()
    if lower in CLOSED_CLASS_LEMMAS:
        return CLOSED_CLASS_LEMMAS[lower]
    lemma = lemmatize(form, lang="da")
    if lemma == form and form != lower:
        # simplemma keeps unknown capitalised forms; retry lower-cased (sentence-initial words).
        low_lemma = lemmatize(lower, lang="da")
        if low_lemma != lower:
            return low_lemma
    return lemma


# Closed-class forms whose lemma follows Danish grammar (UD convention) where simplemma differs.
CLOSED_CLASS_LEMMAS: dict[str, str] = {
    "mig": "jeg", "dig": "du", "ham": "han", "hende": "hun", "os": "vi", "jer": "i",
    "dem": "de", "sig": "sig", "min": "min", "mit": "min", "mine": "min", "din": "din", "dit": "din",
    "dine": "din", "sin": "sin", "sit": "sin", "sine": "sin", "vores": "vores", "jeres": "jeres",
    "deres": "deres", "hans": "hans", "hendes": "hendes", "dets": "dets", "dens": "dens",
}


@lru_cache(maxsize=1)
def _lemma_cache() -> _LemmaCache:
    """The process-wide word-form -> lemma cache (simplemma's lemmas don't depend on the pipeline)."""
    return _LemmaCache()


def _register_lemmatizer() -> None:
    from spacy.language import Language

    if not Language.has_factory("temaer_lemmatizer"):

        @Language.factory("temaer_lemmatizer")
        def _make_lemmatizer(nlp: Language, name: str):  # noqa: ARG001
            cache = _lemma_cache()

            def lemmatize_doc(doc):
                for token in doc:
                    token.lemma_ = cache(token.text)
                return doc

            return lemmatize_doc


def _build_fallback() -> Language:
    import spacy

    _register_lemmatizer()
    nlp = spacy.blank("da")
    nlp.add_pipe("temaer_lemmatizer")
    nlp.add_pipe("sentencizer")
    nlp.meta["name"] = FALLBACK_NAME
    nlp.meta["description"] = "spaCy blank Danish + simplemma lemmatiser + sentencizer (offline)"
    return nlp


def _is_loadable(name: str) -> bool:
    import spacy.util

    return spacy.util.is_package(name) or Path(name).expanduser().is_dir()


def load_pipeline(name: str | None = None) -> Language:
    """Load a Danish spaCy pipeline; fall back to the offline pipeline when none is installed.

    ``name`` may be a package name or a folder with a saved pipeline. Every returned pipeline sets
    ``token.lemma_``; which one is active is in ``nlp.meta["name"]`` and logged.

    Example:
        >>> nlp = load_pipeline()
        >>> [t.lemma_ for t in nlp("Patienterne ringede")]
        ['patient', 'ringe']
    """
    import spacy

    candidates = [c for c in (name, os.environ.get(ENV_VAR), DEFAULT_MODEL) if c]
    for candidate in candidates:
        if not _is_loadable(candidate):
            if candidate != DEFAULT_MODEL:
                log.warning("spaCy pipeline %r is not installed; trying the next option", candidate)
            continue
        nlp = spacy.load(candidate)
        if "lemmatizer" not in nlp.pipe_names and "temaer_lemmatizer" not in nlp.pipe_names:
            _register_lemmatizer()  # a pipeline without lemmatiser still gets token.lemma_
            nlp.add_pipe("temaer_lemmatizer")
        log.info("temaer NLP: using spaCy pipeline %s", nlp.meta.get("name", candidate))
        return nlp
    nlp = _build_fallback()
    log.info("temaer NLP: da_core_news_sm not installed; using the offline pipeline %s", FALLBACK_NAME)
    return nlp


@lru_cache(maxsize=1)
def default_pipeline() -> Language:
    """The process-wide pipeline used by :func:`preprocess` when none is given."""
    return load_pipeline()


def preprocess(
    texts: Iterable[str], *, nlp: Language | None = None, batch_size: int = 512
) -> Iterator[list[str]]:
    """Stream normalised lemma lists: lower-cased lemmas without stop words, fillers, annotations,
    numbers and punctuation.

    With the offline pipeline only spaCy's tokenizer runs, and lemmas come from a per-word-form
    cache; with an installed model its own lemmatiser is used.

    Example:
        >>> list(preprocess(["Vi booker patienterne i MidtEPJ, ikk'?"]))
        [['booke', 'patient', 'midtepj']]
    """
    nlp = nlp or default_pipeline()
    stops = stop_words()
    cleaned = (ANNOTATION_RE.sub(" ", t) if t else "" for t in texts)
    if FALLBACK_NAME == nlp.meta.get("name") or "temaer_lemmatizer" in nlp.pipe_names:
        from spacy.attrs import ORTH

        # One dict look-up per token: word-form hash -> normalised lemma, or "" when dropped.
        table = _FORM_TABLE  # keyed by spaCy's string hash, which is the same in every vocab
        lemma, strings = _lemma_cache(), nlp.vocab.strings
        for doc in nlp.tokenizer.pipe(cleaned, batch_size=batch_size):
            out = []
            for key in doc.to_array(ORTH).tolist():
                lem = table.get(key)
                if lem is None:
                    lem = table[key] = _normal_lemma(strings[key], lemma, stops)
                if lem:
                    out.append(lem)
            yield out
        return
    disable = [p for p in nlp.pipe_names if p in ("ner", "parser")]
    for doc in nlp.pipe(cleaned, batch_size=batch_size, disable=disable):
        out = []
        for tok in doc:
            if tok.is_punct or tok.like_num or not _WORD_RE.search(tok.text):
                continue
            lower = tok.text.lower()
            lem = (tok.lemma_ or lower).lower()
            if lower in stops or lem in stops or len(lem) < 2:
                continue
            out.append(lem)
        yield out


_FORM_TABLE: dict[int, str] = {}


def _normal_lemma(form: str, lemma: _LemmaCache, stops: frozenset[str]) -> str:
    """The lower-cased lemma of ``form`` as used for modelling, or "" when the form is dropped."""
    if not _WORD_RE.search(form) or form.lower() in stops:
        return ""
    lem = lemma(form).lower()
    return "" if lem in stops or len(lem) < 2 else lem


def lemma_text(texts: Iterable[str], **kwargs) -> list[str]:
    """:func:`preprocess` joined with spaces, one string per text (handy for vectorisers)."""
    return [" ".join(toks) for toks in preprocess(texts, **kwargs)]
