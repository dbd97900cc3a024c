"""Every spoken corpus interview, re-laid out as other tools write transcripts, reads back the same.

The shipped interviews are rendered as: timed ``00:01:02 Label: text`` lines, Markdown bold labels
in UTF-16, Teams' Word-export layout (speaker and time on a line of their own), speaker names on a
line of their own without times, a Word table (time | speaker | text), SRT and WebVTT. Each
rendering must give the same speakers, roles and texts as the original: nothing lost, nothing
merged, nobody's role changed.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from temaer.transcripts import read_transcripts

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "transcripts"


@pytest.fixture(scope="module")
def interviews() -> dict[str, pd.DataFrame]:
    segs = read_transcripts(CORPUS)
    spoken = segs[segs["interviewform"].str.lower() != "mail"]
    return {i: g.reset_index(drop=True) for i, g in spoken.groupby("interview_id")}


def clock(i: int) -> str:
    return f"00:{i // 60:02d}:{i % 60:02d}"


def timed_lines(g: pd.DataFrame) -> str:
    return "".join(f"{clock(i)} {r.speaker}: {r.text}\n" for i, r in enumerate(g.itertuples()))


def bold_labels(g: pd.DataFrame) -> str:
    return "".join(f"**{r.speaker}:** {r.text}\n" for r in g.itertuples())


def teams_layout(g: pd.DataFrame) -> str:
    return "\n".join(f"{r.speaker}   {i // 60}:{i % 60:02d}\n{r.text}\n" for i, r in enumerate(g.itertuples()))


def name_lines(g: pd.DataFrame) -> str:
    return "\n".join(f"{r.speaker}\n{r.text}\n" for r in g.itertuples())


def srt(g: pd.DataFrame) -> str:
    cues = []
    for i, r in enumerate(g.itertuples()):
        cues.append(f"{i + 1}\n{clock(i)},000 --> {clock(i)},900\n{r.speaker}: {r.text}\n")
    return "\n".join(cues)


def vtt(g: pd.DataFrame) -> str:
    cues = [f"{clock(i)}.000 --> {clock(i)}.900\n<v {r.speaker}>{r.text}</v>\n" for i, r in enumerate(g.itertuples())]
    return "WEBVTT\n\n" + "\n".join(cues)


def write_docx_table(g: pd.DataFrame, path: Path) -> None:
    import docx

    d = docx.Document()
    table = d.add_table(rows=0, cols=3)
    for i, r in enumerate(g.itertuples()):
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = clock(i), r.speaker, r.text
    d.save(str(path))


def merged_runs(g: pd.DataFrame) -> list[tuple[str, str, str]]:
    """Turns as subtitles give them back: consecutive turns of one speaker are one cue run."""
    out: list[tuple[str, str, str]] = []
    for r in g.itertuples():
        if out and out[-1][0] == r.speaker:
            out[-1] = (r.speaker, r.role, f"{out[-1][2]} {r.text}")
        else:
            out.append((r.speaker, r.role, r.text))
    return out


def turns(g: pd.DataFrame) -> list[tuple[str, str, str]]:
    return list(zip(g["speaker"], g["role"], g["text"], strict=True))


@pytest.mark.parametrize("layout", ["timed", "bold-utf16", "teams", "docx-table", "srt", "vtt"])
def test_corpus_reads_back_identically_in_other_layouts(interviews, tmp_path, layout):
    assert len(interviews) >= 30
    for iid, g in interviews.items():
        if layout == "docx-table":
            path = tmp_path / f"{iid}.docx"
            write_docx_table(g, path)
        elif layout == "bold-utf16":
            path = tmp_path / f"{iid}.md"
            path.write_bytes(bold_labels(g).encode("utf-16"))
        else:
            render = {"timed": timed_lines, "teams": teams_layout, "srt": srt, "vtt": vtt}[layout]
            path = tmp_path / f"{iid}.{layout if layout in ('srt', 'vtt') else 'txt'}"
            path.write_text(render(g), encoding="utf-8")
        back = read_transcripts(path)
        expected = merged_runs(g) if layout in ("srt", "vtt") else turns(g)
        assert turns(back) == expected, f"{iid} as {layout}"
        if layout in ("timed", "docx-table"):
            assert back["timestamp"].tolist() == [clock(i) for i in range(len(g))]


def test_untimed_name_lines_read_back_when_speakers_recur(interviews, tmp_path):
    # without times a name line counts only when the name recurs (a lone short line stays text)
    checked = 0
    for iid, g in interviews.items():
        if g["speaker"].value_counts().min() < 2:
            continue
        path = tmp_path / f"{iid}.txt"
        path.write_text(name_lines(g), encoding="utf-8")
        assert turns(read_transcripts(path)) == turns(g), iid
        checked += 1
    assert checked >= 20
