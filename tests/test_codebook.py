from importlib.resources import files

import pandas as pd
import pytest
import yaml

from temaer.codebook import Codebook, CodebookError, Theme

IDS = (
    "roller",
    "opgaver",
    "patienter_paaroerende",
    "personalegrupper",
    "udfordringer",
    "kompetencegab_nu",
    "kompetencegab_fremtid",
)


@pytest.fixture(scope="module")
def cb() -> Codebook:
    return Codebook.load()


def test_default_codebook_is_package_data():
    text = (files("temaer") / "codebooks" / "kommissorium.yaml").read_text(encoding="utf-8")
    assert "kompetencegab_fremtid" in text


def test_default_codebook_ids_in_order(cb):
    assert cb.name == "kommissorium"
    assert cb.language == "da"
    assert cb.ids == IDS
    assert len(cb) == 7
    assert [t.id for t in cb] == list(IDS)
    assert all(isinstance(t, Theme) for t in cb)


def test_default_codebook_content(cb):
    for t in cb:
        assert t.label and t.description
        assert 3 <= len(t.examples) <= 5, t.id
        assert 2 <= len(t.include) <= 5, t.id
        assert 2 <= len(t.exclude) <= 5, t.id
    assert cb.labels["roller"] == "Primære roller i hospitalernes afdelinger"
    assert cb.theme("kompetencegab_nu").label.startswith("Kompetencegab")
    rules = " ".join(cb.rules).lower()
    for word in ("multi-label", "interviewer", "covid", "parkering", "løn", "kage"):
        assert word in rules


def test_theme_lookup_unknown(cb):
    with pytest.raises(KeyError, match="unknown theme 'nope'"):
        cb.theme("nope")


def test_to_frame_and_examples_frame(cb):
    frame = cb.to_frame()
    assert frame["theme"].tolist() == list(IDS)
    assert list(frame.columns) == [
        "theme",
        "label",
        "description",
        "include",
        "exclude",
        "examples",
    ]
    ex = cb.examples_frame()
    assert list(ex.columns) == ["theme", "text"]
    assert len(ex) == sum(len(t.examples) for t in cb)
    assert set(ex["theme"]) == set(IDS)
    assert isinstance(ex, pd.DataFrame)


def test_load_custom_yaml(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "name: mine\nthemes:\n  - id: a\n    label: A\n    examples: [x, y]\n"
        "  - id: b_2\n    label: B\n",
        encoding="utf-8",
    )
    cb = Codebook.load(path)
    assert cb.ids == ("a", "b_2")
    assert cb.theme("a").examples == ("x", "y")
    assert cb.theme("b_2").include == ()
    assert cb.source == str(path)


def test_codebook_is_frozen(cb):
    with pytest.raises(AttributeError):
        cb.name = "x"  # type: ignore[misc]


GOOD_THEME = {"id": "a", "label": "A"}


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([1, 2], "expected a mapping"),
        ({"themes": [GOOD_THEME]}, "missing key 'name'"),
        ({"name": "x"}, "missing key 'themes'"),
        ({"name": "x", "themes": []}, "'themes' is empty"),
        ({"name": "x", "themes": {"a": "A"}}, "'themes' must be a list"),
        ({"name": "x", "themes": [{"id": "a"}]}, "missing key 'label'"),
        ({"name": "x", "themes": [{"id": "a", "label": "  "}]}, "label must not be empty"),
        ({"name": "x", "themes": [{"id": "a", "label": 3}]}, "label must be a string"),
        ({"name": "x", "themes": [{"id": "Roller", "label": "A"}]}, "must match"),
        ({"name": "x", "themes": [{"id": "1a", "label": "A"}]}, "must match"),
        ({"name": "x", "themes": [GOOD_THEME, GOOD_THEME]}, "duplicate theme id 'a'"),
        ({"name": "x", "themes": [{**GOOD_THEME, "examples": "one"}]}, "must be a list"),
        ({"name": "x", "themes": [{**GOOD_THEME, "include": ["ok", ""]}]}, r"include\[1\]"),
        ({"name": "x", "themes": [{**GOOD_THEME, "exampels": ["x"]}]}, "unknown key 'exampels'"),
        ({"name": "x", "rules": "be nice", "themes": [GOOD_THEME]}, "rules must be a list"),
        ({"name": "x", "version": 1.5, "themes": [GOOD_THEME]}, "'version' must be"),
    ],
)
def test_invalid_codebook_names_file_and_problem(tmp_path, data, problem):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CodebookError, match=problem) as info:
        Codebook.load(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, ValueError)


def test_invalid_yaml_syntax(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nthemes: [\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="invalid YAML") as info:
        Codebook.load(path)
    assert "broken.yaml" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        Codebook.load(tmp_path / "nope.yaml")
