"""Case notices as PDF: every kind renders, says what it must, embeds its font and a QR code that
decodes to the progress page; a notice missing a part its kind needs is refused."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from typing import Any

import pytest
import segno
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from yiwang.cases.notices import NOTICE_TITLES, Notice, NoticeKind, notice_pdf, notice_problems
from yiwang.cases.notices.wording import date_zh, number_zh

CASE = "62080200000000000000000000001230" + "20260301" + "001"
assert len(CASE) == 43
URL = f"https://zwfw.qingyang.example/progress/{CASE}"

BASE: dict[str, Any] = {
    "document_number": "庆西市监受〔2026〕第0001号",
    "case_number": CASE,
    "matter_name": "食品经营许可（新办）",
    "department_name": "庆阳市西峰区市场监督管理局",
    "applicant_name": "庆阳市陇东餐饮有限公司",
    "issued_on": dt.date(2026, 3, 2),
    "progress_url": URL,
    "applied_on": dt.date(2026, 3, 1),
}

REASONS = ("申请事项依法不属于本机关职权范围", "申请人不具备申请资格")
MISSING = (
    ("营业执照副本复印件", "未加盖公章"),
    ("食品安全管理制度", "缺少从业人员健康管理制度"),
)

KINDS: dict[str, dict[str, Any]] = {
    "receipt": {"kind": NoticeKind.RECEIPT},
    "acceptance": {"kind": NoticeKind.ACCEPTANCE, "promised_on": dt.date(2026, 3, 20)},
    "refusal": {"kind": NoticeKind.REFUSAL, "reasons": REASONS},
    "correction": {"kind": NoticeKind.CORRECTION, "missing": MISSING},
    "special": {
        "kind": NoticeKind.SPECIAL,
        "special_kind": "现场勘验",
        "special_limit_days": 5,
        "reasons": ("需核实经营场所布局与申报材料是否一致",),
        "accepted_on": dt.date(2026, 3, 2),
        "promised_on": dt.date(2026, 3, 20),
    },
    "completion-approved": {
        "kind": NoticeKind.COMPLETION,
        "approved": True,
        "result_name": "食品经营许可证",
    },
    "completion-refused": {
        "kind": NoticeKind.COMPLETION,
        "approved": False,
        "reasons": ("经现场核查，经营场所与申报材料不符",),
        "result_name": "不予行政许可决定书",
    },
}


def make(key: str, **changes: Any) -> Notice:
    return Notice(**{**BASE, **KINDS[key], **changes})


def flat(text: str) -> str:
    """Text without whitespace: lines wrap anywhere in Chinese."""
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    return flat("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    return {key: notice_pdf(make(key)) for key in KINDS}


# --- Every kind -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(KINDS))
def test_each_kind_renders_an_a4_pdf_saying_who_what_and_which_case(
    rendered: dict[str, bytes], key: str
) -> None:
    data = rendered[key]
    assert data.startswith(b"%PDF-")
    assert len(data) < 500 * 1024
    reader = PdfReader(io.BytesIO(data))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = pdf_text(data)
    kind = KINDS[key]["kind"]
    for expected in (
        NOTICE_TITLES[kind],
        BASE["document_number"],
        CASE,
        BASE["applicant_name"] + "：",
        BASE["department_name"],
        BASE["matter_name"],
        date_zh(BASE["issued_on"]),
    ):
        assert expected in text, expected
    assert reader.metadata is not None
    assert reader.metadata.title == f"{NOTICE_TITLES[kind]} {BASE['document_number']}"


def test_titles(rendered: dict[str, bytes]) -> None:
    assert [kind.label for kind in NoticeKind] == [
        "收件凭证",
        "受理通知书",
        "不予受理通知书",
        "补正告知书",
        "特别程序告知书",
        "办结通知",
    ]
    assert NoticeKind("refusal").label == "不予受理通知书"


def test_acceptance_wording(rendered: dict[str, bytes]) -> None:
    text = pdf_text(rendered["acceptance"])
    assert "你（单位）于2026年3月1日提出的“食品经营许可（新办）”申请" in text
    assert "申请材料齐全、符合法定形式，本机关决定予以受理" in text
    assert "受理日期为2026年3月2日" in text
    assert "本机关承诺于2026年3月20日前办结" in text


def test_receipt_does_not_pretend_to_accept(rendered: dict[str, bytes]) -> None:
    text = pdf_text(rendered["receipt"])
    assert "本机关已于2026年3月2日收到" in text
    assert "不表示申请已被受理" in text


def test_refusal_gives_every_reason_and_the_remedies(rendered: dict[str, bytes]) -> None:
    text = pdf_text(rendered["refusal"])
    assert "本机关决定不予受理，理由如下" in text
    assert "一、申请事项依法不属于本机关职权范围。" in text
    assert "二、申请人不具备申请资格。" in text
    assert "六十日内依法申请行政复议" in text
    assert "六个月内依法向人民法院提起行政诉讼" in text


def test_correction_lists_everything_once_and_stops_the_clock(rendered: dict[str, bytes]) -> None:
    text = pdf_text(rendered["correction"])
    assert "一、营业执照副本复印件：未加盖公章。" in text
    assert "二、食品安全管理制度：缺少从业人员健康管理制度。" in text
    assert "一次性告知" in text
    assert "以上为需要补正的全部内容" in text
    assert "办理时限暂停计算" in text
    assert "补正期间不计入办理时限" in text


def test_special_procedure_states_kind_reason_and_its_own_limit(rendered: dict[str, bytes]) -> None:
    text = pdf_text(rendered["special"])
    assert "因需核实经营场所布局与申报材料是否一致，依法需要进行现场勘验" in text
    assert "本次现场勘验的时限为5个工作日" in text
    assert "不计入办理时限" in text
    assert "原承诺办结日期（2026年3月20日）相应顺延" in text


def test_special_procedure_with_several_reasons_numbers_them() -> None:
    notice = make("special", reasons=("原因甲", "原因乙"), accepted_on=None, promised_on=None)
    text = pdf_text(notice_pdf(notice))
    assert "因下列原因，依法需要进行现场勘验" in text
    assert "一、原因甲。二、原因乙。" in text
    assert "顺延" not in text


def test_completion_approved_names_the_result(rendered: dict[str, bytes]) -> None:
    text = pdf_text(rendered["completion-approved"])
    assert "本机关已于2026年3月2日办结" in text
    assert "准予办理" in text
    assert "办理结果：食品经营许可证。" in text
    assert "行政复议" not in text


def test_completion_refused_gives_reasons_and_remedies(rendered: dict[str, bytes]) -> None:
    text = pdf_text(rendered["completion-refused"])
    assert "不予批准" in text
    assert "一、经现场核查，经营场所与申报材料不符。" in text
    assert "《不予行政许可决定书》" in text
    assert "行政复议" in text and "行政诉讼" in text


def test_extra_lines_and_query_hint_are_printed() -> None:
    notice = make(
        "receipt",
        extra=("如有疑问，请拨打 0934-8888888 咨询", "请携带原件核验！"),
        query_hint="登录庆阳一网通办，凭办件编号和查询密码查询",
    )
    text = pdf_text(notice_pdf(notice))
    assert "如有疑问，请拨打0934-8888888咨询。" in text
    assert "请携带原件核验！" in text
    assert "登录庆阳一网通办，凭办件编号和查询密码查询" in text


def test_without_applied_on_the_date_is_left_out() -> None:
    text = pdf_text(notice_pdf(make("refusal", applied_on=None)))
    assert "你（单位）提出的“食品经营许可（新办）”申请" in text


def test_markup_in_names_is_printed_literally() -> None:
    notice = make("receipt", applicant_name="张三<b>&amp;</b>", matter_name="A&B <i>事项</i>")
    text = pdf_text(notice_pdf(notice))
    assert "张三<b>&amp;</b>：" in text
    assert "“A&B<i>事项</i>”" in text


def test_a_long_correction_list_flows_onto_more_pages_with_numbers() -> None:
    missing = tuple((f"材料{i}", "未按要求签字并加盖公章，复印件不清晰") for i in range(1, 41))
    data = notice_pdf(make("correction", missing=missing))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    text = pdf_text(data)
    assert "四十、材料40：" in text
    last = flat(reader.pages[-1].extract_text())
    assert f"—{len(reader.pages)}—" in last
    assert BASE["department_name"] in last  # the signature block stays on the last page
    assert len(data) < 500 * 1024


# --- Fonts and QR -----------------------------------------------------------------------------


def _fonts(data: bytes) -> dict[str, bool]:
    """Each font the document uses → whether its glyphs are embedded."""
    found: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor_owner = font
            if font["/Subtype"] == "/Type0":
                descriptor_owner = font["/DescendantFonts"][0].get_object()
            descriptor = descriptor_owner.get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            found[str(font["/BaseFont"])] = embedded
    return found


@pytest.mark.parametrize("key", list(KINDS))
def test_every_font_is_embedded(rendered: dict[str, bytes], key: str) -> None:
    fonts = _fonts(rendered[key])
    assert fonts, "no fonts found"
    assert all(fonts.values()), fonts
    assert any("YiwangSerifSC" in name for name in fonts)


def test_rare_names_in_the_cjk_block_use_the_embedded_font() -> None:
    data = notice_pdf(make("receipt", applicant_name="王喆玥堃"))  # not in GB2312
    assert "王喆玥堃：" in pdf_text(data)
    assert all(_fonts(data).values())


def test_a_character_outside_the_shipped_font_falls_back_to_the_cid_font() -> None:
    data = notice_pdf(make("receipt", applicant_name="李䶮"))  # CJK Extension A
    fonts = _fonts(data)
    assert fonts.get("/STSong-Light") is False  # named, left to the viewer
    assert "李" in pdf_text(data)


@pytest.mark.parametrize("key", list(KINDS))
def test_the_qr_code_decodes_to_the_progress_page(rendered: dict[str, bytes], key: str) -> None:
    page = PdfReader(io.BytesIO(rendered[key])).pages[0]
    images = list(page.images)
    assert len(images) == 1
    picture = Image.open(io.BytesIO(images[0].data)).convert("L")
    decoded = [result.text for result in zxingcpp.read_barcodes(picture)]
    assert decoded == [URL]


def test_the_qr_payload_is_the_url() -> None:
    # What segno encodes, independent of the decoder.
    qr = segno.make(URL, error="m", micro=False)
    assert qr.designator.endswith("M")
    assert segno.make(URL, error="m", micro=False).matrix == qr.matrix


def test_output_is_deterministic() -> None:
    assert notice_pdf(make("correction")) == notice_pdf(make("correction"))
    assert notice_pdf(make("correction")) != notice_pdf(make("correction", applicant_name="别人"))


# --- Refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "changes", "says"),
    [
        ("refusal", {"reasons": ()}, "必须写明不予受理的理由"),
        ("refusal", {"reasons": ("理由", "  ")}, "理由或原因中有空项"),
        ("correction", {"missing": ()}, "一次性列明需要补正的全部材料"),
        ("correction", {"missing": (("营业执照", ""),)}, "写明材料名称和存在的问题"),
        ("special", {"special_kind": ""}, "特别程序的种类"),
        ("special", {"special_limit_days": None}, "特别程序的时限"),
        ("special", {"special_limit_days": 0}, "特别程序的时限"),
        ("special", {"reasons": ()}, "启动特别程序的原因"),
        ("acceptance", {"promised_on": None}, "承诺办结日期"),
        ("acceptance", {"promised_on": dt.date(2026, 3, 1)}, "不能早于受理日期"),
        ("completion-approved", {"approved": None}, "是否准予"),
        ("completion-approved", {"result_name": " "}, "办理结果的名称"),
        ("completion-refused", {"reasons": ()}, "不予批准的理由"),
        ("receipt", {"case_number": CASE[:-1]}, "办件编号应为 43 位"),
        ("receipt", {"case_number": CASE[:-1] + "号"}, "办件编号应为 43 位"),
        ("receipt", {"applicant_name": "  "}, "缺少申请人名称"),
        ("receipt", {"department_name": ""}, "缺少办理机关名称"),
        ("receipt", {"document_number": ""}, "缺少文书编号"),
        ("receipt", {"matter_name": ""}, "缺少事项名称"),
        ("receipt", {"progress_url": "/progress/1"}, "http://"),
        ("receipt", {"progress_url": ""}, "查询办理进度的网址"),
        ("receipt", {"applied_on": dt.date(2026, 3, 3)}, "申请日期不能晚于出具日期"),
        ("receipt", {"extra": ("",)}, "补充说明中有空行"),
    ],
)
def test_a_missing_part_is_refused_in_chinese(key: str, changes: dict[str, Any], says: str) -> None:
    notice = make(key, **changes)
    with pytest.raises(ValueError, match=re.escape(says)) as info:
        notice_pdf(notice)
    assert str(info.value).startswith(NOTICE_TITLES[notice.kind] + "无法生成：")


def test_all_problems_are_listed_at_once() -> None:
    notice = make("special", special_kind="", special_limit_days=None, reasons=())
    assert len(notice_problems(notice)) == 3


def test_valid_notices_have_no_problems() -> None:
    assert all(notice_problems(make(key)) == [] for key in KINDS)


def test_plain_values_are_accepted() -> None:
    notice = Notice(
        **{**BASE, "kind": "correction", "missing": [["营业执照", "未盖章"]], "reasons": []}
    )
    assert notice.kind is NoticeKind.CORRECTION
    assert notice.missing == (("营业执照", "未盖章"),)
    assert notice.reasons == ()
    with pytest.raises(ValueError):
        Notice(**{**BASE, "kind": "unknown"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        notice.applicant_name = "别人"  # type: ignore[misc]


# --- Wording helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "zh"),
    [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (21, "二十一"), (99, "九十九"),
     (100, "100"), (0, "0")],
)  # fmt: skip
def test_number_zh(n: int, zh: str) -> None:
    assert number_zh(n) == zh


def test_date_zh() -> None:
    assert date_zh(dt.date(2026, 3, 1)) == "2026年3月1日"
    assert date_zh(dt.date(2026, 12, 31)) == "2026年12月31日"


# --- Any text at all --------------------------------------------------------------------------


@settings(database=None, deadline=None, max_examples=60)
@given(
    applicant=st.text(min_size=1, max_size=30),
    matter=st.text(min_size=1, max_size=30),
    reasons=st.lists(st.text(min_size=1, max_size=60), min_size=1, max_size=3),
)
def test_any_text_renders_or_is_refused_with_value_error(
    applicant: str, matter: str, reasons: list[str]
) -> None:
    notice = make("refusal", applicant_name=applicant, matter_name=matter, reasons=tuple(reasons))
    try:
        data = notice_pdf(notice)
    except ValueError as error:
        assert "无法生成" in str(error)
    else:
        assert data.startswith(b"%PDF-")
