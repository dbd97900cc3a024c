import numpy as np
import pandas as pd
import pytest

from temaer.codebook import Codebook
from temaer.coding import CodingError, coded_segment_ids, read_coding, to_long, to_wide

THEMES = ["roller", "opgaver", "udfordringer"]


@pytest.fixture
def long() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "segment_id": ["s2", "s1", "s1", "s3"],
            "theme": ["udfordringer", "roller", "opgaver", ""],
        }
    )


def test_read_long_dataframe_normalises(long):
    out = read_coding(long)
    assert list(out.columns) == ["segment_id", "theme"]
    assert out.to_dict("list") == {
        "segment_id": ["s2", "s1", "s1", "s3"],
        "theme": ["udfordringer", "roller", "opgaver", ""],
    }


def test_read_long_empty_theme_variants_and_duplicates():
    frame = pd.DataFrame(
        {
            "segment_id": [1, 1, 2, 3, 4, 4, 4],
            "theme": ["roller", "roller", None, np.nan, " ", "opgaver", ""],
            "note": list("abcdefg"),
        }
    )
    out = read_coding(frame)
    assert out["segment_id"].tolist() == ["1", "2", "3", "4"]
    assert out["theme"].tolist() == ["roller", "", "", "opgaver"]
    assert out["note"].tolist() == ["a", "c", "d", "f"]  # extra column kept


def test_duplicates_are_per_coder():
    frame = pd.DataFrame(
        {
            "segment_id": ["s1", "s1", "s1"],
            "theme": ["roller", "roller", "roller"],
            "coder": ["A", "B", "B"],
        }
    )
    out = read_coding(frame)
    assert out[["segment_id", "theme", "coder"]].values.tolist() == [
        ["s1", "roller", "A"],
        ["s1", "roller", "B"],
    ]


def test_unknown_theme_names_file_row_and_value(tmp_path):
    path = tmp_path / "kodning.csv"
    path.write_text("segment_id,theme\ns1,roller\ns2,rollr\n", encoding="utf-8")
    with pytest.raises(CodingError, match="row 3: unknown theme 'rollr'") as info:
        read_coding(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_unknown_theme_in_dataframe_names_index_label():
    frame = pd.DataFrame({"segment_id": ["a", "b"], "theme": ["roller", "x"]}, index=[10, 11])
    with pytest.raises(CodingError, match="<DataFrame>, row 11: unknown theme 'x'"):
        read_coding(frame)


def test_custom_theme_list_validates():
    frame = pd.DataFrame({"segment_id": ["a"], "theme": ["egen"]})
    assert read_coding(frame, codebook=["egen"])["theme"].tolist() == ["egen"]
    with pytest.raises(CodingError, match="unknown theme 'egen'"):
        read_coding(frame)


def test_missing_segment_id_column():
    with pytest.raises(CodingError, match="no 'segment_id' column"):
        read_coding(pd.DataFrame({"id": ["a"], "theme": ["roller"]}))


def test_empty_segment_id_is_an_error(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("segment_id,theme\ns1,roller\n,opgaver\n", encoding="utf-8")
    with pytest.raises(CodingError, match="row 3: empty segment_id"):
        read_coding(path)


def test_neither_long_nor_wide():
    with pytest.raises(CodingError, match="neither a 'theme' column"):
        read_coding(pd.DataFrame({"segment_id": ["a"], "text": ["hej"]}))


def test_read_wide_with_extra_columns():
    cb = Codebook.load()
    wide = pd.DataFrame(
        {
            "segment_id": ["s1", "s2", "s3"],
            "text": ["Vi er spindlen i nettet", "ja", "Travlt"],
            "roller": [True, False, False],
            "p_roller": [0.9, 0.1, 0.2],
            "udfordringer": [1, 0, 1],
            "opgaver": [0, 0, 1],
            "themes": ["roller;udfordringer", "", "opgaver;udfordringer"],
        }
    )
    out = read_coding(wide, codebook=cb)
    assert list(out.columns) == ["segment_id", "theme"]
    assert out.values.tolist() == [
        ["s1", "roller"],
        ["s1", "udfordringer"],
        ["s2", ""],
        ["s3", "opgaver"],
        ["s3", "udfordringer"],
    ]


def test_read_wide_segment_id_index_and_not_coded_rows():
    wide = pd.DataFrame(
        {"roller": [1.0, np.nan, 0.0], "opgaver": [np.nan, np.nan, 0.0]},
        index=pd.Index(["a", "b", "c"], name="segment_id"),
    )
    out = read_coding(wide)
    assert out.values.tolist() == [["a", "roller"], ["c", ""]]
    assert coded_segment_ids(out) == {"a", "c"}


def test_read_wide_invalid_value_names_row(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("segment_id;roller;opgaver\ns1;1;0\ns2;0;2\n", encoding="utf-8")
    with pytest.raises(CodingError, match=r"row 3, column 'opgaver': expected 0/1"):
        read_coding(path)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_file_formats_long_and_wide(tmp_path, long, suffix):
    expected = read_coding(long)
    wide = to_wide(expected, THEMES)
    for name, frame, index in (("long", long, False), ("wide", wide, True)):
        path = tmp_path / f"{name}{suffix}"
        if suffix == ".csv":
            frame.to_csv(path, index=index)
        elif suffix == ".xlsx":
            frame.to_excel(path, index=index)
        else:
            frame.to_parquet(path, index=index)
        got = read_coding(path, codebook=THEMES)
        pd.testing.assert_frame_equal(
            got.sort_values(["segment_id", "theme"], ignore_index=True),
            expected.sort_values(["segment_id", "theme"], ignore_index=True),
        )


def test_csv_keeps_leading_zeros_and_semicolons(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("segment_id;theme;note\n007;roller;a, b\n", encoding="utf-8")
    out = read_coding(path)
    assert out.values.tolist() == [["007", "roller", "a, b"]]


def test_unsupported_suffix(tmp_path):
    with pytest.raises(CodingError, match="unsupported file type"):
        read_coding(tmp_path / "k.txt")


def test_to_wide(long):
    wide = to_wide(long, THEMES)
    assert wide.index.name == "segment_id"
    assert wide.index.tolist() == ["s1", "s2", "s3"]
    assert wide.columns.tolist() == THEMES
    assert (wide.dtypes == "int64").all()
    assert wide.loc["s1"].tolist() == [1, 1, 0]
    assert wide.loc["s2"].tolist() == [0, 0, 1]
    assert wide.loc["s3"].tolist() == [0, 0, 0]  # coded with no theme


def test_to_wide_with_segments_marks_uncoded_as_nan(long):
    wide = to_wide(long, Codebook.load(), segments=["s3", "s9", "s1"])
    assert wide.index.tolist() == ["s3", "s9", "s1"]
    assert len(wide.columns) == 7
    assert wide.loc["s3"].eq(0).all()
    assert wide.loc["s9"].isna().all()
    assert wide.loc["s1", "roller"] == 1


def test_to_wide_errors(long):
    with pytest.raises(CodingError, match="not in themes"):
        to_wide(long, ["roller"])
    with pytest.raises(CodingError, match="duplicate"):
        to_wide(long, THEMES, segments=["s1", "s1"])
    with pytest.raises(CodingError, match="no 'theme' column"):
        to_wide(long.drop(columns="theme"), THEMES)


def test_to_wide_empty_and_all_empty():
    empty = pd.DataFrame(
        {"segment_id": pd.Series([], dtype=str), "theme": pd.Series([], dtype=str)}
    )
    assert to_wide(empty, THEMES).shape == (0, 3)
    none = pd.DataFrame({"segment_id": ["a", "b"], "theme": ["", ""]})
    assert to_wide(none, THEMES).to_numpy().tolist() == [[0, 0, 0], [0, 0, 0]]


def test_round_trip_long_wide_long(long):
    norm = read_coding(long)
    back = to_long(to_wide(norm, THEMES), THEMES)
    key = ["segment_id", "theme"]
    pd.testing.assert_frame_equal(
        back.sort_values(key, ignore_index=True), norm.sort_values(key, ignore_index=True)
    )


def test_round_trip_wide_long_wide(long):
    wide = to_wide(long, THEMES, segments=["s1", "s2", "s3", "s4"])
    again = to_wide(to_long(wide), THEMES, segments=wide.index)
    pd.testing.assert_frame_equal(again, wide)
    assert "s4" not in coded_segment_ids(to_long(wide))


def test_to_long_segment_id_column_and_theme_subset():
    wide = pd.DataFrame(
        {"segment_id": [1, 2], "roller": [1, 0], "opgaver": [1, 1], "p_roller": [0.7, 0.2]}
    )
    out = to_long(wide, ["roller", "opgaver"])
    assert out.values.tolist() == [["1", "roller"], ["1", "opgaver"], ["2", "opgaver"]]
    with pytest.raises(CodingError, match="no column for theme"):
        to_long(wide, ["udfordringer"])
    with pytest.raises(CodingError, match="segment '1', column 'p_roller'"):
        to_long(wide)


def test_coded_segment_ids(long):
    assert coded_segment_ids(long) == {"s1", "s2", "s3"}
    assert coded_segment_ids(read_coding(pd.DataFrame({"segment_id": [5], "theme": [""]}))) == {"5"}
