"""Small text helpers shared by the reader and the NLP layer.

Transcription annotations such as ``[griner]``, ``[pause]`` or ``(utydeligt)`` stay in a segment's
text, so quotes remain faithful, but they are recognised here so that NLP can drop them.

Example:
    >>> strip_annotations("Ja [griner] det var (utydeligt) sjovt #00:01:02-5#")
    'Ja det var sjovt'
"""

from __future__ import annotations

import re
import unicodedata

# Words that mark a round-bracket aside as a transcriber's annotation rather than a parenthesis.
ANNOTATION_WORDS = (
    "utydeligt|uhørligt|uforståeligt|uklart|griner|griner lidt|ler|latter|fniser|suk|sukker|pause|"
    "kort pause|lang pause|afbrydes|afbryder|afbrudt|hoster|rømmer sig|tavshed|stilhed|"
    "mumler|hvisker|telefon ringer|støj|overlap|krydstale|inaudible|laughs|crosstalk"
)
ANNOTATION_RE = re.compile(
    r"\[[^\[\]\n]{1,80}\]"  # any square-bracket note: [griner], [flere taler i munden på hinanden]
    r"|#\d{1,2}:\d{2}:\d{2}(?:[-.,]\d{1,3})?#"  # f4/f5 time marks: #00:01:02-5#
    rf"|\((?:{ANNOTATION_WORDS})(?:[ ,][^()\n]{{0,40}})?\)",
    re.IGNORECASE,
)
_SPACES_RE = re.compile(r"[ \t]{2,}")


_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2028": "\n", "\u2029": "\n",
                         "\u200b": None, "\ufeff": None})


def normalise(text: str) -> str:
    r"""Return ``text`` NFC-normalised with CRLF/CR line ends turned into LF.

    No-break spaces (Word puts them after colons) become plain spaces, Unicode line/paragraph
    separators newlines; zero-width spaces and stray byte-order marks are dropped.

    Example:
        >>> normalise("I:\u00a0Hej\r\nIP: Hej\u200b")
        'I: Hej\nIP: Hej'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_SPACES)
    return unicodedata.normalize("NFC", text)


def find_annotations(text: str) -> list[str]:
    """List the transcription annotations in ``text``.

    Example:
        >>> find_annotations("Nej [griner] (utydeligt)")
        ['[griner]', '(utydeligt)']
    """
    return ANNOTATION_RE.findall(text)


def strip_annotations(text: str) -> str:
    """Remove transcription annotations and collapse the spaces they leave."""
    return _SPACES_RE.sub(" ", ANNOTATION_RE.sub(" ", text)).strip()
