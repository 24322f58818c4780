"""HTML reader: charsets, chrome removal, block/inline text, tables, WeChat and CMS metadata."""

from __future__ import annotations

import pytest

from pipeline.document import ReadError
from pipeline.read import read_document
from pipeline.read.grid import expand_grid
from pipeline.read.html import clean_inline, declared_charset, decode_html, parse_published, read_html

NOTICE = "关于西安市医疗保障局停机切换国家平台的通告"
SENTENCE = "西安市医保2022年3月11日24时起停机，3月21日24时启用国家医疗保障信息平台，逐步恢复各项医保业务办理。"
TRAD = "關於西安市醫療保障局停機切換國家平台的通告：2022年3月11日24時起停機，3月21日24時啟用國家醫療保障信息平台。"


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


# --- charsets ------------------------------------------------------------------------------------


def test_gbk_page_without_declaration():
    doc = read_html(page(f"<p>{NOTICE}</p><p>{SENTENCE}</p>").encode("gbk"), "a.html")
    assert doc.lines == (NOTICE, SENTENCE)
    assert doc.meta["charset"] == "gb18030"
    assert doc.format == "html"


def test_meta_that_claims_utf8_over_gbk_bytes():
    data = page(f"<p>{SENTENCE}</p>", '<meta charset="utf-8">').encode("gbk")
    doc = read_html(data, "a.html")
    assert doc.lines == (SENTENCE,)
    assert doc.meta["charset"] == "gb18030"


def test_meta_that_claims_gb2312_over_utf8_bytes():
    """A repost converted to UTF-8 keeps the original's meta: the bytes win."""
    data = page(f"<p>{SENTENCE}</p>", '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">').encode()
    assert read_html(data, "a.html").lines == (SENTENCE,)


def test_meta_that_claims_big5_over_gbk_bytes_that_also_decode_as_big5():
    """GBK bytes of this title are valid Big5 too (as nonsense); the detector must overrule."""
    data = page(f"<p>{NOTICE}</p>", '<meta charset="big5">').encode("gbk")
    data.decode("big5")  # the trap: a strict decode succeeds
    doc = read_html(data, "a.html")
    assert doc.lines == (NOTICE,)
    assert doc.meta["charset"] == "gb18030"


@pytest.mark.parametrize("head", ['<meta charset="big5">', ""])
def test_big5_page(head):
    doc = read_html(page(f"<p>{TRAD}</p>", head).encode("big5"), "a.html")
    assert doc.lines == (TRAD,)
    assert doc.meta["charset"] in {"big5hkscs", "big5"}


def test_declared_gb2312_page_with_gbk_only_characters():
    """GB2312-declared pages routinely contain GBK characters (镕 is not in GB2312)."""
    text = "朱镕基同志题词：医疗保障"
    data = page(f"<p>{text}</p>", '<meta charset="gb2312">').encode("gbk")
    assert read_html(data, "a.html").lines == (text,)


def test_declared_charset_names():
    assert declared_charset(b'<meta http-equiv="Content-Type" content="text/html; charset=GB2312">') == "gb2312"
    assert declared_charset(b'<?xml version="1.0" encoding="gbk"?><html>') == "gbk"
    assert declared_charset(b'<meta charset="no-such-charset">') is None


def test_decode_html_utf8_bom():
    assert decode_html("\ufeff<p>通告</p>".encode()) == ("<p>通告</p>", "utf-8")


# --- text layout ---------------------------------------------------------------------------------


def test_blocks_are_lines_inline_text_is_joined():
    html = page("<div><p>按照<b>国家</b>、<span>省</span>部署</p><p>第一行<br/>第二行</p><h3>门诊业务</h3>尾</div>")
    assert read_html(html.encode(), "a.html").lines == ("按照国家、省部署", "第一行", "第二行", "门诊业务", "尾")


def test_source_line_breaks_between_chinese_vanish():
    assert clean_inline("那么，\n    在上线切换 这段时间") == "那么，在上线切换 这段时间"
    assert clean_inline("\u3000\u3000按照\xa0国家 \n 统一部署") == "按照 国家统一部署"
    assert clean_inline("IC\ncard") == "IC card"


# --- chrome --------------------------------------------------------------------------------------

GOV = """<html><head><title>关于停机切换的通告_某市医疗保障局</title>
<meta name="PubDate" content="2022-02-26 10:00"><style>p{color:red}</style><script>var a = "2022年1月1日";</script></head>
<body>
<div class="header"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/a">机构概况</a></li><li><a href="/b">政务公开</a></li></ul></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/tz">通知公告</a></div>
<div class="main"><h1>关于停机切换的通告</h1>
<div class="info">发布时间：2022-02-26 来源：市医疗保障局</div>
<div class="TRS_Editor"><p>　　{sentence}</p><iframe src="/video"></iframe></div>
<div class="bdsharebuttonbox">分享到：<a>微信</a><a>微博</a><a>QQ空间</a></div>
<p>【<a href="javascript:print()">打印本页</a>】 【<a href="javascript:close()">关闭窗口</a>】</p>
<div class="list-box"><div class="tit">猜你喜欢</div><ul>
<li><a href="/1">关于2021年12月1日起调整待遇的通知</a></li><li><a href="/2">医保电子凭证</a></li><li><a href="/3">门诊统筹</a></li></ul></div>
</div>
<footer>版权所有 网站联系电话：029-00000000</footer>
<div id="foot">技术支持：信息中心 029-11111111</div>
<noscript>请开启脚本</noscript>
</body></html>"""


def test_chrome_is_removed_and_content_kept():
    doc = read_html(GOV.replace("{sentence}", SENTENCE).encode("gbk"), "a.html")
    assert doc.lines == ("关于停机切换的通告", "发布时间：2022-02-26 来源：市医疗保障局", SENTENCE)
    assert doc.meta["title"] == "关于停机切换的通告"
    assert doc.meta["published"] == "2022-02-26T10:00"


def test_chrome_class_on_the_wrapper_of_the_article_is_ignored():
    """``id="content-with-sidebar"`` holds the article: it must not be dropped as a sidebar."""
    body = f'<div id="content-with-sidebar"><p>{SENTENCE * 5}</p></div><div class="sidebar"><p>广告位</p></div>'
    assert read_html(page(body).encode(), "a.html").lines == (SENTENCE * 5,)


def test_related_heading_inside_the_text_is_kept():
    body = "<p>相关新闻报道称，2022年3月11日24时起停机。</p>"
    assert read_html(page(body).encode(), "a.html").lines == ("相关新闻报道称，2022年3月11日24时起停机。",)


def test_page_without_text_is_an_error():
    with pytest.raises(ReadError, match="no text"):
        read_html(page('<script>render("app")</script><div id="app"></div>').encode(), "a.html")


# --- tables --------------------------------------------------------------------------------------

TABLE = """<p>附：各区医保部门咨询电话：</p>
<table border="1"><tr><th>序号</th><th>行政区域</th><th>医疗保障局</th><th>电话</th></tr>
<tr><td>1</td><td>新城区</td><td>新城区医疗保障局</td><td>029-87424266</td></tr>
<tr><td rowspan="2">14</td><td rowspan="2">西咸<br>新区</td><td>空港新城医疗保障局</td><td>029-33636591</td></tr>
<tr><td>沣东新城医疗保障局</td><td>029-84501596</td></tr>
<tr><td colspan="2">合计</td><td colspan="2">3 个</td></tr>
</table><p>备注：工作日咨询。</p>"""


def test_rowspan_colspan_table_is_a_grid_and_pipe_lines():
    doc = read_html(page(TABLE).encode(), "a.html")
    [table] = doc.tables
    assert table.has_header
    assert table.rows == (
        ("序号", "行政区域", "医疗保障局", "电话"),
        ("1", "新城区", "新城区医疗保障局", "029-87424266"),
        ("14", "西咸 新区", "空港新城医疗保障局", "029-33636591"),
        ("14", "西咸 新区", "沣东新城医疗保障局", "029-84501596"),
        ("合计", "合计", "3 个", "3 个"),
    )
    assert doc.lines[0] == "附：各区医保部门咨询电话："
    assert doc.lines[table.line_index] == "| 序号 | 行政区域 | 医疗保障局 | 电话 |"
    assert doc.lines[table.line_index + 3] == "| 14 | 西咸 新区 | 沣东新城医疗保障局 | 029-84501596 |"
    assert doc.lines[-1] == "备注：工作日咨询。"
    assert len(doc.lines) == 1 + 5 + 1


def test_expand_grid_pads_and_cuts():
    assert expand_grid([[("a", 3, 1), ("b", 1, 2)], [("c", 1, 1)]]) == [["a", "b", "b"], ["a", "c", ""]]


def test_header_without_th_is_recognised_from_numbers_below():
    html = "<table><tr><td>区域</td><td>电话</td></tr><tr><td>新城区</td><td>029-87424266</td></tr></table>"
    assert read_html(page(html).encode(), "a.html").tables[0].has_header


def test_layout_table_is_read_as_text():
    html = f"<table><tr><td><table><tr><td>菜单</td></tr></table></td><td><p>{NOTICE}</p><p>{SENTENCE}</p></td></tr></table>"
    doc = read_html(page(html).encode(), "a.html")
    assert doc.tables == ()
    assert doc.lines == ("菜单", NOTICE, SENTENCE)


# --- WeChat --------------------------------------------------------------------------------------

WECHAT = """<html><head><meta property="og:title" content="{title}">
<script>var biz = "x"; var ct = "1645840800"; var createTime = '2022-02-26 10:00';</script></head>
<body><div id="js_article"><h1 id="activity-name"> {title} </h1>
<div id="meta_content"><a id="js_name">医保服务</a><em id="publish_time"></em></div>
<div id="js_content" style="visibility: hidden;"><section><p><span>{sentence}</span></p></section>
<section><p><strong>提示：</strong><span>请提前备药。</span></p></section></div>
<div id="js_toobar3"><a>阅读原文</a></div>
<div class="related_article"><p>喜欢此内容的人还喜欢</p><ul><li><a>a</a></li><li><a>b</a></li><li><a>c</a></li></ul></div></div>
</body></html>"""


def test_wechat_article():
    doc = read_html(WECHAT.format(title=NOTICE, sentence=SENTENCE).encode(), "a.html")
    assert doc.lines == (NOTICE, SENTENCE, "提示：请提前备药。")
    assert doc.meta["title"] == NOTICE
    assert doc.meta["published"] == "2022-02-26T10:00"


def test_wechat_create_time_without_ct():
    html = WECHAT.replace('var ct = "1645840800"; ', "").replace("2022-02-26 10:00", "2022-02-27")
    assert read_html(html.format(title=NOTICE, sentence=SENTENCE).encode(), "a.html").meta["published"] == "2022-02-27"


def test_wechat_publish_time_variable():
    html = page(f'<div id="js_content"><p>{SENTENCE}</p></div>', '<script>var publish_time = "2022-02-25" || "";</script>')
    assert read_html(html.encode(), "a.html").meta["published"] == "2022-02-25"


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2022-02-26 10:00:00", "2022-02-26T10:00"),
        ("1645840800", "2022-02-26T10:00"),
        ("2022-02-26T02:00:00Z", "2022-02-26T10:00"),
        ("2022年2月26日", "2022-02-26"),
        ("2022/2/26", "2022-02-26"),
        ("2022-13-40", None),
        ("昨天", None),
    ],
)
def test_parse_published(value, iso):
    assert parse_published(value) == iso


def test_title_tag_without_h1_loses_the_site_name():
    doc = read_html(page(f"<p>{SENTENCE}</p>", f"<title>{NOTICE}_西安市医疗保障局</title>").encode(), "a.html")
    assert doc.meta["title"] == NOTICE


def test_html_saved_as_txt_is_read_as_html(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_bytes(page(f"<p>{SENTENCE}</p>").encode("gbk"))
    doc = read_document(path, "notice.txt")
    assert doc.format == "html" and doc.lines == (SENTENCE,)
