"""The kortlægning report: spread of themes over stakeholder groups and hospitals, with quotes.

Input is a *coded* segments table: the output of :func:`temaer.classify` (one boolean column per theme,
``<NA>`` on interviewer rows), or segments joined with a human coding in the same shape.

Example:
    >>> coded = temaer.classify(temaer.read_transcripts("corpus/transcripts"))  # doctest: +SKIP
    >>> spread(coded, by="interessentgruppe", unit="interview")                 # doctest: +SKIP
    >>> quotes(coded, "udfordringer", n=5)                                      # doctest: +SKIP
    >>> build_report(coded, out="rapport")                                      # doctest: +SKIP
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from temaer.codebook import Codebook
from temaer.transcripts import is_participant

UNITS = ("segment", "interview")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”»)]?\s+")


def _themes(coded: pd.DataFrame, codebook: Codebook | None) -> tuple[Codebook, list[str]]:
    cb = codebook or Codebook.load()
    ids = [t for t in cb.ids if t in coded.columns]
    if not ids:
        raise ValueError(f"the coded table has none of the theme columns {list(cb.ids)}")
    return cb, ids


def _participants(coded: pd.DataFrame, ids: Sequence[str]) -> pd.DataFrame:
    part = coded[is_participant(coded)]
    part = part[part[list(ids)].notna().all(axis=1)].copy()  # only coded rows
    for t in ids:
        part[t] = part[t].astype(bool)
    return part


def spread(
    coded: pd.DataFrame,
    by: str | Sequence[str] = ("interessentgruppe",),
    unit: str = "segment",
    *,
    codebook: Codebook | None = None,
) -> pd.DataFrame:
    """Counts and shares of each theme per group (tidy: one row per group x theme).

    ``by``: one or more metadata columns (``interessentgruppe``, ``hospital``, ``afdeling``,
    ``interviewform`` or any other); several columns cross the groups. ``unit="segment"`` counts
    participant segments; ``unit="interview"`` counts a theme as present in an interview when any of
    its segments has it, so one talkative group cannot dominate.

    Columns: the ``by`` columns, ``theme``, ``label``, ``n`` (units in the group), ``count`` (units
    with the theme), ``share`` (count / n).

    Example:
        >>> spread(coded, by="hospital", unit="interview")  # doctest: +SKIP
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, not {unit!r}")
    by = [by] if isinstance(by, str) else list(by)
    missing = [c for c in by if c not in coded.columns]
    if missing:
        raise ValueError(f"no column(s) {missing} in the coded table")
    cb, ids = _themes(coded, codebook)
    part = _participants(coded, ids)
    part[by] = part[by].fillna("").astype(str).replace("", "(ukendt)")
    if unit == "interview":
        if "interview_id" not in part.columns:
            raise ValueError("unit='interview' needs an 'interview_id' column; use unit='segment'")
        part = part.groupby([*by, "interview_id"], sort=True)[ids].any().reset_index()
    n = part.groupby(by, sort=True).size().rename("n")
    counts = part.groupby(by, sort=True)[ids].sum()
    long = counts.reset_index().melt(id_vars=by, value_vars=ids, var_name="theme", value_name="count")
    long = long.merge(n.reset_index(), on=by)
    long["count"] = long["count"].astype(int)
    long["share"] = long["count"] / long["n"]
    long["label"] = long["theme"].map(cb.labels)
    order = {t: i for i, t in enumerate(ids)}
    long = long.sort_values([*by, "theme"], key=lambda s: s.map(order) if s.name == "theme" else s)
    return long[[*by, "theme", "label", "n", "count", "share"]].reset_index(drop=True)


def spread_matrix(spread_table: pd.DataFrame, by: str, value: str = "share") -> pd.DataFrame:
    """Pivot a :func:`spread` table to theme x group (rows in codebook order)."""
    themes = list(dict.fromkeys(spread_table["theme"]))
    return spread_table.pivot(index="theme", columns=by, values=value).reindex(themes)


def trim_quote(text: str, max_chars: int = 320) -> tuple[str, int, int]:
    """Trim ``text`` at sentence boundaries to at most ``max_chars``; return (quote, offset, length).

    ``offset``/``length`` locate the quote inside ``text`` (the ellipsis is not counted).
    """
    text = text.strip()
    if len(text) <= max_chars:
        return text, 0, len(text)
    bounds = [m.end() for m in _SENTENCE_END.finditer(text)]
    ends = [b for b in bounds if b <= max_chars]
    if ends:
        cut = ends[-1]
        kept = text[:cut].rstrip()
    else:
        cut = text.rfind(" ", 0, max_chars)
        kept = text[: cut if cut > 0 else max_chars].rstrip(" ,;:")
    return kept + " …", 0, len(kept)


def quotes(
    coded: pd.DataFrame,
    theme: str,
    n: int = 5,
    by: str | None = None,
    *,
    max_chars: int = 320,
    min_chars: int = 60,
) -> pd.DataFrame:
    """Representative quotes for ``theme``: confident, diverse, traceable.

    Candidates are participant segments with the theme, of at least ``min_chars`` characters, not
    flagged uncertain, ranked by the theme's probability (``p_<theme>`` when present). They are taken
    round-robin over interviews (then speakers), so quotes do not all come from one interview or one
    person. With ``by`` (e.g. ``"interessentgruppe"``) up to ``n`` quotes are chosen per group.
    Each quote is trimmed at sentence boundaries; ``start``/``end`` locate the trimmed quote in the
    source's plain text.

    Example:
        >>> quotes(coded, "patienter_paaroerende", n=3, by="interessentgruppe")  # doctest: +SKIP
    """
    if theme not in coded.columns:
        raise ValueError(f"no theme column {theme!r} in the coded table")
    part = _participants(coded, [theme])
    cand = part[part[theme]]
    if "uncertain" in cand.columns:
        cand = cand[~cand["uncertain"].fillna(False).astype(bool)]
    cand = cand[cand["text"].str.len() >= min_chars]
    score_col = f"p_{theme}"
    score = cand[score_col] if score_col in cand.columns else pd.Series(1.0, index=cand.index)
    cand = cand.assign(score=score).sort_values(["score", "segment_id"], ascending=[False, True])
    # sources for diversity; without interview ids every segment counts as its own interview
    cand = cand.assign(_iid=cand["interview_id"] if "interview_id" in cand.columns else cand["segment_id"],
                       _spk=cand["speaker"] if "speaker" in cand.columns else "")
    if by is not None:
        if by not in cand.columns:
            raise ValueError(f"no column {by!r} in the coded table")
        cand = cand.assign(**{by: cand[by].fillna("").astype(str).replace("", "(ukendt)")})  # as spread()
    groups = [(None, cand)] if by is None else list(cand.groupby(by, sort=True))
    rows = []
    for key, g in groups:
        for _, r in _diverse(g, n).iterrows():
            quote, off, length = trim_quote(r["text"], max_chars)
            start = int(r["start"]) + off if "start" in r and pd.notna(r.get("start")) else None
            rows.append({
                **({by: key} if by else {}),
                "theme": theme, "quote": quote, "segment_id": r["segment_id"], "interview_id": r.get("interview_id"),
                "speaker": r.get("speaker"), "role": r.get("role"), "interessentgruppe": r.get("interessentgruppe"),
                "hospital": r.get("hospital"), "score": round(float(r["score"]), 3),
                "start": start, "end": start + length if start is not None else None,
            })
    cols = ([by] if by else []) + ["theme", "quote", "segment_id", "interview_id", "speaker", "role",
                                    "interessentgruppe", "hospital", "score", "start", "end"]
    return pd.DataFrame(rows, columns=list(dict.fromkeys(cols)))


def _diverse(g: pd.DataFrame, n: int) -> pd.DataFrame:
    """Round-robin over interviews in score order; at most one quote per speaker per interview first."""
    chosen, seen_speakers = [], set()
    per_interview = {k: list(v.index) for k, v in g.groupby("_iid", sort=False)}
    order = list(dict.fromkeys(g["_iid"]))  # interviews by their best score
    while len(chosen) < n and any(per_interview.values()):
        progressed = False
        for iid in order:
            queue = per_interview[iid]
            while queue:
                idx = queue.pop(0)
                key = (iid, g.at[idx, "_spk"])
                if key in seen_speakers and any(
                    (iid, g.at[j, "_spk"]) not in seen_speakers for j in queue
                ):
                    queue.append(idx)  # try another speaker of this interview first
                    continue
                seen_speakers.add(key)
                chosen.append(idx)
                progressed = True
                break
            if len(chosen) >= n:
                break
        if not progressed:
            break
    return g.loc[chosen]


def cooccurrence(coded: pd.DataFrame, *, codebook: Codebook | None = None) -> pd.DataFrame:
    """Theme x theme counts of participant segments carrying both themes (diagonal: the theme alone)."""
    _, ids = _themes(coded, codebook)
    m = _participants(coded, ids)[ids].astype(int)
    return m.T @ m


def distinctive_terms(coded: pd.DataFrame, theme: str, by: str = "interessentgruppe", top: int = 6) -> pd.DataFrame:
    """Per group, the lemmas that most distinguish the group's segments on ``theme`` (class-based TF-IDF)."""
    from sklearn.feature_extraction.text import CountVectorizer

    from temaer.nlp import lemma_text

    part = _participants(coded, [theme])
    part = part[part[theme]]
    if part.empty:
        return pd.DataFrame(columns=[by, "terms"])
    docs = part.groupby(by, sort=True)["text"].apply(lambda s: " ".join(lemma_text(s.tolist())))
    vec = CountVectorizer(token_pattern=r"\S{3,}", min_df=1)
    tf = vec.fit_transform(docs.tolist()).toarray().astype(float)
    tf = tf / np.maximum(tf.sum(axis=1, keepdims=True), 1)
    idf = np.log(1 + tf.shape[0] / np.maximum((tf > 0).sum(axis=0), 1))
    score = tf * idf
    names = vec.get_feature_names_out()
    terms = [", ".join(names[np.argsort(-row)[:top]]) for row in score]
    return pd.DataFrame({by: docs.index, "terms": terms})


# ----------------------------------------------------------------------------- plots


def heatmap(spread_table: pd.DataFrame, by: str, *, title: str, codebook: Codebook | None = None):
    """Plotly heatmap of theme shares (rows: themes in codebook order; columns: groups)."""
    import plotly.graph_objects as go

    cb = codebook or Codebook.load()
    share = spread_matrix(spread_table, by, "share")
    count = spread_matrix(spread_table, by, "count")
    n = spread_table.groupby(by)["n"].first().reindex(share.columns)
    fig = go.Figure(go.Heatmap(
        z=(share.to_numpy() * 100).round(0), x=[f"{c} (n={n[c]})" for c in share.columns],
        y=[cb.labels.get(t, t) for t in share.index], colorscale="Blues", zmin=0, zmax=100,
        text=[[f"{v:.0%}<br>{int(c)}" for v, c in zip(rs, rc, strict=True)]
              for rs, rc in zip(share.to_numpy(), count.to_numpy(), strict=True)],
        texttemplate="%{text}", hovertemplate="%{y}<br>%{x}<br>%{z:.0f}%<extra></extra>",
        colorbar={"title": "%"},
    ))
    fig.update_layout(title=title, height=140 + 48 * len(share), margin={"l": 20, "r": 20, "t": 60, "b": 20},
                      xaxis={"tickangle": -30}, yaxis={"autorange": "reversed"})
    return fig


def cooccurrence_plot(co: pd.DataFrame, codebook: Codebook | None = None):
    import plotly.graph_objects as go

    cb = codebook or Codebook.load()
    labels = [cb.labels.get(t, t) for t in co.index]
    fig = go.Figure(go.Heatmap(z=co.to_numpy(), x=list(co.columns), y=labels, colorscale="Purples",
                               texttemplate="%{z}", hovertemplate="%{y} + %{x}: %{z}<extra></extra>"))
    fig.update_layout(title="Temaer der optræder i samme segment", height=140 + 48 * len(co),
                      margin={"l": 20, "r": 20, "t": 60, "b": 20}, yaxis={"autorange": "reversed"})
    return fig


def topic_sizes_plot(topic_segments: pd.DataFrame, topics: pd.DataFrame, by: str = "interessentgruppe"):
    """Stacked bars: segments per emerging topic, split by stakeholder group."""
    import plotly.express as px

    seg = topic_segments[topic_segments["topic"] >= 0]
    labels = topics.set_index("topic")["label"]
    counts = seg.groupby(["topic", by]).size().rename("segmenter").reset_index()
    counts["emne"] = counts["topic"].map(labels).fillna(counts["topic"].astype(str))
    fig = px.bar(counts, x="segmenter", y="emne", color=by, orientation="h",
                 title="Nye emner: segmenter pr. interessentgruppe")
    fig.update_layout(height=160 + 36 * max(1, counts["emne"].nunique()), yaxis={"autorange": "reversed"},
                      margin={"l": 20, "r": 20, "t": 60, "b": 20})
    return fig


def save_png(fig: Any, path: str | Path) -> bool:
    """Write a static PNG with kaleido when it is installed; return whether it was written."""
    try:
        fig.write_image(str(path))
    except Exception:  # kaleido/Chrome missing: the HTML report is the primary output
        return False
    return True


# ----------------------------------------------------------------------------- report


def _table_html(df: pd.DataFrame, *, percent: Sequence[str] = (), floats: Sequence[str] = ()) -> str:
    out = df.copy()
    for c in percent:
        if c in out.columns:
            out[c] = out[c].map(lambda v: "" if pd.isna(v) else f"{v:.0%}")
    for c in floats:
        if c in out.columns:
            out[c] = out[c].map(lambda v: "" if pd.isna(v) else f"{v:.2f}")
    return out.to_html(index=False, border=0, classes="tbl", escape=True, na_rep="")


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1180px;margin:2em auto;padding:0 1em;
color:#1d2733;line-height:1.45}
h1{font-size:1.8em;margin-bottom:.2em}h2{margin-top:2.2em;border-bottom:2px solid #dfe6ee;padding-bottom:.2em}
h3{margin-top:1.4em;color:#2c4a6b}.lead{color:#4a5968}
table.tbl{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.9em}
table.tbl th,table.tbl td{border-bottom:1px solid #e3e8ee;padding:.3em .6em;text-align:left;vertical-align:top}
table.tbl th{background:#f3f6f9}
blockquote{margin:.6em 0;padding:.5em 1em;border-left:4px solid #7aa6d6;background:#f6f9fc}
blockquote .src{display:block;color:#5b6b7b;font-size:.85em;margin-top:.3em}nav a{margin-right:1em}
.note{font-size:.9em;color:#5b6b7b}
"""


def build_report(
    coded: pd.DataFrame,
    topics: Any = None,
    agreement: pd.DataFrame | None = None,
    out: str | Path = "rapport",
    *,
    codebook: Codebook | None = None,
    title: str = "Kortlægning af lægesekretærgruppens rolle og arbejdsopgaver",
    n_quotes: int = 4,
    png: bool = True,
) -> dict[str, Any]:
    """Write ``out/rapport.html`` (self-contained) and ``out/rapport.xlsx`` (same tables).

    ``topics``: a :class:`temaer.topics.TopicResult` (or an object with ``.topics``/``.segments``).
    ``agreement``: a tidy agreement table (e.g. from :func:`temaer.evaluate.compare_coders`).
    ``png``: also write each plot as a static PNG where kaleido can render it.
    Returns the paths written (``html``, ``xlsx``, and ``png``: a list, empty without kaleido).

    Example:
        >>> build_report(coded, topics=result, out="rapport")  # doctest: +SKIP
    """
    import plotly.io as pio

    from temaer.io import write_sheets, write_text

    cb, ids = _themes(coded, codebook)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    part = _participants(coded, ids)
    by_group_seg = spread(coded, "interessentgruppe", "segment", codebook=cb)
    by_group_int = spread(coded, "interessentgruppe", "interview", codebook=cb)
    by_hosp_int = spread(coded, "hospital", "interview", codebook=cb)
    by_hosp_seg = spread(coded, "hospital", "segment", codebook=cb)
    co = cooccurrence(coded, codebook=cb)

    first_plot = [True]

    pngs: list[Path] = []

    def plot(fig, name: str) -> str:
        if png and save_png(fig, out / f"{name}.png"):
            pngs.append(out / f"{name}.png")
        inc = "inline" if first_plot[0] else False
        first_plot[0] = False
        return pio.to_html(fig, include_plotlyjs=True if inc else False, full_html=False,
                           config={"displaylogo": False, "responsive": True})

    overall = pd.DataFrame({
        "tema": [cb.labels[t] for t in ids],
        "segmenter": [int(part[t].sum()) for t in ids],
        "andel af segmenter": [part[t].mean() if len(part) else np.nan for t in ids],
        "interviews": [part.loc[part[t], "interview_id"].nunique() for t in ids],
        "interessentgrupper": [part.loc[part[t], "interessentgruppe"].nunique() for t in ids],
    })
    n_int = part["interview_id"].nunique()
    body = [
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='lead'>{len(part)} deltagersegmenter fra {n_int} interviews med "
        f"{part['interessentgruppe'].nunique()} interessentgrupper på {part['hospital'].nunique()} "
        "hospitaler/enheder, kodet med kommissoriets syv temaer.</p>",
        "<nav>" + "".join(f"<a href='#{t}'>{html.escape(cb.labels[t])}</a>" for t in ids)
        + "<a href='#nye'>Nye emner</a><a href='#metode'>Metode og pålidelighed</a></nav>",
        "<h2>Overblik</h2>", _table_html(overall, percent=["andel af segmenter"]),
        plot(heatmap(by_group_seg, "interessentgruppe", codebook=cb,
                     title="Andel af deltagersegmenter med temaet, pr. interessentgruppe"), "temaer_grupper"),
        plot(heatmap(by_hosp_seg, "hospital", codebook=cb,
                     title="Andel af deltagersegmenter med temaet, pr. hospital"), "temaer_hospitaler"),
        "<p class='note'>Andelene er beregnet pr. segment; tabellerne under hvert tema viser også, i hvor "
        "mange af gruppens interviews temaet forekommer (så en snakkesalig gruppe ikke vejer for tungt).</p>",
        plot(cooccurrence_plot(co, cb), "samforekomst"),
    ]
    quote_tables = []
    for t in ids:
        theme = cb.theme(t)
        g_int = by_group_int[by_group_int.theme == t].sort_values("share", ascending=False)
        g_seg = by_group_seg[by_group_seg.theme == t]
        table = g_int[["interessentgruppe", "n", "count", "share"]].rename(columns={
            "n": "interviews", "count": "med temaet", "share": "andel interviews"})
        table = table.merge(g_seg[["interessentgruppe", "count", "share"]].rename(columns={
            "count": "segmenter med temaet", "share": "andel segmenter"}), on="interessentgruppe")
        present = g_int[g_int["count"] > 0]
        most = ", ".join(f"{r.interessentgruppe} ({r.share:.0%})" for r in present.head(3).itertuples())
        absent = ", ".join(g_int.loc[g_int["count"] == 0, "interessentgruppe"]) or "ingen"
        terms = distinctive_terms(coded, t)
        q = quotes(coded, t, n=n_quotes)
        quote_tables.append(q)
        body += [
            f"<h2 id='{t}'>{html.escape(theme.label)}</h2>",
            f"<p class='note'>{html.escape(theme.description)}</p>",
            f"<h3>Hvad grupperne siger</h3><p>Temaet forekommer i {int(part[t].sum())} segmenter "
            f"({part[t].mean():.0%}) og i {part.loc[part[t], 'interview_id'].nunique()} af {n_int} interviews. "
            f"Mest udbredt hos: {html.escape(most or 'ingen')}. Ikke nævnt hos: {html.escape(absent)}.</p>",
            "<p class='note'>Kendetegnende ord pr. gruppe (lemmaer, klassebaseret TF-IDF):</p>",
            _table_html(terms.rename(columns={"terms": "kendetegnende ord"})),
            "<h3>Spredning over interessentgrupper</h3>",
            _table_html(table, percent=["andel interviews", "andel segmenter"]),
            "<h3>Citater</h3>",
        ]
        for r in q.itertuples():
            body.append(
                f"<blockquote>»{html.escape(r.quote)}«<span class='src'>{html.escape(str(r.interessentgruppe))}, "
                f"{html.escape(str(r.hospital))} · {html.escape(str(r.speaker))} · {html.escape(str(r.segment_id))}"
                "</span></blockquote>")
        if q.empty:
            body.append("<p class='note'>Ingen sikre citater til dette tema.</p>")

    body.append("<h2 id='nye'>Nye emner uden for kommissoriet</h2>")
    topic_table = None
    if topics is not None and getattr(topics, "topics", None) is not None and len(topics.topics):
        topic_table = topics.topics.copy()
        show = [c for c in ("topic", "size", "extended", "label", "emerging") if c in topic_table.columns]
        body.append("<p>Emner fundet med BERTopic i de segmenter, som ikke fik et sikkert mandattema. "
                    "<i>extended</i>: segmenter med et mandattema, der ligger tæt på emnet og derfor også "
                    "regnes med til det (fx Covid fortalt som en udfordring).</p>")
        body.append(_table_html(topic_table[show]))
        if getattr(topics, "segments", None) is not None and "topic" in topics.segments.columns:
            body.append(plot(topic_sizes_plot(topics.segments, topic_table), "nye_emner"))
    else:
        body.append("<p class='note'>Ingen emnemodel i denne kørsel.</p>")

    body.append("<h2 id='metode'>Metode og pålidelighed</h2>")
    model_info = coded.attrs.get("model_info") or {}
    body.append(
        "<p>Segmenterne er læst fra transskriptionerne (talerture; mailsvar pr. afsnit) og kodet automatisk "
        "med temaer-klassifikatoren (TF-IDF over lemmaer, kalibreret logistisk regression pr. tema, tærskler "
        "fra krydsvalidering pr. interview). Tal i rapporten kan genskabes fra de kodede segmenter "
        "(arket <i>segmenter</i> i Excel-filen).</p>")
    test = (model_info.get("metrics") or {}).get("test") or {}
    if test:
        mt = pd.DataFrame(test.get("per_theme", []))
        hb = pd.DataFrame(test.get("human_a_vs_b", []))
        if not mt.empty:
            if not hb.empty:
                mt = mt.merge(hb[["theme", "kappa"]].rename(columns={"kappa": "kappa kodere A-B"}), on="theme")
            body.append(f"<p>Modellens kvalitet på korpussets testdel ({test.get('n_segments')} segmenter): "
                        f"makro-F1 {test.get('macro_f1'):.2f}, mikro-F1 {test.get('micro_f1'):.2f}.</p>")
            body.append(_table_html(mt, floats=["precision", "recall", "f1", "kappa", "kappa kodere A-B"]))
    if agreement is not None and len(agreement):
        body.append("<h3>Enighed mellem kodere</h3>")
        body.append(_table_html(agreement.round(3)))
    if "uncertain" in part.columns:
        body.append(f"<p>{int(part['uncertain'].fillna(False).astype(bool).sum())} segmenter er markeret som "
                    "usikre og bør gennemses manuelt (kolonnen <i>uncertain</i>).</p>")

    doc = ("<!DOCTYPE html><html lang='da'><head><meta charset='utf-8'>"
           f"<meta name='viewport' content='width=device-width,initial-scale=1'><title>{html.escape(title)}</title>"
           f"<style>{_CSS}</style></head><body>" + "\n".join(body) + "</body></html>")
    paths = {"html": write_text(doc, out / "rapport.html")}
    sheets = {
        "overblik": overall,
        "grupper_interviews": by_group_int,
        "grupper_segmenter": by_group_seg,
        "hospitaler_interviews": by_hosp_int,
        "hospitaler_segmenter": by_hosp_seg,
        "samforekomst": co.reset_index().rename(columns={"index": "theme"}),
        "citater": pd.concat(quote_tables, ignore_index=True) if quote_tables else pd.DataFrame(),
    }
    if topic_table is not None:
        sheets["nye_emner"] = topic_table
    if agreement is not None:
        sheets["enighed"] = agreement
    sheets["segmenter"] = coded
    paths["xlsx"] = write_sheets(sheets, out / "rapport.xlsx")
    paths["png"] = pngs
    return paths


#: The sheets of ``rapport.xlsx`` (``nye_emner`` and ``enighed`` only when given).
REPORT_SHEETS = ("overblik", "grupper_interviews", "grupper_segmenter", "hospitaler_interviews",
                 "hospitaler_segmenter", "samforekomst", "citater", "nye_emner", "enighed", "segmenter")
