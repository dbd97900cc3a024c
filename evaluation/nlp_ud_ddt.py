"""Tokenisation and lemma accuracy of temaer's Danish pipeline on UD Danish-DDT (test split).

Run: ``uv run python evaluation/nlp_ud_ddt.py [--pipeline NAME]``. Uses
``../shared/data/ud-danish-ddt/da_ddt-ud-test.conllu`` (gold tokens). Lemma accuracy is computed on
gold tokens, case-insensitively, over all tokens (punctuation included, as spaCy's ``lemma_acc``).
Tokenisation is scored as the F1 of token character spans against the gold tokens.
Reference: da_core_news_sm 3.8.0 publishes lemma_acc 0.944, token_acc 0.999.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from spacy.tokens import Doc

from temaer.nlp import load_pipeline

ROOT = Path(__file__).resolve().parents[1]
CONLLU = ROOT.parent / "shared" / "data" / "ud-danish-ddt" / "da_ddt-ud-test.conllu"


def read_conllu(path: Path) -> list[tuple[str, list[str], list[str], list[bool]]]:
    """Sentences as (text, forms, lemmas, space_after) from a CoNLL-U file (multiword lines skipped)."""
    sents, forms, lemmas, spaces, text = [], [], [], [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# text = "):
            text = line[len("# text = ") :]
        elif not line.strip():
            if forms:
                sents.append((text, forms, lemmas, spaces))
            forms, lemmas, spaces, text = [], [], [], ""
        elif not line.startswith("#"):
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0]:
                continue
            forms.append(cols[1])
            lemmas.append(cols[2])
            spaces.append("SpaceAfter=No" not in cols[9])
    if forms:
        sents.append((text, forms, lemmas, spaces))
    return sents


def spans(words: list[str], text: str) -> set[tuple[int, int]]:
    out, pos = set(), 0
    for w in words:
        i = text.find(w, pos)
        if i < 0:
            continue
        out.add((i, i + len(w)))
        pos = i + len(w)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pipeline", default=None, help="spaCy pipeline name or path (default: temaer's)")
    ap.add_argument("--conllu", type=Path, default=CONLLU)
    args = ap.parse_args()
    if not args.conllu.exists():
        print(f"UD Danish-DDT not found at {args.conllu}", file=sys.stderr)
        return 2
    nlp = load_pipeline(args.pipeline)
    sents = read_conllu(args.conllu)
    n_tok = n_ok = 0
    tp = n_pred = n_gold = 0
    errors: dict[tuple[str, str, str], int] = {}
    for text, forms, lemmas, space_after in sents:
        gold_spans = spans(forms, text)
        pred_spans = spans([t.text for t in nlp.make_doc(text)], text)
        tp += len(gold_spans & pred_spans)
        n_pred += len(pred_spans)
        n_gold += len(gold_spans)
        doc = Doc(nlp.vocab, words=forms, spaces=space_after)
        for _, proc in nlp.pipeline:
            doc = proc(doc)
        for tok, gold in zip(doc, lemmas, strict=True):
            n_tok += 1
            if tok.lemma_.lower() == gold.lower():
                n_ok += 1
            else:
                key = (tok.text, tok.lemma_, gold)
                errors[key] = errors.get(key, 0) + 1
    prec, rec = tp / n_pred, tp / n_gold
    print(f"pipeline: {nlp.meta.get('name')}  sentences: {len(sents)}  tokens: {n_tok}")
    print(f"tokenisation F1 (span match vs gold): {2 * prec * rec / (prec + rec):.4f}")
    print(f"lemma accuracy (gold tokens, case-insensitive): {n_ok / n_tok:.4f}")
    print("reference da_core_news_sm 3.8.0: lemma_acc 0.944, token_acc 0.999")
    print("most frequent lemma errors (form, predicted, gold, count):")
    for (form, pred, gold), c in sorted(errors.items(), key=lambda kv: -kv[1])[:25]:
        print(f"  {form!r:16} {pred!r:16} {gold!r:16} {c}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
