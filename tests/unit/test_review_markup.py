"""Red-team review of the markup the pages build from members' text: a team's description
(``prose``) and the console's charts (``bar_chart``). Whatever the text, the only tags and
attributes in the output are the renderer's own, and every link is http(s)."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from wap.entrypoints.web.charts import Bar, bar_chart
from wap.entrypoints.web.format import prose

PROSE_TAGS = {"p", "br", "ul", "ol", "li", "a"}
LINK_ATTRS = {"href", "rel"}


class Seen(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    seen = Seen()
    seen.feed(html)
    seen.close()
    return seen.tags


def only_own_markup(html: str) -> None:
    for tag, attrs in tags_of(html):
        assert tag in PROSE_TAGS, (tag, html)
        if tag == "a":
            assert set(attrs) == LINK_ATTRS, attrs
            assert re.match(r"https?://", attrs["href"] or "", re.I), attrs
            assert attrs["rel"] == "noopener nofollow ugc"
        elif tag == "ol":
            assert set(attrs) <= {"start"} and (attrs.get("start") or "1").isdigit(), attrs
        else:
            assert not attrs, (tag, attrs)


ATTACKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1) data:text/html,<script>alert(1)</script>",
    "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
    'https://a.com/"onmouseover=alert(1)',
    "https://a.com/'onmouseover='alert(1)'",
    "https://a.com/&quot;onmouseover=alert(1)",
    "https://a.com/&#34;onmouseover=alert(1)&#x22;",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '<a href="javascript:alert(1)">x</a>',
    "- <b>x</b>\n1. <i onclick=alert(1)>y</i>\n* <ul><li>z",
    "https://x.com/`onerror=alert(1)`",
    "https://evil.com/<script>alert(1)</script>",
    "<<https://a.com>> <img src=x onerror=alert(1)>",
    "https://a.com/\u2028javascript:alert(1)",
    "https://a.com/%22%3E%3Cscript%3E",
    "xjavascript:https://x.com",
    "<!-- https://a.com/ --> <![CDATA[ x ]]> <svg><script>alert(1)</script></svg>",
    "x" * 2000,
    "https://a.com/" + "a" * 1990,
]


def test_attacks_in_a_description_stay_text() -> None:
    for attack in ATTACKS:
        html = str(prose(attack))
        only_own_markup(html)
        assert "<script" not in html and "onerror=" not in html.replace("onerror=alert", "")


def test_a_quote_ends_a_link_and_stays_text() -> None:
    html = str(prose('see https://a.com/"onmouseover=alert(1)'))
    assert html == (
        '<p>see <a href="https://a.com/" rel="noopener nofollow ugc">https://a.com/</a>'
        "&#34;onmouseover=alert(1)</p>"
    )


def test_a_link_keeps_its_own_balanced_parentheses() -> None:
    """``https://en.wikipedia.org/wiki/Go_(언어)`` is a whole address; a closing parenthesis
    of the sentence around it is not part of it."""
    html = str(prose("문서: https://ko.wikipedia.org/wiki/Go_(프로그래밍_언어) 참고"))
    assert 'href="https://ko.wikipedia.org/wiki/Go_(프로그래밍_언어)"' in html
    wrapped = str(prose("(자세히: https://example.com/a_(b))"))
    assert 'href="https://example.com/a_(b)"' in wrapped
    assert wrapped.endswith("</a>)</p>")
    plain = str(prose("(https://example.com/page)."))
    assert 'href="https://example.com/page"' in plain


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>\"'&;:/()=-*.1 \nhtpsjavcri#x")), max_size=200))
def test_any_description_renders_only_our_markup(text: str) -> None:
    only_own_markup(str(prose(text)))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.text(max_size=20), st.text(max_size=20))
def test_chart_labels_and_titles_are_text(label: str, series: str, title: str) -> None:
    """A category, a position or a state name (from the catalog, or a legacy import) cannot
    add an element or an attribute to the SVG."""
    svg = str(bar_chart("chart-x", title, [Bar(label, (1, 2))], (series or "a", "b"), unit=label))
    tags = tags_of(svg)
    assert {t for t, _ in tags} <= {"svg", "title", "desc", "rect", "text", "g"}
    allowed = {
        "xmlns", "class", "role", "viewbox", "width", "height", "preserveaspectratio",
        "font-size", "aria-labelledby", "id", "x", "y", "fill", "aria-hidden", "aria-label",
        "text-anchor",
    }  # fmt: skip
    for _, attrs in tags:
        assert set(attrs) <= allowed, attrs


def test_a_long_run_of_closing_brackets_is_rendered_in_linear_time() -> None:
    """Trailing punctuation is weighed once, not recounted per character (a legacy text
    longer than our 2000 characters must not stall a page)."""
    started = time.perf_counter()
    html = str(prose("https://a.com/" + ")" * 50_000))
    assert time.perf_counter() - started < 1.0
    assert html.startswith('<p><a href="https://a.com/" rel="noopener nofollow ugc">')


def test_a_numbered_list_keeps_its_first_number() -> None:
    """``10. 마감 전에 지원`` alone is item 10, not 1."""
    assert (
        str(prose("10. 마감 전에 지원\n11. 면접"))
        == '<ol start="10"><li>마감 전에 지원</li><li>면접</li></ol>'
    )
    assert str(prose("1. 하나\n2. 둘")) == "<ol><li>하나</li><li>둘</li></ol>"
    assert str(prose("0) 준비")) == '<ol start="0"><li>준비</li></ol>'
