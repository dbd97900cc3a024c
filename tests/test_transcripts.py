"""Reading transcripts: every format, offsets traceable, bad input named by file and line."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from temaer.transcripts import TranscriptError, plain_text, read_transcripts

FRONT = """---
interview: T01
hospital: Regionshospitalet Randers
afdeling: Akutafdelingen
interessentgruppe: Lægesekretærer
interviewform: Gruppe
dato: 2021-03-18
---
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def assert_traceable(segs: pd.DataFrame) -> None:
    for row in segs.itertuples():
        assert plain_text(row.source)[row.start : row.end].replace("\n", " ") == row.text


def test_text_turns_timestamps_continuations_and_roles(tmp_path):
    body = (
        "[00:00:03] I: Velkommen til.\n"
        "[00:00:10] LS1: Ja tak. Jeg sidder i skranken [griner]\n"
        "og tager telefonen om formiddagen.\n"
        "\n"
        "(14:32) Lægesekretær 2: Mm (utydeligt).\n"
        "Interviewer: Hvad med MidtEPJ? Klokken 10:30 fx.\n"
        "Oversygeplejerske: Det er et kapitel for sig.\n"
    )
    segs = read_transcripts(write(tmp_path / "t01.txt", FRONT + body))
    assert list(segs["speaker"]) == ["I", "LS1", "Lægesekretær 2", "Interviewer", "Oversygeplejerske"]
    assert list(segs["role"]) == ["interviewer", "participant", "participant", "interviewer", "participant"]
    assert segs.loc[1, "text"] == "Ja tak. Jeg sidder i skranken [griner] og tager telefonen om formiddagen."
    assert list(segs["timestamp"][:3]) == ["00:00:03", "00:00:10", "14:32"]
    assert list(segs["segment_id"]) == [f"T01:{i:03d}" for i in range(1, 6)]
    assert set(segs["hospital"]) == {"Regionshospitalet Randers"}
    assert segs.loc[0, "interview_id"] == "T01"
    assert segs.loc[1, "line"] == 10  # the turn's first line in the file
    assert_traceable(segs)


def test_segment_ids_are_stable_across_runs(tmp_path):
    f = write(tmp_path / "a.txt", FRONT + "I: Hej.\nD1: Hej med dig.\n")
    assert read_transcripts(f)["segment_id"].tolist() == read_transcripts(f)["segment_id"].tolist()


def test_sentence_with_colon_is_not_a_speaker(tmp_path):
    body = "I: Fortæl.\nD1: Jeg siger det sådan\nDet er sådan her: vi har for travlt.\nD2: Enig.\n"
    segs = read_transcripts(write(tmp_path / "a.txt", FRONT + body))
    assert list(segs["speaker"]) == ["I", "D1", "D2"]
    assert "vi har for travlt" in segs.loc[1, "text"]


def test_mail_answers_questions_and_wrapping(tmp_path):
    text = (
        "---\ninterview: HL09\ninteressentgruppe: Hospitalsledelserne\ninterviewform: Mail\n---\n"
        "Spørgsmål 1: Hvilke roller har lægesekretærerne?\n\n"
        "Lægesekretærerne er bindeleddet i\nafdelingerne og koordinerer forløb.\n\n"
        "De er også første kontakt.\n\n"
        "Spørgsmål 2: Hvilke udfordringer ser I?\n"
        "Travlhed og mange systemer.\n"
    )
    segs = read_transcripts(write(tmp_path / "mail.txt", text))
    assert list(segs["role"]) == ["interviewer", "participant", "participant", "interviewer", "participant"]
    assert segs.loc[0, "speaker"] == "Spørgsmål 1"
    assert segs.loc[0, "text"] == "Hvilke roller har lægesekretærerne?"
    assert segs.loc[1, "text"] == "Lægesekretærerne er bindeleddet i afdelingerne og koordinerer forløb."
    assert set(segs.loc[segs.role == "participant", "speaker"]) == {"Hospitalsledelserne"}
    assert_traceable(segs)


def test_body_without_labels_is_read_as_mail(tmp_path):
    segs = read_transcripts(write(tmp_path / "x.md", "Første svar\nfortsat.\n\nAndet svar.\n"))
    assert segs["text"].tolist() == ["Første svar fortsat.", "Andet svar."]
    assert segs["interview_id"].tolist() == ["x", "x"]


def test_windows_1252_bom_and_crlf(tmp_path):
    cp = write(tmp_path / "cp.txt", "I: Hvad så?\r\nD1: Sekretærerne er søde ærligt talt.\r\n", "cp1252")
    with pytest.warns(UnicodeWarning, match="Windows-1252"):
        segs = read_transcripts(cp)
    assert segs.loc[1, "text"] == "Sekretærerne er søde ærligt talt."
    bom = write(tmp_path / "bom.txt", "\ufeffI: Øh hej?\r\nD1: Ålborg.\r\n")
    segs = read_transcripts(bom)
    assert segs.loc[0, "speaker"] == "I" and segs.loc[1, "text"] == "Ålborg."
    assert_traceable(segs)


def test_nfc_normalisation(tmp_path):
    decomposed = "I: Hej\nD1: A\u030arhus\n"  # Å as A + combining ring
    segs = read_transcripts(write(tmp_path / "n.txt", decomposed))
    assert segs.loc[1, "text"] == "Århus"


def test_docx(tmp_path):
    import docx

    d = docx.Document()
    for p in ["---", "interview: W01", "interviewform: Enkelt", "---", "I: Hvad laver du?",
              "LLS: Jeg leder sekretariatet.", "Og jeg koder.", "I: Tak."]:
        d.add_paragraph(p)
    d.save(tmp_path / "w.docx")
    segs = read_transcripts(tmp_path / "w.docx")
    assert segs["speaker"].tolist() == ["I", "LLS", "I"]
    assert segs.loc[1, "text"] == "Jeg leder sekretariatet. Og jeg koder."
    assert segs.loc[0, "interviewform"] == "Enkelt"
    assert_traceable(segs)


def test_vtt_voice_tags_merge_consecutive_cues(tmp_path):
    vtt = (
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n<v Interviewer>Velkommen.</v>\n\n"
        "00:00:03.500 --> 00:00:05.000\n<v Lægesekretær 1>Tak, jeg starter</v>\n\n"
        "00:00:05.000 --> 00:00:07.000\n<v Lægesekretær 1>med booking.</v>\n\n"
        "00:00:07.000 --> 00:00:08.000\n<v Lægesekretær 2>Ja.</v>\n"
    )
    segs = read_transcripts(write(tmp_path / "m.vtt", vtt))
    assert segs["speaker"].tolist() == ["Interviewer", "Lægesekretær 1", "Lægesekretær 2"]
    assert segs["role"].tolist() == ["interviewer", "participant", "participant"]
    assert segs.loc[1, "text"] == "Tak, jeg starter med booking."
    assert segs.loc[1, "timestamp"] == "00:00:03.500"
    assert segs.loc[1, "timestamp_end"] == "00:00:07.000"
    assert_traceable(segs)


def test_vtt_real_samples(shared_data):
    segs = read_transcripts(shared_data / "webvtt-samples" / "teams_timeframe.vtt")
    assert {"Yuri Bakulin", "Adrian Petrescu"} <= set(segs["speaker"])
    assert_traceable(segs)
    tags = read_transcripts(shared_data / "webvtt-samples" / "cue_tags.vtt")
    assert "<" not in "".join(tags["text"])  # cue timestamps and class tags removed


def test_metadata_fills_and_conflicts(tmp_path):
    f = write(tmp_path / "a.txt", "---\ninterview: A1\nhospital: Regionshospitalet Randers\n---\nI: Hej\nD1: Ja\n")
    write(tmp_path / "b.txt", "I: Hej\nD1: Nej\n")
    meta = write(tmp_path / "meta.csv", "interview,hospital,afdeling,interessentgruppe\n"
                 "A1,Regionshospitalet Randers,Akut,SOSU\nZZ9,X,Y,Z\n")
    with pytest.warns(UserWarning):
        segs = read_transcripts([f, tmp_path / "b.txt"], metadata=meta)
    a = segs[segs.interview_id == "A1"]
    assert set(a["afdeling"]) == {"Akut"} and set(a["interessentgruppe"]) == {"SOSU"}
    assert segs.attrs["unmatched_metadata"] == ["ZZ9"]
    assert segs.attrs["files_without_metadata"] == ["b"]
    write(tmp_path / "meta2.csv", "file,hospital\na.txt,Regionshospitalet Horsens\n")
    with pytest.raises(TranscriptError, match=r"a\.txt.*hospital.*Randers.*Horsens"):
        read_transcripts(f, metadata=tmp_path / "meta2.csv")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", "", "empty transcript"),
        ("only_front.txt", "---\ninterview: X\n---\n\n", "empty transcript"),
        ("open.txt", "---\ninterview: X\nI: hej\n", "never closed"),
        ("bin.txt", "I: hej\x00\x01\x02", "binary"),
        ("notes.pdf", "I: hej", "unsupported file type.*save it as .docx"),
        ("bad.docx", "not a zip", "Word"),
    ],
)
def test_bad_input_names_the_file(tmp_path, name, content, message):
    path = write(tmp_path / name, content)
    with pytest.raises(TranscriptError, match=message) as info:
        read_transcripts(path)
    assert info.value.file == str(path)


def test_unterminated_front_matter_names_line(tmp_path):
    with pytest.raises(TranscriptError) as info:
        read_transcripts(write(tmp_path / "o.txt", "---\nhospital: X\nI: hej\n"))
    assert info.value.line == 1 and "o.txt, line 1" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(TranscriptError, match="file or folder not found"):
        read_transcripts(tmp_path / "nope.txt")


def test_collect_mode_keeps_good_files(tmp_path):
    write(tmp_path / "good.txt", "I: Hej\nD1: Goddag\n")
    write(tmp_path / "bad.txt", "")
    write(tmp_path / "worse.vtt", "this is not webvtt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        segs = read_transcripts(tmp_path, errors="collect")
    assert segs["interview_id"].unique().tolist() == ["good"]
    failed = sorted(Path(e["file"]).name for e in segs.attrs["errors"])
    assert failed == ["bad.txt", "worse.vtt"]


def test_duplicate_interview_ids_are_an_error(tmp_path):
    write(tmp_path / "a.txt", "---\ninterview: X\n---\nD1: a\n")
    write(tmp_path / "b.txt", "---\ninterview: X\n---\nD1: b\n")
    with pytest.raises(TranscriptError, match="used by several files"):
        read_transcripts(tmp_path)


def test_bare_timestamps_before_the_label(tmp_path):
    text = ("00:00:05 Interviewer: Velkommen til.\n00:00:12 Deltager 1: Tak.\n"
            "[00:01:02] Deltager 2: Jeg booker patienter hele dagen.\n0:07:30 Deltager 1: Og jeg skriver.\n")
    segs = read_transcripts(write(tmp_path / "t.txt", text))
    assert segs["speaker"].tolist() == ["Interviewer", "Deltager 1", "Deltager 2", "Deltager 1"]
    assert segs["timestamp"].tolist() == ["00:00:05", "00:00:12", "00:01:02", "0:07:30"]
    assert segs.loc[0, "text"] == "Velkommen til."
    assert_traceable(segs)


def test_text_before_the_first_turn_is_kept_as_a_note(tmp_path):
    text = ("Gruppeinterview, Regionshospitalet Horsens\nOptaget 12. marts 2021, varighed 58 min.\n\n"
            "I: Hvad laver I?\nLS1: Vi booker.\n")
    segs = read_transcripts(write(tmp_path / "p.txt", text))
    assert segs["role"].tolist() == ["note", "interviewer", "participant"]
    assert segs.loc[0, "speaker"] == ""
    assert segs.loc[0, "text"].startswith("Gruppeinterview, Regionshospitalet Horsens")
    assert_traceable(segs)
    from temaer.transcripts import is_participant

    assert is_participant(segs).tolist() == [False, False, True]


@pytest.mark.parametrize("blank", ["\n", ""])
def test_speaker_on_its_own_line_with_time(tmp_path, blank):
    # Teams' Word export: "Name   m:ss" above the text, turns separated by a blank line or not
    text = (f"Interviewer   0:03\nKan du fortælle om dine opgaver?\n{blank}"
            f"Hansen, Mette   0:15\nJeg skriver diktater.\nOg så booker jeg.\n{blank}"
            "Interviewer   1:02\nTak.\n")
    segs = read_transcripts(write(tmp_path / "teams.txt", text))
    assert segs["speaker"].tolist() == ["Interviewer", "Hansen, Mette", "Interviewer"]
    assert segs["role"].tolist() == ["interviewer", "participant", "interviewer"]
    assert segs["timestamp"].tolist() == ["0:03", "0:15", "1:02"]
    assert segs.loc[1, "text"] == "Jeg skriver diktater. Og så booker jeg."
    assert_traceable(segs)


def test_speaker_on_its_own_line_without_time(tmp_path):
    text = ("Interviewer\nKan du fortælle lidt om din rolle?\n\nLægesekretær\nJa, jeg booker.\n"
            "Og så skriver jeg notater.\n\nInterviewer\nHvad er svært?\n\nLægesekretær\nDet er travlt.\n")
    segs = read_transcripts(write(tmp_path / "n.txt", text))
    assert segs["speaker"].tolist() == ["Interviewer", "Lægesekretær"] * 2
    assert segs.loc[1, "text"] == "Ja, jeg booker. Og så skriver jeg notater."
    assert_traceable(segs)


def test_paragraphs_with_short_first_lines_stay_paragraphs(tmp_path):
    # mail answers whose paragraphs start with a short line are not speaker turns
    text = ("Hej\nHer er mine svar.\n\nBooking fylder mest.\nDet tager halvdelen af dagen.\n\n"
            "Mvh\nMette\n")
    segs = read_transcripts(write(tmp_path / "mail.txt", text))
    assert len(segs) == 3
    assert set(segs["role"]) == {"participant"}


def test_utf16_with_and_without_bom(tmp_path):
    text = "I: Hvad laver du?\nLS: Jeg koordinerer på afdelingen, især søndag.\n"
    for encoding in ("utf-16", "utf-16-be", "utf-32", "utf-16-le"):
        raw = text.encode(encoding)
        if encoding == "utf-16-be":
            raw = b"\xfe\xff" + raw  # with BOM; "utf-16-le" stays without one
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(raw)
        segs = read_transcripts(path)
        assert segs.loc[1, "text"] == "Jeg koordinerer på afdelingen, især søndag."
        assert_traceable(segs)


def test_docx_transcript_table(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("Interview med afdelingsledelsen")
    table = d.add_table(rows=0, cols=3)
    for row in [("00:00:04", "Interviewer", "Hvad er lægesekretærernes vigtigste rolle?"),
                ("00:00:20", "Afdelingsleder", "De holder sammen på patientforløbene."),
                ("00:01:10", "Interviewer", "Tak.")]:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = value
    d.add_paragraph("Afdelingsleder: Og så en ting mere efter tabellen.")
    d.save(tmp_path / "tab.docx")
    segs = read_transcripts(tmp_path / "tab.docx")
    assert segs["role"].tolist() == ["note", "interviewer", "participant", "interviewer", "participant"]
    assert segs.loc[2, "text"] == "De holder sammen på patientforløbene."
    assert segs.loc[2, "timestamp"] == "00:00:20"
    assert segs.loc[4, "text"] == "Og så en ting mere efter tabellen."
    assert_traceable(segs)


def test_srt_subtitles(tmp_path):
    srt = ("1\n00:00:01,000 --> 00:00:03,000\nInterviewer: Velkommen.\n\n"
           "2\n00:00:03,500 --> 00:00:05,000\nDeltager 1: Tak, jeg starter\n\n"
           "3\n00:00:05,000 --> 00:00:07,000\nmed booking.\n")
    segs = read_transcripts(write(tmp_path / "s.srt", srt))
    assert segs["speaker"].tolist()[:2] == ["Interviewer", "Deltager 1"]
    assert segs.loc[1, "timestamp"] == "00:00:03.500"
    assert_traceable(segs)


def test_label_variants(tmp_path):
    text = ("**Interviewer:** Hvad fylder mest?\n"
            "**IP1**: Booking.\n"
            "Speaker 2 (00:01:05): Og diktater.\n"
            "IP3 (lægesekretær): Og telefonen.\n"
            "IP3 (lægesekretær): Hele tiden.\n")
    segs = read_transcripts(write(tmp_path / "v.md", text))
    assert segs["speaker"].tolist() == ["Interviewer", "IP1", "Speaker 2", "IP3 (lægesekretær)",
                                        "IP3 (lægesekretær)"]
    assert segs["text"].tolist() == ["Hvad fylder mest?", "Booking.", "Og diktater.", "Og telefonen.",
                                     "Hele tiden."]
    assert segs.loc[2, "timestamp"] == "00:01:05"
    assert segs.loc[0, "role"] == "interviewer"
    assert_traceable(segs)


def test_case_table_from_danish_excel(tmp_path):
    # Excel in a Danish locale saves CSV with semicolons in Windows-1252, headers as typed
    f = write(tmp_path / "a.txt", "I: Hvad laver du?\nLS: Jeg booker.\n")
    (tmp_path / "cases.csv").write_bytes(
        "Interview;Hospital;Interessentgruppe\na;Århus Universitetshospital;Lægesekretærer\n".encode("cp1252"))
    with pytest.warns(UnicodeWarning):
        segs = read_transcripts(f, metadata=tmp_path / "cases.csv")
    assert segs.loc[1, "hospital"] == "Århus Universitetshospital"
    assert segs.loc[1, "interessentgruppe"] == "Lægesekretærer"


def test_broken_case_table_names_the_file(tmp_path):
    f = write(tmp_path / "a.txt", "I: Hvad laver du?\nLS: Jeg booker.\n")
    bad = write(tmp_path / "cases.csv", 'interview,hospital\na,"Randers\nb,Horsens,extra,cols\n')
    with pytest.raises(TranscriptError) as info:
        read_transcripts(f, metadata=bad)
    assert info.value.file == str(bad)


def test_mail_with_numbered_questions(tmp_path):
    text = ("---\ninterview: M9\ninterviewform: Mail\ninteressentgruppe: Overlæger\n---\n"
            "1. Hvad er lægesekretærens vigtigste opgave?\nAt holde styr på forløbene.\n\n"
            "2) Hvor ser du udfordringer?\nI 2020 var der 3 fejl.\nMen det er blevet bedre.\n")
    segs = read_transcripts(write(tmp_path / "m.txt", text))
    assert segs["role"].tolist() == ["interviewer", "participant", "interviewer", "participant"]
    assert segs["speaker"].tolist() == ["Spørgsmål 1", "Overlæger", "Spørgsmål 2", "Overlæger"]
    assert segs.loc[3, "text"] == "I 2020 var der 3 fejl. Men det er blevet bedre."
    assert_traceable(segs)


def test_no_break_spaces_and_zero_width_characters(tmp_path):
    text = "I:\u00a0Hvad laver du?\nLS\u00a0:\u00a0Jeg\u200b booker.\u2028Og skriver.\n"
    segs = read_transcripts(write(tmp_path / "nbsp.txt", text))
    assert segs["speaker"].tolist() == ["I", "LS"]
    assert segs.loc[1, "text"] == "Jeg booker. Og skriver."
    assert_traceable(segs)


def test_interviewer_named_in_the_label_or_front_matter(tmp_path):
    text = ("Anne (interviewer): Hvad laver du?\nInterviewperson 1: Jeg booker.\n"
            "Moderator 2: Og hvad mere?\nInterviewperson 1: Diktater.\n")
    segs = read_transcripts(write(tmp_path / "a.txt", text))
    assert segs["role"].tolist() == ["interviewer", "participant", "interviewer", "participant"]
    named = "---\ninterviewer: Mette\n---\nMette: Hvad laver du?\nBo: Jeg booker.\nMette: Tak.\nBo: Selv tak.\n"
    segs = read_transcripts(write(tmp_path / "b.txt", named))
    assert segs["role"].tolist() == ["interviewer", "participant"] * 2


def test_interviewer_inferred_from_questions(tmp_path):
    text = ("Mette: Hvad laver du i løbet af en dag?\nBo: Jeg booker patienter.\n"
            "Mette: Og hvem samarbejder du med?\nBo: Lægerne, og somme tider spørger jeg: hvorfor?\n"
            "Mette: Hvad er svært?\nBo: Telefonen.\nMette: Tak for det.\n")
    with pytest.warns(UserWarning, match=r"took 'Mette' as the interviewer \(3 of 4"):
        segs = read_transcripts(write(tmp_path / "q.txt", text))
    assert segs.loc[segs["speaker"] == "Mette", "role"].eq("interviewer").all()
    assert segs.loc[segs["speaker"] == "Bo", "role"].eq("participant").all()


def test_no_interviewer_guess_when_questions_are_spread(tmp_path):
    text = ("A1: Hvad siger du?\nB2: Hvad mener du?\nA1: Jeg booker.\nB2: Jeg skriver.\n")
    with pytest.warns(UserWarning, match="no interviewer recognised among 2 speakers") as caught:
        segs = read_transcripts(write(tmp_path / "g.txt", text))
    assert set(segs["role"]) == {"participant"}
    assert not [w for w in caught if "took" in str(w.message)]  # no guess


def test_front_matter_values_stay_as_written(tmp_path):
    text = ("---\ninterview: 0012\nafdeling: ON\nhospital: yes\ndato: 2021-03-17\ndeltagere: 3\n---\n"
            "I: Hvad laver du?\nIP: Jeg booker.\n")
    segs = read_transcripts(write(tmp_path / "y.txt", text))
    row = segs.iloc[0]
    assert (row["interview_id"], row["afdeling"], row["hospital"], row["dato"], row["deltagere"]) == \
        ("0012", "ON", "yes", "2021-03-17", "3")
    assert segs["segment_id"].iloc[0] == "0012:001"


def test_excel_case_table_with_real_dates_and_numbers(tmp_path):
    import datetime

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Interview", "hospital", "dato", "deltagere", "note"])
    ws.append(["a", "Regionshospitalet Randers", datetime.datetime(2021, 3, 17), 3, None])
    wb.save(tmp_path / "cases.xlsx")
    f = write(tmp_path / "a.txt", "---\ndato: 2021-03-17\ndeltagere: 3\n---\nI: Hvad laver du?\nLS: Jeg booker.\n")
    segs = read_transcripts(f, metadata=tmp_path / "cases.xlsx")  # no conflict with the front matter
    assert segs.loc[1, ["hospital", "dato", "deltagere"]].tolist() == ["Regionshospitalet Randers", "2021-03-17", "3"]
    assert segs.loc[1].get("note", "") == ""  # an empty cell fills nothing


@pytest.mark.parametrize("form", ["interviewform: Mail\n", ""])
def test_mail_question_headings_on_their_own_line(tmp_path, form):
    text = (f"---\ninterview: M8\n{form}interessentgruppe: Overlæger\n---\n"
            "Spørgsmål 1\nHvilke roller har lægesekretærerne?\n\nDe koordinerer forløbene.\n\n"
            "Spørgsmål 2:\nHvad er svært.\n\nTravlhed.\nOg ferie.\n")
    segs = read_transcripts(write(tmp_path / "h.txt", text))
    assert segs["role"].tolist() == ["interviewer", "participant", "interviewer", "participant"]
    assert segs["speaker"].tolist() == ["Spørgsmål 1", "Overlæger", "Spørgsmål 2", "Overlæger"]
    assert segs["text"].tolist() == ["Hvilke roller har lægesekretærerne?", "De koordinerer forløbene.",
                                     "Hvad er svært.", "Travlhed. Og ferie."]
    assert_traceable(segs)


def test_zoom_style_bracketed_names_with_time(tmp_path):
    text = ("[Interviewer] 10:02:03\nHvad fylder mest?\n\n[Mette Hansen] 10:02:10\nBooking og telefonen.\n\n"
            "[Interviewer] 10:03:00\nTak.\n")
    segs = read_transcripts(write(tmp_path / "zoom.txt", text))
    assert segs["speaker"].tolist() == ["Interviewer", "Mette Hansen", "Interviewer"]
    assert segs["timestamp"].tolist() == ["10:02:03", "10:02:10", "10:03:00"]
    assert segs["role"].tolist() == ["interviewer", "participant", "interviewer"]
    assert_traceable(segs)


# -- awkward inputs found by feeding other people's layouts (each was silently wrong before) ----------


def _docx_with(tmp_path: Path, build) -> Path:
    import docx

    d = docx.Document()
    build(d)
    path = tmp_path / "w.docx"
    d.save(str(path))
    return path


def test_docx_keeps_insertions_content_controls_text_boxes_and_nested_tables(tmp_path):
    from docx.oxml import parse_xml

    ns = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
          'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
          'xmlns:v="urn:schemas-microsoft-com:vml"')

    def build(d):
        d.add_paragraph("I: Hvad skete der?")
        p = d.add_paragraph("IP: Så kom ")
        p._p.append(parse_xml(f'<w:ins {ns} w:id="1" w:author="x"><w:r><w:t>lægen </w:t></w:r></w:ins>'))
        p._p.append(parse_xml(f'<w:del {ns} w:id="2" w:author="x"><w:r><w:delText>slettet </w:delText></w:r></w:del>'))
        p._p.append(parse_xml(f'<w:sdt {ns}><w:sdtContent><w:r><w:t>ind på stuen.</w:t></w:r></w:sdtContent></w:sdt>'))
        box = ('<w:txbxContent><w:p><w:r><w:t>Optagelsen afbrudt.</w:t></w:r></w:p></w:txbxContent>')
        p._p.append(parse_xml(  # a text box as Word stores it: DrawingML choice plus VML fallback
            f'<w:r {ns}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>{box}</w:drawing></mc:Choice>'
            f'<mc:Fallback><w:pict><v:shape><v:textbox>{box}</v:textbox></v:shape></w:pict></mc:Fallback>'
            '</mc:AlternateContent></w:r>'))
        d.add_paragraph("I: Og om aftenen?")
        t = d.add_table(rows=1, cols=2)
        t.rows[0].cells[0].text = "IP"
        cell = t.rows[0].cells[1]
        cell.text = "Sådan her:"
        inner = cell.add_table(rows=1, cols=2)
        inner.rows[0].cells[0].text, inner.rows[0].cells[1].text = "Dagvagt", "Aftenvagt"

    segs = read_transcripts(_docx_with(tmp_path, build))
    texts = segs.set_index("turn")["text"]
    assert texts[2].startswith("Så kom lægen ind på stuen.") and "slettet" not in texts[2]
    assert texts[2].count("Optagelsen afbrudt.") == 1
    assert segs.loc[segs["turn"] == 4, ["speaker", "text"]].values.tolist() == [["IP", "Sådan her: Dagvagt Aftenvagt"]]
    assert_traceable(segs)


def test_docx_table_labels_with_colons_line_numbers_header_and_empty_text(tmp_path):
    rows = [("Nr.", "Taler", "Tekst"), ("1", "I:", "Hvordan går det?"), ("2", "IP:", "Godt."),
            ("3", "I", ""), ("4", "IP", "Travlt.")]

    def build(d):
        t = d.add_table(rows=0, cols=3)
        for row in rows:
            cells = t.add_row().cells
            for c, v in zip(cells, row, strict=True):
                c.text = v

    segs = read_transcripts(_docx_with(tmp_path, build))
    assert segs[["speaker", "role", "text"]].values.tolist() == [
        ["", "note", "Nr. Taler Tekst"], ["I", "interviewer", "Hvordan går det?"],
        ["IP", "participant", "Godt."], ["IP", "participant", "Travlt."]]


def test_colon_phrases_inside_a_turn_are_not_speakers(tmp_path):
    text = ("I: Jeg har to spørgsmål.\nFørst: hvordan er vagtplanen?\nNote: svar gerne kort.\n"
            "IP: Det bestemmer lederen.\nI: Og ellers?\nIP: Hun siger: sådan er det.\n")
    segs = read_transcripts(write(tmp_path / "c.txt", text))
    assert segs["speaker"].tolist() == ["I", "IP", "I", "IP"]
    assert segs["text"].iloc[0] == "Jeg har to spørgsmål. Først: hvordan er vagtplanen? Note: svar gerne kort."


def test_label_variants_lowercase_notes_spaces_tabs_and_dashes(tmp_path):
    lower = read_transcripts(write(tmp_path / "l.txt", "i: hvordan går det?\nip: godt.\ni: og så?\nip: travlt.\n"))
    assert lower["role"].tolist() == ["interviewer", "participant"] * 2
    notes = read_transcripts(write(tmp_path / "n.txt", "I: Hej?\nIP: Hej.\nI (uddybende): Og vagterne?\n"
                                   "I 1: Og weekenden?\nIP: Hårde.\n"))
    assert notes["role"].tolist() == ["interviewer", "participant", "interviewer", "interviewer", "participant"]
    for name, sep in (("tab.txt", "\t"), ("dash.txt", " – ")):
        text = "".join(f"{s}{sep}{t}\n" for s, t in [("Interviewer", "Hvordan går det?"), ("Mette Hansen", "Godt."),
                                                       ("Interviewer", "Og så?"), ("Mette Hansen", "Travlt.")])
        segs = read_transcripts(write(tmp_path / name, text))
        assert segs[["speaker", "role", "text"]].values.tolist()[:2] == [
            ["Interviewer", "interviewer", "Hvordan går det?"], ["Mette Hansen", "participant", "Godt."]], name


def test_f4_time_marks_time_lines_and_ranges(tmp_path):
    text = ("I: Hvordan går det? #00:00:05-2#\n\nIP: Godt, travlt. #00:00:12-8#\n\n[00:05:10]\n"
            "I: Og vagterne?\n00:06:00 - 00:06:09 IP: Hårde.\n")
    segs = read_transcripts(write(tmp_path / "f4.txt", text))
    assert segs["text"].tolist() == ["Hvordan går det?", "Godt, travlt.", "Og vagterne?", "Hårde."]
    assert segs["timestamp_end"].tolist()[:2] == ["00:00:05.2", "00:00:12.8"]
    assert segs["timestamp"].tolist()[2:] == ["00:05:10", "00:06:00"]
    assert_traceable(segs)


def test_mail_questions_ad_n_quoted_and_answer_on_the_same_line(tmp_path):
    text = ("---\ninterviewform: mail\n---\n> 1. Hvordan er arbejdsbyrden? Den er stor.\n\n"
            "Ad 2: Hvad kunne forbedres?\nFlere hænder.\n")
    segs = read_transcripts(write(tmp_path / "m.txt", text))
    assert segs[["role", "text"]].values.tolist() == [
        ["interviewer", "Hvordan er arbejdsbyrden?"], ["participant", "Den er stor."],
        ["interviewer", "Hvad kunne forbedres?"], ["participant", "Flere hænder."]]


def test_vtt_several_voices_untagged_cues_entities_and_skipped_lines(tmp_path):
    text = ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Mette>Hvordan går det?</v> <v Søren>Godt &amp; travlt.</v>\n\n"
            "00:00:03.000 --> 00:00:04.000\nMen vi klarer det.\n\n00:00:05.000 -> 00:00:06.000\n<v Mette>Tak.</v>\n")
    with pytest.warns(UserWarning, match=r"2 line\(s\) are in no readable cue.*line 9, 10"):
        segs = read_transcripts(write(tmp_path / "v.vtt", text))
    assert segs[["speaker", "text"]].values.tolist() == [
        ["Mette", "Hvordan går det?"], ["Søren", "Godt & travlt. Men vi klarer det."]]
    write(tmp_path / "c.vtt", "WEBVTT\n\n00:00:01,000 --> 00:00:02,000\nHej.\n")
    with pytest.raises(TranscriptError, match=r"c\.vtt, line 3: no WebVTT cue could be read"):
        read_transcripts(tmp_path / "c.vtt")


def test_only_interviewer_turns_is_a_clear_error(tmp_path):
    write(tmp_path / "o.txt", "I: Hvordan går det?\nInformant – Godt.\nI: Og så?\n")
    with pytest.raises(TranscriptError, match=r"o\.txt, line 1: no participant turn found.*\(I\)"):
        read_transcripts(tmp_path / "o.txt")


def test_front_matter_lists_are_joined(tmp_path):
    segs = read_transcripts(write(tmp_path / "y.txt", "---\nafdeling: [Akut, Medicin]\n---\nI: Hej?\nIP: Hej.\n"))
    assert set(segs["afdeling"]) == {"Akut; Medicin"}


def test_mail_with_q_a_and_svar_labels(tmp_path):
    text = ("---\ninterviewform: mail\n---\nQ: Hvordan er arbejdsbyrden?\nA: Den er stor.\n\n"
            "Spørgsmål 2: Hvad kunne forbedres? Svar: Flere hænder.\n\nSpørgsmål 3:\nHvem bestemmer?\nSvar:\n"
            "Lederen.\n")
    segs = read_transcripts(write(tmp_path / "qa.txt", text))
    assert segs[["role", "text"]].values.tolist() == [
        ["interviewer", "Hvordan er arbejdsbyrden?"], ["participant", "Den er stor."],
        ["interviewer", "Hvad kunne forbedres?"], ["participant", "Flere hænder."],
        ["interviewer", "Hvem bestemmer?"], ["participant", "Lederen."]]
    assert_traceable(segs)


def test_missing_times_are_none_and_an_all_failed_read_is_empty_text(tmp_path):
    write(tmp_path / "a.txt", "I: Hej? #00:00:02-0#\nIP: Hej.\n")
    write(tmp_path / "b.txt", "I: Hej?\nIP: Goddag.\n")
    segs = read_transcripts(tmp_path)
    assert segs["timestamp_end"].tolist() == ["00:00:02.0", None, None, None]
    none = read_transcripts(tmp_path / "nope.txt", errors="collect")
    assert none.empty and all(t is np.dtype(object) for t in none.dtypes) and len(none.attrs["errors"]) == 1
