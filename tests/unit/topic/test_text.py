"""Vietnamese text folding, table-driven: every row is a pair real input produces."""

import unicodedata

import pytest

from hoctap.topic.text import fold, name_sort_key, same_text, slug, sort_key, strip_diacritics

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731

SAME = [
    ("khoá", "khóa"),  # old and new tone placement
    ("hoà", "hòa"),
    ("uỷ", "ủy"),
    ("thuý", "thúy"),
    ("Chuyên đề toàn khoá", "chuyên đề toàn khóa"),  # case
    ("Tỉnh uỷ", "TỈNH ỦY"),
    (NFD("Đảng viên đi trước"), "Đảng viên đi trước"),  # NFD vs NFC
    ("  làng   nước\ttheo sau ", "làng nước theo sau"),  # spacing
    ("Trên trước, dưới sau", "trên trước dưới sau"),  # punctuation
    ("“nêu gương”", "nêu gương"),
    (NFD("quý III"), "Quý iii"),
]

DIFFERENT = [
    ("ma", "má"),  # a tone changes the word
    ("khóa", "khoa"),
    ("học tập", "hoc tap"),
    ("đi", "di"),
    ("sơ kết", "so kết"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_same_across_placement_form_case_and_spacing(a, b):
    assert same_text(a, b)
    assert fold(a) == fold(b)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_diacritics_count_by_default_and_not_when_asked(a, b):
    assert not same_text(a, b)
    assert same_text(a, b, diacritics=False)


@pytest.mark.parametrize(
    ("text", "bare"),
    [("Đảng viên", "Dang vien"), ("khoá XIII", "khoa XIII"), (NFD("Nhân dân"), "Nhan dan"), ("ưởng", "uong")],
)
def test_strip_diacritics(text, bare):
    assert strip_diacritics(text) == bare


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Nội dung 1", "noi-dung-1"), ("Chuyên đề năm 2022: Đạo đức!", "chuyen-de-nam-2022-dao-duc"), ("  ", "")],
)
def test_slug(text, expected):
    assert slug(text) == expected


def test_vietnamese_alphabetical_order():
    words = ["đào", "an", "anh", "ăn", "ân", "dũng", "bình", "ơn", "ô", "o", "ư", "u"]
    expected = ["an", "anh", "ăn", "ân", "bình", "dũng", "đào", "o", "ô", "ơn", "u", "ư"]
    assert sorted(words, key=sort_key) == expected


def test_tone_order_ngang_huyen_hoi_nga_sac_nang():
    assert sorted(["má", "mạ", "mà", "ma", "mã", "mả"], key=sort_key) == ["ma", "mà", "mả", "mã", "má", "mạ"]


def test_names_sort_by_given_name_and_ignore_tone_placement():
    names = ["Trần Văn Thuý", "Nguyễn Thị An", "Lê Minh Đức", "Phạm Bình", "Võ Thị Thúy"]
    ordered = sorted(names, key=name_sort_key)
    assert ordered[:3] == ["Nguyễn Thị An", "Phạm Bình", "Lê Minh Đức"]
    assert set(ordered[3:]) == {"Trần Văn Thuý", "Võ Thị Thúy"}
    assert name_sort_key(NFD("Trần Văn Thuý"))[0] == name_sort_key("Võ Thị Thúy")[0]
