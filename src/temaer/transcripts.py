"""Read interview transcripts (text, Word, WebVTT/SRT, mail answers) into one tidy table of segments.

Every row is one speaker turn (or one mail answer paragraph, or a ``note``: text before the first
speaker turn). ``start``/``end`` are 0-based,
end-exclusive code point offsets into :func:`plain_text` of the source, and
``plain_text(source)[start:end].replace("\\n", " ") == text`` holds for every row, so a quote can
always be traced back.

Example:
    >>> segs = read_transcripts("corpus/transcripts")          # doctest: +SKIP
    >>> segs[["segment_id", "speaker", "role", "text"]].head()  # doctest: +SKIP
"""

from __future__ import annotations

import codecs
import functools
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from temaer.text import normalise

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".vtt", ".srt")
METADATA_COLUMNS = ("hospital", "afdeling", "interessentgruppe", "interviewform", "dato")
COLUMNS = (
    "interview_id", "source", "segment_id", "turn", "speaker", "role", "text", "start", "end",
    "timestamp", "line", *METADATA_COLUMNS,
)
#: Labels that mark the interviewer (case-insensitive); ``Spørgsmål N`` is matched separately.
DEFAULT_INTERVIEWER_LABELS = frozenset(
    {"i", "int", "interviewer", "intervieweren", "moderator", "facilitator", "i1", "i2", "int1",
     "int2", "interviewer 1", "interviewer 2", "q"}
)
#: Roles of rows that are not participant speech (never coded): questions and preamble notes.
NON_PARTICIPANT_ROLES = frozenset({"interviewer", "note"})

_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_RANGE = rf"(?:[ \t]*[-–][ \t]*{_CLOCK})?"  # "00:01:02 - 00:01:10": the start time is kept
_TS = rf"(?:\[(?P<ts1>{_CLOCK}){_RANGE}\]|\((?P<ts2>{_CLOCK}){_RANGE}\)|(?P<ts3>{_CLOCK}){_RANGE}(?=[ \t]))"
# A line holding only a time or time range ("[00:05:10]", "00:01:10 - 00:01:20"): the next turn's time.
TIME_LINE_RE = re.compile(rf"^[ \t]*[\[(#]?(?P<ts>{_CLOCK}){_RANGE}(?:-\d)?[\])#]?[ \t]*$")
# f4/f5 transcription software ends each turn with its time: "... #00:01:02-5#".
END_MARK_RE = re.compile(r"[ \t]*#(?P<ts>\d{1,2}:\d{2}:\d{2})(?:[-.,](?P<frac>\d{1,3}))?#[ \t]*$")
_LABEL = r"(?P<label>[^\W\d_][\w'’/.-]*(?: [\w'’/.-]+){0,3})"
_BOLD = r"(?:\*\*|__)?"  # Markdown emphasis around a label: **I:** or **I**:
# LABEL: text, with an optional time before the label, a time or note in brackets after it
# ("Speaker 1 (00:05):", "IP1 (lægesekretær):") and Markdown bold.
TURN_RE = re.compile(
    rf"^[ \t]*{_BOLD}(?:{_TS}[ \t]*)?{_LABEL}"
    rf"(?:[ \t]*[\[(](?:(?P<ts5>{_CLOCK})|(?P<note>[^()\[\]\n:]{{1,40}}))[\])])?"
    rf"{_BOLD}[ \t]*:{_BOLD}(?:[ \t]+|$)(?P<rest>.*)$"
)
_QUOTE = r"[ \t]*(?:>[ \t>]*)?"  # mail replies quote the questions: "> 1. Hvordan ...?"
_QLABEL = r"(?P<label>(?:Ad[ \t]+)?(?:Spørgsmål|Spm\.?|Sp\.)[ \t]*\d+[a-z]?|Ad[ \t]+\d+[a-z]?)"
# The same with a tab or a spaced dash instead of the colon ("Mette Hansen<TAB>...", "I1 - ..."):
# tried only when no colon labels are found, and then a label must recur to count.
TURN_SEP_RE = re.compile(
    rf"^[ \t]*{_BOLD}(?:{_TS}[ \t]*)?{_LABEL}{_BOLD}(?:[ \t]*\t[ \t]*|[ \t]+[-–][ \t]+)(?P<rest>\S.*)$"
)
QUESTION_RE = re.compile(rf"^{_QUOTE}{_QLABEL}[ \t]*[:.)-][ \t]*(?P<rest>.*)$", re.I)
# Mail answers laid out as "Q: ... / A: ..." or "Spørgsmål: ... / Svar: ...".
MAIL_QUESTION_RE = re.compile(rf"^{_QUOTE}(?P<label>Q\d*|Spørgsmål|Spm\.?)[ \t]*:[ \t]*(?P<rest>.*)$", re.I)
ANSWER_RE = re.compile(rf"^{_QUOTE}(?:(?i:svar)|A)[ \t]*\d*[ \t]*:[ \t]*(?P<rest>.*)$")
INLINE_ANSWER_RE = re.compile(r"\?[ \t]+(?:(?i:svar)|A)[ \t]*:[ \t]*(?=\S)")  # "...? Svar: ..."
# A question heading alone on its line ("Spørgsmål 3", "Ad spørgsmål 3:"); the question follows.
QUESTION_HEADING_RE = re.compile(rf"^{_QUOTE}{_QLABEL}[ \t]*[:.)-]?[ \t]*$", re.I)
# In mail answers: a numbered line ending in a question mark is the question being answered (an
# answer may follow on the same line).
NUMBERED_QUESTION_RE = re.compile(
    rf"^{_QUOTE}(?P<number>\d{{1,2}})[.)][ \t]+(?P<rest>[^\n]*\?)[ \t]*(?P<answer>[^\s?][^?\n]*)?$"
)
# Words that make a label the interviewer's ("Anne (interviewer)", "Moderator 2"); not
# "interviewperson", the Danish word for the person interviewed.
_INTERVIEWER_WORD_RE = re.compile(r"\b(?:interviewer\w*|moderator\w*|facilitator\w*|ordstyrer\w*)\b", re.I)
# Words that open a line with a colon inside a turn ("Først: ...", "Note: ...") rather than name a speaker.
_NOT_SPEAKERS = frozenset(
    "først dernæst derefter bagefter endelig sidst herefter altså dvs fx f.eks eksempel eksempelvis "
    "note nb ps obs bemærk husk vigtigt citat punkt konklusion opsummering resultat "
    "problemet pointen spørgsmålet svaret årsagen grunden forskellen løsningen fordelen ulempen "
    "og men så eller for fordi når hvis da ja nej okay nå jo også tema emne kommentar".split()
)
_CODE_LABEL_RE = re.compile(r"^[A-ZÆØÅ]{1,6}[ -]?\d{0,3}$")
_NUMBERED_LABEL_RE = re.compile(r"^[^\W\d_][\w'’/.-]*(?: [\w'’/.-]+){0,2} ?\d{1,3}$")
_SINGLE_WORD_LABEL_RE = re.compile(r"^[A-ZÆØÅ][\w'’/.-]+$")
# A speaker name on a line of its own, optionally in brackets and with a time before or after it
# (Teams' Word export "Hansen, Mette   0:15", Zoom's "[Mette Hansen] 10:02:03"); the turn's text
# follows on the next lines.
NAME_LINE_RE = re.compile(
    rf"^[ \t]*(?:{_TS}[ \t]*)?(?P<open>\[)?(?P<label>[^\W\d_][\w'’/.,-]*(?: [\w'’/.,-]+){{0,3}}?)(?(open)\])"
    rf"(?:[ \t]+(?:\[|\()?(?P<ts4>{_CLOCK})(?:\]|\))?)?[ \t]*$"
)


def is_participant(frame: pd.DataFrame) -> pd.Series:
    """Boolean mask of the rows that are participant speech (all rows when there is no ``role``).

    Interviewer questions and preamble notes (``NON_PARTICIPANT_ROLES``) are kept in the segments
    table but never coded, modelled or counted.

    Example:
        >>> is_participant(pd.DataFrame({"role": ["interviewer", "participant", "note"]})).tolist()
        [False, True, False]
    """
    if "role" not in frame.columns:
        return pd.Series(True, index=frame.index)
    return ~frame["role"].astype("string").fillna("participant").isin(NON_PARTICIPANT_ROLES)


class TranscriptError(ValueError):
    """A transcript could not be read; ``file`` and ``line`` say where."""

    def __init__(self, file: str | Path, message: str, line: int | None = None) -> None:
        self.file = str(file)
        self.line = line
        self.problem = message
        where = f"{self.file}, line {line}" if line else self.file
        super().__init__(f"{where}: {message}")


@dataclass
class _Turn:
    speaker: str
    role: str
    start: int
    end: int
    line: int
    timestamp: str | None = None
    extra: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------- plain text


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16: same first bytes
        return normalise(_decode_bom(path, raw, "utf-32"))
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Notepad's "Unicode"
        return normalise(_decode_bom(path, raw, "utf-16"))
    if b"\x00" in raw[:8192]:
        head = raw[:8192]
        for encoding, zeros in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
            if len(raw) % 2 == 0 and zeros.count(0) >= 0.9 * len(zeros):  # Latin-script UTF-16 without BOM
                return normalise(_decode_bom(path, raw, encoding))
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise TranscriptError(path, "binary file (NUL bytes); expected a UTF-8, UTF-16 or Windows-1252 text", line)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise TranscriptError(path, "not UTF-8 and not Windows-1252 text", line) from None
        warnings.warn(
            f"{path}: not valid UTF-8 (first bad byte on line {line}); read as Windows-1252",
            UnicodeWarning,
            stacklevel=3,
        )
    return normalise(text)


def _decode_bom(path: Path, raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        text = raw[: exc.start].decode(encoding, errors="replace")
        raise TranscriptError(path, f"invalid {encoding.upper()} text", text.count("\n") + 1) from None


def _docx_text(path: Path) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise TranscriptError(path, f"not a readable Word .docx file ({type(exc).__name__})") from None
    from docx.table import Table

    lines: list[str] = []
    for block in document.iter_inner_content():  # paragraphs and tables in document order
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
        else:
            lines.append(_paragraph_text(block._p))
    return normalise("\n".join(lines))


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_SKIP = {f"{_W}delText", f"{_W}instrText", _MC_FALLBACK, f"{_W}footnoteReference", f"{_W}commentReference"}


def _paragraph_text(p) -> str:
    """All visible text of a Word paragraph element, in order.

    Unlike python-docx's ``paragraph.text`` this keeps text in tracked insertions, content
    controls, smart tags, fields and text boxes (a text box's paragraphs become lines of their own);
    deleted text and field codes are left out, and a text box stored twice (DrawingML and its VML
    fallback) is read once.
    """
    out: list[str] = []

    def walk(el, nested: bool) -> None:
        tag = el.tag
        if tag in _SKIP or not isinstance(tag, str):
            return
        if tag == f"{_W}t":
            out.append(el.text or "")
        elif tag == f"{_W}tab":
            out.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            out.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            out.append("-")
        elif tag == f"{_W}p" and nested:  # a paragraph inside a text box
            out.append("\n")
        elif tag == f"{_W}tbl" and nested:
            out.append("\n")
        for child in el:
            walk(child, nested or tag == f"{_W}txbxContent")

    walk(p, False)
    return "".join(out)


def _docx_cell_text(cell) -> str:
    """A table cell's paragraphs and nested tables as one line."""
    parts = []
    for p in cell._tc.iter(f"{_W}p"):
        if any(a.tag == f"{_W}p" for a in p.iterancestors()):
            continue  # a text box paragraph inside another paragraph: read with it
        parts.append(_paragraph_text(p))
    return " ".join(parts).replace("\n", " ").strip()  # inner spacing kept as written


_HEADER_WORDS = frozenset(
    "tid tidspunkt tidskode time timestamp start slut taler talere speaker person personer navn name "
    "rolle role tekst text udsagn transskription transcript citat kommentar linje line nr. nr no. "
    "replik replikker indhold".split()
)


def _table_lines(table) -> list[str]:
    """Transcript tables ("Taler | Tekst", "Tid | Taler | Tekst"): one ``time speaker: text`` line per row.

    The last cell is the text and the cells before it name the speaker (and time): a trailing
    colon on the speaker and a leading column of line numbers are dropped; a row whose text cell
    is empty gives just ``speaker:``. A first row of column names ("Tid | Taler | Tekst") is a
    header, kept as a plain line. A one-cell row is plain text; nested tables are read into their
    cell.
    """
    lines = []
    for k, row in enumerate(table.rows):
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:  # a merged cell is listed once per grid column: keep it once
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(_docx_cell_text(cell))
        while len(cells) > 2 and cells[0].isdigit():  # line numbers
            cells = cells[1:]
        filled = [c for c in cells if c]
        if k == 0 and len(filled) >= 2 and all(w in _HEADER_WORDS for c in filled for w in c.lower().split()):
            lines.append(" ".join(filled))  # header row
        elif len(cells) >= 2 and len(filled) >= 1 and (len(filled) >= 2 or not cells[-1]):
            speaker = " ".join(c.rstrip(":").strip() for c in cells[:-1] if c)
            lines.append(f"{speaker}: {cells[-1]}".rstrip() if speaker else cells[-1])
        elif filled:
            lines.append(filled[0])
    return lines


def _vtt_turns(path: Path) -> tuple[str, list[_Turn]]:
    """Merge consecutive cues of the same speaker; the plain text is one ``Speaker: text`` line per turn."""
    import webvtt
    from webvtt.errors import MalformedFileError

    text = _decode(path)
    srt = path.suffix.lower() == ".srt"
    kind = "SRT" if srt else "WebVTT"
    try:
        captions = webvtt.from_buffer(text.splitlines(), format="srt" if srt else "vtt", strict=False).captions
    except MalformedFileError as exc:
        raise TranscriptError(path, f"malformed {kind} subtitles: {exc}", _first_timing_line(text)) from None
    if not captions and "-->" in text:
        example = "00:00:01,000 --> 00:00:04,000" if srt else "00:00:01.000 --> 00:00:04.000"
        raise TranscriptError(path, f"no {kind} cue could be read: timing lines must look like '{example}'",
                              _first_timing_line(text))
    _warn_skipped_lines(path, text, captions)
    cues = []
    voiced = any(_VOICE_RE.search(cap.raw_text) for cap in captions)
    for cap in captions:
        for voice, body in _cue_voices(cap.raw_text):
            if not voice and voiced and cues and not TURN_RE.match(body):
                voice = cues[-1][0]  # an untagged cue among tagged ones continues the last speaker
            cues.append((voice, body, cap))
    counts: dict[str, int] = {}  # "Label: text" cues without a voice tag: labels that recur count
    for voice, body, _ in cues:
        m = None if voice else TURN_RE.match(body)
        if m:
            counts[m["label"]] = counts.get(m["label"], 0) + 1
    merged: list[list] = []  # [speaker, [texts], first timestamp, last timestamp]
    for speaker, body, cap in cues:
        if not speaker:
            m = TURN_RE.match(body)
            if m and _looks_like_label(m["label"], counts, m["rest"]):
                speaker, body = _speaker(m), m["rest"].strip()
        if not body:
            continue
        if merged and merged[-1][0] == speaker:
            merged[-1][1].append(body)
            merged[-1][3] = cap.end
        else:
            merged.append([speaker, [body], cap.start, cap.end])
    lines, turns, pos = [], [], 0
    for speaker, bodies, t0, t1 in merged:
        body = normalise(" ".join(bodies))
        prefix = f"{speaker}: " if speaker else ""
        line = prefix + body
        turns.append(
            _Turn(speaker or "", "", pos + len(prefix), pos + len(line), len(lines) + 1, t0,
                  {"timestamp_end": t1})
        )
        lines.append(line)
        pos += len(line) + 1
    return "\n".join(lines), turns


_TIMING_RE = re.compile(r"^(?:\d+:)+\d+(?:[.,]\d+)?[ \t]*-->")
_VOICE_RE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+(?P<voice>[^>]*)>")
_TAG_RE = re.compile(r"</?(?:[a-zA-Z][^<>]*|\d[\d:.]*)>")  # <i>, <c.red>, </v>, <00:17.500>


def _cue_voices(raw: str) -> list[tuple[str, str]]:
    """``(voice, text)`` pieces of a cue: one per ``<v Name>`` span (a cue may hold several)."""
    import html

    def clean(part: str) -> str:
        lines = html.unescape(_TAG_RE.sub("", part)).splitlines()
        return " ".join(line.strip() for line in lines if line.strip())  # inner spacing as written

    tags = list(_VOICE_RE.finditer(raw))
    if not tags:
        return [("", clean(raw))]
    pieces = [("", clean(raw[: tags[0].start()]))] if raw[: tags[0].start()].strip() else []
    for k, tag in enumerate(tags):
        end = tags[k + 1].start() if k + 1 < len(tags) else len(raw)
        pieces.append((tag["voice"].strip(), clean(raw[tag.end() : end])))
    return pieces


def _first_timing_line(text: str) -> int | None:
    return next((k for k, line in enumerate(text.split("\n"), start=1) if "-->" in line or "->" in line), None)


def _warn_skipped_lines(path: Path, text: str, captions: list) -> None:
    """Warn (with line numbers) about text lines that ended up in no cue, e.g. after a broken timing line."""
    from collections import Counter

    in_cues = Counter(line.strip() for cap in captions for line in cap.raw_text.split("\n") if line.strip())
    lines = text.split("\n")
    skipped, block = [], None
    for k, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            block = None
            continue
        if k == 0 and stripped.startswith("WEBVTT") or stripped.split(" ", 1)[0] in ("NOTE", "STYLE", "REGION"):
            block = "skip"
        if block == "skip" or _TIMING_RE.match(stripped) or stripped.isdigit():
            continue
        if k + 1 < len(lines) and _TIMING_RE.match(lines[k + 1].strip()):
            continue  # a cue identifier
        if in_cues[stripped] > 0:
            in_cues[stripped] -= 1
        else:
            skipped.append(k + 1)
    if skipped:
        shown = ", ".join(map(str, skipped[:5])) + (" ..." if len(skipped) > 5 else "")
        warnings.warn(f"{path}: {len(skipped)} line(s) are in no readable cue and were skipped (line {shown}); "
                      "check the timing line above them", UserWarning, stacklevel=4)


def plain_text(source: str | Path) -> str:
    """The normalised plain text that a transcript's ``start``/``end`` offsets refer to.

    Text files: the decoded, NFC-normalised text with LF line ends (front matter included).
    Word: the paragraphs (and table rows, as ``speaker: text``) joined by newlines. WebVTT and SRT:
    one ``Speaker: text`` line per merged turn.
    """
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return _docx_text(path)
    if suffix in (".vtt", ".srt"):
        return _vtt_turns(path)[0]
    return _decode(path)


# ----------------------------------------------------------------------------- parsing


def _front_matter(path: Path, text: str) -> tuple[dict, int]:
    """Parse YAML front matter; return (metadata, offset where the body starts)."""
    if not text.startswith("---"):
        return {}, 0
    first_nl = text.find("\n")
    if text[:first_nl if first_nl >= 0 else None].strip() != "---":
        return {}, 0
    m = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M).search(text, first_nl + 1)
    if not m:
        raise TranscriptError(path, "front matter opened with '---' is never closed", 1)
    import yaml

    block = text[first_nl + 1 : m.start()]
    # Base loader: every value stays the text that was written ("0012" is not 10, "ON" is not True);
    # libyaml's when available (~10x faster)
    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    try:
        meta = yaml.load(block, Loader=loader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        line = getattr(mark, "line", 0) + 2
        problem = " ".join(str(getattr(exc, "problem", "") or exc.__class__.__name__).split())
        raise TranscriptError(path, f"invalid YAML in front matter ({problem}); each line must be "
                              f"'key: value'", line) from None
    if not isinstance(meta, dict):
        raise TranscriptError(path, "front matter must be a mapping of 'key: value' lines", 2)
    end = m.end() + 1 if m.end() < len(text) else m.end()
    def value(v: object) -> str:
        if isinstance(v, list):  # "afdeling: [A, B]" or a "- item" list
            return "; ".join(value(x) for x in v)
        return "" if v is None else str(v).strip()

    return {str(k).strip(): value(v) for k, v in meta.items()}, end


def _looks_like_label(label: str, counts: dict[str, int], rest: str = "") -> bool:
    """Whether ``label`` in a ``label: rest`` line names a speaker (``counts``: labels in the file).

    Codes (``IP``, ``D1``, ``Deltager 2``) and single capitalised words (names) count. Where other
    speakers recur, a label used only once must also look like the start of a turn: "Først:
    hvordan ...", "Punkt 3: ledelsen" and "Men: ..." inside a turn are text, not speakers.
    """
    label = label.strip()
    n = counts.get(label, 0)
    if label.lower() in DEFAULT_INTERVIEWER_LABELS:
        return True
    coded = bool(_CODE_LABEL_RE.match(label) or _NUMBERED_LABEL_RE.match(label))
    if n == 1 and max(counts.values()) >= 2:  # a one-off label where other speakers recur
        if label.lower().split()[0] in _NOT_SPEAKERS:
            return False
        if not coded and rest.lstrip("\"'“„»([ \t")[:1].islower():  # "D4: øh, ..." is still a turn
            return False
    if coded:
        return True
    if n >= 2 and _CODE_LABEL_RE.match(label.upper()):  # lower-case codes: "ip:", "d1:"
        return True
    if _SINGLE_WORD_LABEL_RE.match(label):
        return True
    # Multi-word labels without a number ("Ledende lægesekretær") must recur to count as speakers.
    return n >= 2 and label[0].isupper()


def _lines(text: str, offset: int) -> Iterator[tuple[int, int, str]]:
    """Yield (line number, start offset, line) for the text after ``offset``."""
    lineno = text.count("\n", 0, offset) + 1
    pos = offset
    for line in text[offset:].split("\n"):
        yield lineno, pos, line
        pos += len(line) + 1
        lineno += 1


@functools.lru_cache(maxsize=4096)
def _role(label: str, interviewer_labels: frozenset[str]) -> str:
    lab = label.strip().lower()
    bare = re.sub(r"[ \t]*[\[(][^\[\]()]*[\])]$", "", lab)  # "I (uddybende)" is still "I"
    forms = {lab, bare, re.sub(r"[\s.]+", "", bare)}  # "I 1", "Int." as "i1", "int"
    if forms & interviewer_labels or _is_question_label(label) or _INTERVIEWER_WORD_RE.search(label):
        return "interviewer"
    return "participant"


def _infer_interviewer(path: Path, text: str, turns: list[_Turn]) -> None:
    """No turn has an interviewer label: take the speaker who mostly asks questions, and say so.

    Transcripts often name the interviewer ("Mette:", Teams display names). The speaker counts as
    the interviewer when at least half of their turns (and at least two) end in a question mark
    and no other speaker asks even half as often.
    """
    if any(t.role == "interviewer" for t in turns):
        return
    asked: dict[str, list[int]] = {}
    for t in turns:
        if t.role == "participant" and t.speaker:
            n = asked.setdefault(t.speaker, [0, 0])
            n[0] += 1
            n[1] += text[t.start : t.end].rstrip().endswith("?")
    if len(asked) < 2:
        return
    share = {s: q / n for s, (n, q) in asked.items()}
    best = max(share, key=lambda s: (share[s], asked[s][1]))
    runner_up = max(v for s, v in share.items() if s != best)
    if share[best] >= 0.5 and asked[best][1] >= 2 and runner_up < share[best] / 2:
        for t in turns:
            if t.speaker == best:
                t.role = "interviewer"
        warnings.warn(f"{path}: no interviewer label; took {best!r} as the interviewer "
                      f"({asked[best][1]} of {asked[best][0]} turns are questions)", UserWarning, stacklevel=4)


def _span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _time(m: re.Match) -> str | None:
    """The time of a ``TURN_RE``/``NAME_LINE_RE`` match, wherever on the line it stood."""
    return next((v for k, v in m.groupdict().items() if k.startswith("ts") and v), None)


def _is_question_label(label: str) -> bool:
    """``Spørgsmål 3``, ``Spm. 3`` ...: the label of a mail question, the interviewer's."""
    return bool(QUESTION_RE.match(f"{label}: x"))


def _speaker(m: re.Match) -> str:
    """Speaker of a ``TURN_RE`` match: the label, with its bracketed note ("IP3 (lægesekretær)")."""
    label, note = m["label"].strip(), m.groupdict().get("note")
    return f"{label} ({note.strip()})" if note else label


def _note(start: int, end: int, line: int) -> _Turn:
    """Text before the first speaker turn (a title, a description): kept, never coded."""
    return _Turn("", "note", start, end, line)


def _parse_turns(text: str, body_start: int, interviewer_labels: frozenset[str],
                 turn_re: re.Pattern = TURN_RE) -> list[_Turn]:
    """``Label: text`` turns (optionally timed); [] when the text has none.

    Without any, ``Label<TAB>text`` and ``Label - text`` turns are tried, with recurring labels only.
    """
    lines = list(_lines(text, body_start))
    counts: dict[str, int] = {}
    for _, _, line in lines:
        m = turn_re.match(line)
        if m:
            counts[m["label"]] = counts.get(m["label"], 0) + 1
    if turn_re is TURN_SEP_RE:
        counts = {k: v for k, v in counts.items() if v >= 2}
        if len(counts) < 2:
            return []
    turns: list[_Turn] = []
    pending: str | None = None  # a time on a line of its own: the next turn's
    for lineno, pos, line in lines:
        m = turn_re.match(line)
        if m and m["label"] in counts and _looks_like_label(m["label"], counts, m["rest"]):
            speaker = _speaker(m)
            start = pos + m.start("rest")
            turns.append(_Turn(speaker, _role(speaker, interviewer_labels), start, pos + len(line), lineno,
                               _time(m) or pending))
            pending = None
        elif time_line := TIME_LINE_RE.match(line):
            pending = time_line["ts"]
        elif turns and line.strip():
            turns[-1].end = pos + len(line)  # continuation line (or more preamble)
        elif line.strip():
            turns.append(_note(pos, pos + len(line), lineno))
    if all(t.role == "note" or _is_question_label(t.speaker) for t in turns):
        if turn_re is TURN_RE and not any(t.role != "note" for t in turns):
            return _parse_turns(text, body_start, interviewer_labels, TURN_SEP_RE)
        return []  # no speakers, or only "Spørgsmål N:" labels: mail answers
    return _finish(text, turns)


def _finish(text: str, turns: list[_Turn]) -> list[_Turn]:
    """Trim each turn's span to its text; drop turns left empty (also those never given text).

    A closing f4/f5 time mark (``... #00:01:02-5#``) leaves the text for ``timestamp_end``.
    """
    for t in turns:
        t.start, t.end = _span(text, t.start, t.end)
        mark = END_MARK_RE.search(text, max(t.start, t.end - 24), t.end) if text[t.end - 1 : t.end] == "#" else None
        if mark:
            t.extra["timestamp_end"] = mark["ts"] + (f".{mark['frac']}" if mark["frac"] else "")
            t.end = _span(text, t.start, mark.start())[1]
    return [t for t in turns if t.end > t.start]


def _parse_name_lines(text: str, body_start: int, interviewer_labels: frozenset[str]) -> list[_Turn]:
    """Turns whose speaker stands on a line of its own above the text (Teams/Word exports).

    A name line is taken as a speaker when it carries a time (``Interviewer   0:03``) or, without
    one, when it follows a blank line and its label recurs as such; at least two such lines with two
    different speakers are needed, else [] (the text is read as paragraphs).
    """
    lines = list(_lines(text, body_start))
    found: list[tuple[int, str, str | None]] = []  # (line index, label, time)
    for k, (_, _, line) in enumerate(lines):
        if not line.strip() or k + 1 >= len(lines) or not lines[k + 1][2].strip():
            continue
        m = NAME_LINE_RE.match(line)
        if not m or m["label"].rstrip()[-1] in ".,;" or QUESTION_HEADING_RE.match(line):
            continue
        ts = _time(m)
        if ts or k == 0 or not lines[k - 1][2].strip():
            found.append((k, m["label"].strip(), ts))
    counts: dict[str, int] = {}
    for _, label, _ in found:
        counts[label] = counts.get(label, 0) + 1
    timed = {label for _, label, ts in found if ts}
    speakers = {label for label, n in counts.items()
                if label in timed or (n >= 2 and _looks_like_label(label, counts))}
    starts = {k: (label, ts) for k, label, ts in found if label in speakers}
    if len(starts) < 2 or len(speakers) < 2:
        return []
    turns: list[_Turn] = []
    current: _Turn | None = None
    for k, (lineno, pos, line) in enumerate(lines):
        if k in starts:
            label, ts = starts[k]
            current = _Turn(label, _role(label, interviewer_labels), -1, -1, lineno, ts)
            turns.append(current)
        elif line.strip():
            if current is None:
                current = _note(pos, pos + len(line), lineno)
                turns.append(current)
            if current.start < 0:
                current.start = pos
            current.end = pos + len(line)
    return _finish(text, turns)


def _parse_mail(text: str, body_start: int, respondent: str) -> list[_Turn]:
    """Paragraphs are answers; ``Spørgsmål N:`` lines and numbered questions (``2) Hvordan ...?``)
    are interviewer rows."""
    turns: list[_Turn] = []
    para: _Turn | None = None
    for lineno, pos, line in _lines(text, body_start):
        if not line.strip():
            para = None
            continue
        heading = QUESTION_HEADING_RE.match(line)
        if heading:  # the question itself is on the next line(s)
            para = _Turn(" ".join(heading["label"].split()), "interviewer", -1, -1, lineno)
            turns.append(para)
            continue
        a = ANSWER_RE.match(line)
        if a:  # "Svar: ..." / "A: ...": the answer starts after the label (or on the next line)
            para = _Turn(respondent, "participant", pos + a.start("rest") if a["rest"].strip() else -1,
                         pos + len(line), lineno)
            turns.append(para)
            continue
        q = QUESTION_RE.match(line) or MAIL_QUESTION_RE.match(line)
        n = None if q else NUMBERED_QUESTION_RE.match(line)
        if q or n:
            m = q or n
            answer = n.start("answer") if n and n["answer"] else -1
            inline = INLINE_ANSWER_RE.search(line, m.start("rest")) if q else None
            if inline:
                answer = inline.end()
            end_q = inline.start() + 1 if inline else (m.end("rest") if answer >= 0 else len(line))
            start, end = _span(text, pos + m.start("rest"), pos + end_q)
            label = " ".join(q["label"].split()) if q else f"Spørgsmål {n['number']}"
            turns.append(_Turn(label, "interviewer", start, end, lineno))
            para = None
            if answer >= 0:  # "1. Hvordan ...? Den er ..." : the answer starts on the same line
                para = _Turn(respondent, "participant", pos + answer, pos + len(line), lineno)
                turns.append(para)
            continue
        if para is None:
            para = _Turn(respondent, "participant", pos, pos + len(line), lineno)
            turns.append(para)
        else:
            if para.start < 0:
                para.start = pos
            para.end = pos + len(line)
    return _finish(text, turns)


def _read_one(path: Path, interviewer_labels: frozenset[str]) -> tuple[dict, list[dict]]:
    suffix = path.suffix.lower()
    if path.is_dir():
        raise TranscriptError(path, f"no transcript files in this folder (supported: {', '.join(SUPPORTED_SUFFIXES)})")
    if not path.exists():
        raise TranscriptError(path, "file or folder not found")
    if suffix not in SUPPORTED_SUFFIXES:
        hint = "; save it as .docx or .txt" if suffix in (".doc", ".rtf", ".odt", ".pdf", ".pages") else ""
        raise TranscriptError(
            path, f"unsupported file type {suffix or '(none)'}; supported: {', '.join(SUPPORTED_SUFFIXES)}{hint}"
        )
    if suffix in (".vtt", ".srt"):
        text, turns = _vtt_turns(path)
        meta: dict = {}
        is_mail = False
        for t in turns:
            t.role = _role(t.speaker, interviewer_labels) if t.speaker else "participant"
    else:
        text = _docx_text(path) if suffix == ".docx" else _decode(path)
        meta, body_start = _front_matter(path, text)
        named = re.split(r"[,;]", meta.get("interviewer", ""))  # front matter may name the interviewer(s)
        interviewer_labels = interviewer_labels | {n.strip().lower() for n in named if n.strip()}
        is_mail = meta.get("interviewform", "").strip().lower() == "mail"
        turns = [] if is_mail else _parse_turns(text, body_start, interviewer_labels)
        if not is_mail and not turns:
            turns = _parse_name_lines(text, body_start, interviewer_labels)
        if is_mail or not turns:
            respondent = meta.get("interessentgruppe") or "Respondent"
            turns = _parse_mail(text, body_start, respondent)
    if not is_mail:
        _infer_interviewer(path, text, turns)
    if not any(t.role == "participant" for t in turns):
        asking = sorted({t.speaker for t in turns if t.role == "interviewer"})
        if asking:
            raise TranscriptError(
                path, f"no participant turn found: every turn is labelled as the interviewer's "
                f"({', '.join(asking)}); participant turns need a label of their own, e.g. 'IP: ...' or "
                f"'Deltager 1: ...'", turns[0].line)
        raise TranscriptError(path, "empty transcript: no participant text found")
    speakers = {t.speaker for t in turns if t.role == "participant"}
    if not is_mail and len(speakers) >= 2 and not any(t.role == "interviewer" for t in turns):
        warnings.warn(f"{path}: no interviewer recognised among {len(speakers)} speakers; all turns are read "
                      f"as participant speech (name the interviewer with 'interviewer: <label>' in the front "
                      f"matter or with interviewer_labels)", UserWarning, stacklevel=3)
    interview_id = meta.pop("interview", "") or meta.pop("interview_id", "") or path.stem
    meta.pop("interview_id", None)
    width = max(3, len(str(len(turns))))
    rows = []
    for i, t in enumerate(turns, start=1):
        rows.append({
            "interview_id": interview_id,
            "source": str(path),
            "segment_id": f"{interview_id}:{i:0{width}d}",
            "turn": i,
            "speaker": t.speaker,
            "role": t.role,
            "text": text[t.start : t.end].replace("\n", " "),
            "start": t.start,
            "end": t.end,
            "timestamp": t.timestamp,
            "line": t.line,
            **t.extra,
        })
    return {"interview_id": interview_id, **meta}, rows


# ----------------------------------------------------------------------------- metadata


def _cell_text(value: object) -> str:
    """An Excel cell as the text a person typed: dates as 2021-03-17, whole numbers without ".0"."""
    import datetime as dt

    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_csv_table(path: Path) -> pd.DataFrame:
    """A case table as saved by Excel or by hand: comma, semicolon or tab separated; encodings as
    for transcripts."""
    import io

    text = _decode(path)  # the same decoding and normalisation as the transcripts
    header = text.split("\n", 1)[0]
    sep = max((",", ";", "\t"), key=header.count)
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise TranscriptError(path, f"unreadable CSV table: {str(exc).strip()}",
                              int(line[1]) if line else None) from None


def _read_case_table(metadata: str | Path | pd.DataFrame) -> pd.DataFrame:
    if isinstance(metadata, pd.DataFrame):
        table = metadata.copy()
    else:
        path = Path(metadata)
        if not path.is_file():
            raise TranscriptError(path, "metadata file not found")
        if path.suffix.lower() in (".xlsx", ".xls"):
            table = pd.read_excel(path, dtype=object).map(_cell_text)
        else:
            table = _read_csv_table(path)
    table = table.fillna("").astype(str).apply(lambda col: col.str.strip())
    known = {"interview", "interview_id", "file", *METADATA_COLUMNS}
    table.columns = [str(c).strip().lower() if str(c).strip().lower() in known else str(c).strip()
                     for c in table.columns]
    if "interview_id" in table.columns and "interview" not in table.columns:
        table = table.rename(columns={"interview_id": "interview"})
    name = metadata if isinstance(metadata, (str, Path)) else "the metadata table"
    if "interview" not in table.columns and "file" not in table.columns:
        raise TranscriptError(name, "metadata table needs an 'interview' (or 'interview_id') or 'file' column", 1)
    key = "interview" if "interview" in table.columns else "file"
    keys = table[key].str.casefold()
    for value in keys[keys.duplicated() & (keys != "")].unique():
        rows = table[keys == value]
        if len(rows.drop_duplicates()) > 1:  # the same id twice with different values
            lines = " and ".join(str(i + 2) for i in rows.index[:2])
            raise TranscriptError(name, f"{key} {rows[key].iloc[0]!r} has several rows with different "
                                  f"values (lines {lines})", int(rows.index[1]) + 2)
    return table


def _merge_metadata(meta: dict, path: Path, row: dict | None, table_name: str) -> dict:
    if row is None:
        return meta
    merged = dict(meta)
    for key, value in row.items():
        if key in ("interview", "file") or value == "":
            continue
        current = merged.get(key, "")
        if current and current != value:
            raise TranscriptError(
                path,
                f"metadata conflict for '{key}': the transcript says {current!r}, "
                f"{table_name} says {value!r}",
            )
        merged[key] = value
    return merged


# ----------------------------------------------------------------------------- public API


def iter_files(source: str | Path | Iterable[str | Path]) -> list[Path]:
    """Expand a file, folder (recursively, supported files sorted) or list of those into paths."""
    items = [source] if isinstance(source, (str, Path)) else list(source)
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith((".", "~$")))
            found = [f for f in files if f.suffix.lower() in SUPPORTED_SUFFIXES]
            other = [f.name for f in files if f.suffix.lower() not in SUPPORTED_SUFFIXES]
            if other:
                warnings.warn(f"{p}: skipped {len(other)} file(s) that are not transcripts "
                              f"({', '.join(other[:3])}{' ...' if len(other) > 3 else ''}); supported: "
                              f"{', '.join(SUPPORTED_SUFFIXES)}", UserWarning, stacklevel=2)
            out.extend(found or [p])  # a folder without transcripts is reported as such
        else:
            out.append(p)
    return out


def iter_transcripts(
    source: str | Path | Iterable[str | Path],
    *,
    metadata: str | Path | pd.DataFrame | None = None,
    interviewer_labels: Iterable[str] = DEFAULT_INTERVIEWER_LABELS,
) -> Iterator[tuple[Path, pd.DataFrame | TranscriptError]]:
    """Yield ``(path, segments)`` per file, or ``(path, TranscriptError)`` for a file that failed.

    The streaming form of :func:`read_transcripts`: memory stays flat in the number of files.
    """
    labels = frozenset(x.lower() for x in interviewer_labels)
    table = _read_case_table(metadata) if metadata is not None else None
    table_name = str(metadata) if isinstance(metadata, (str, Path)) else "the metadata table"
    seen: dict[str, Path] = {}  # interview id -> the file that has it
    for path in iter_files(source):
        try:
            meta, rows = _read_one(path, labels)
            first = seen.setdefault(meta["interview_id"], path)
            if first != path:
                raise TranscriptError(path, f"interview id {meta['interview_id']!r} is used by several files: "
                                      f"{first}, {path} (give each an 'interview:' id of its own)")
            row = _match_row(table, meta["interview_id"], path)
            meta = _merge_metadata(meta, path, row, table_name)
        except TranscriptError as exc:
            yield path, exc
            continue
        except OSError as exc:
            yield path, TranscriptError(path, f"cannot read file: {exc.strerror or exc}")
            continue
        extra = {k: v for k, v in meta.items() if k != "interview_id"}
        yield path, _frame([{**row, **extra} for row in rows])


def _match_row(table: pd.DataFrame | None, interview_id: str, path: Path) -> dict | None:
    if table is None:
        return None
    hits = pd.Series(False, index=table.index)
    if "interview" in table.columns:
        hits |= table["interview"] == interview_id
        if not hits.any():  # "al01" in the table for AL01.txt
            hits |= table["interview"].str.casefold() == interview_id.casefold()
    if "file" in table.columns:
        names = table["file"].str.strip().map(lambda s: Path(s).name if s else "")
        hits |= names == path.name
    if not hits.any():
        return None
    return table[hits].iloc[0].to_dict()


def metadata_coverage(segments: pd.DataFrame, metadata: str | Path | pd.DataFrame) -> tuple[list[str], list[str]]:
    """Case-table rows that matched no transcript, and interviews with no row; warns about both.

    Example:
        >>> unmatched, without = metadata_coverage(segs, "cases.csv")  # doctest: +SKIP
    """
    table = _read_case_table(metadata)
    first_source = segments.groupby("interview_id", sort=True)["source"].first()
    seen_ids = {i.casefold() for i in first_source.index}
    seen_files = {Path(s).name for s in first_source}
    unmatched = []
    for _, row in table.iterrows():
        key_id, key_file = row.get("interview", ""), Path(row.get("file", "") or "x").name
        if key_id.casefold() not in seen_ids and key_file not in seen_files:
            unmatched.append(key_id or key_file)
    without = [i for i, src in first_source.items() if _match_row(table, i, Path(src)) is None]
    if unmatched:
        warnings.warn(f"metadata rows matching no transcript: {', '.join(unmatched)}", UserWarning, stacklevel=2)
    if without:
        warnings.warn(f"transcripts with no metadata row: {', '.join(without)}", UserWarning, stacklevel=2)
    return unmatched, without


def _frame(rows: list[dict]) -> pd.DataFrame:
    """Rows -> DataFrame with the standard columns first (missing metadata as "")."""
    keys = dict.fromkeys(k for row in rows for k in row)
    columns = [*COLUMNS, *(k for k in keys if k not in COLUMNS)]
    data = {c: [row.get(c, None if c.startswith("timestamp") else "") for row in rows] for c in columns}
    return pd.DataFrame(data, columns=columns, dtype=object if not rows else None)


def read_transcripts(
    source: str | Path | Sequence[str | Path],
    *,
    metadata: str | Path | pd.DataFrame | None = None,
    errors: str = "raise",
    interviewer_labels: Iterable[str] = DEFAULT_INTERVIEWER_LABELS,
) -> pd.DataFrame:
    """Read transcripts into one DataFrame, one row per segment.

    ``source``: a file, a folder (all supported files below it, sorted) or a list of those.
    ``metadata``: a CSV/XLSX case table (one row per interview, keyed by ``interview`` id or
    ``file`` name) whose values fill the front matter; a differing value is an error.
    ``errors="raise"`` raises the first :class:`TranscriptError`; ``errors="collect"`` returns every
    readable file and lists the failures in ``result.attrs["errors"]`` (dicts with ``file``,
    ``line``, ``message``). ``result.attrs["unmatched_metadata"]`` lists case-table rows that matched
    no file and ``result.attrs["files_without_metadata"]`` files with no row.

    Example:
        >>> segs = read_transcripts(["a.txt", "b.vtt"], errors="collect")  # doctest: +SKIP
        >>> segs.attrs["errors"]                                           # doctest: +SKIP
        []
    """
    if errors not in ("raise", "collect"):
        raise ValueError("errors must be 'raise' or 'collect'")
    frames, failures, files_without = [], [], []
    for _path, result in iter_transcripts(source, metadata=metadata, interviewer_labels=interviewer_labels):
        if isinstance(result, TranscriptError):
            if errors == "raise":
                raise result
            failures.append({"file": result.file, "line": result.line, "message": result.problem})
            continue
        frames.append(result)
    out = pd.concat(frames, ignore_index=True) if frames else _frame([])
    for col in [c for c in out.columns if c.startswith("timestamp")]:  # missing time: None, as in every file
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    unmatched: list[str] = []
    if metadata is not None:
        unmatched, files_without = metadata_coverage(out, metadata)
    out = out.reset_index(drop=True)
    out.attrs["errors"] = failures
    out.attrs["unmatched_metadata"] = unmatched
    out.attrs["files_without_metadata"] = files_without
    return out
