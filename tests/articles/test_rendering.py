import html
import re
from html.parser import HTMLParser

import pytest

from articles.rendering import ALLOWED_TAGS, cited_numbers, render_markdown, sanitise

FORBIDDEN_TAGS = ("<script", "<iframe", "<object", "<embed", "<style", "<form", "<base", "<meta")
EVENT_HANDLER = re.compile(r"\son\w+\s*=", re.IGNORECASE)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "background", "poster"}


class _Tags(HTMLParser):
    """Collect the tags the browser would build; text is ignored, since escaped text is harmless."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []  # (tag, [(name, value)], source text of the tag)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs, self.get_starttag_text()))

    handle_startendtag = handle_starttag


def _tags(output):
    parser = _Tags()
    parser.feed(output)
    parser.close()
    return parser.tags


def _citation(*numbers):
    return re.compile(
        r'<sup class="citation">'
        + ", ".join(rf'<a class="citation" href="#ref-{n}"(?: rel="[^"]*")?>{n}</a>' for n in numbers)
        + r"</sup>"
    )


def assert_safe(output):
    """Assert the HTML holds nothing that runs script, loads a frame, restyles the page or moves the form/base.

    Escaped text such as ``&lt;p onclick=...&gt;`` is harmless, so the attribute checks look at the tags the
    browser would build, not at the text between them.
    """
    lowered = output.lower()
    for tag in FORBIDDEN_TAGS:
        assert tag not in lowered, tag
    tags = _tags(output)
    markup = " ".join(f"<{tag} " + " ".join(f"{name}=" for name, _ in attrs) for tag, attrs, _ in tags)
    assert not EVENT_HANDLER.search(markup), markup
    assert "style=" not in markup.lower(), markup
    for tag, attrs, source in tags:
        assert tag in ALLOWED_TAGS, source
        for name, value in attrs:
            if value is None:
                continue
            url = re.sub(r"[\s\x00-\x1f]", "", html.unescape(value)).lower()
            assert "javascript:" not in url, source
            if name in URL_ATTRIBUTES:
                assert not url.startswith(("vbscript:", "data:")), source
        href = dict(attrs).get("href")
        if href is not None:
            # A live link goes to http(s), mailto or a fragment in the page.
            assert re.match(r"^(https?:|mailto:|#)", href), source


# Markdown


def test_headings_level_three_and_four_render():
    output = render_markdown("### Dosage\n\n#### In children")
    assert "<h3>Dosage</h3>" in output
    assert "<h4>In children</h4>" in output


def test_top_level_headings_are_not_flattened_into_running_text():
    output = render_markdown("## Dosage\n\nTake one.")
    assert re.search(r"<h[2-4]>Dosage</h[2-4]>", output)


def test_lists_render():
    output = render_markdown("- one\n- two\n\n1. first\n2. second")
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in output
    assert "<ol>\n<li>first</li>\n<li>second</li>\n</ol>" in output


def test_emphasis_and_blockquote_render():
    output = render_markdown("**bold** and *it*\n\n> quoted")
    assert "<strong>bold</strong>" in output
    assert "<em>it</em>" in output
    assert "<blockquote>" in output


def test_links_render_with_safe_rel():
    output = render_markdown("See [the guideline](https://example.org/g).")
    assert re.search(r'<a href="https://example.org/g" rel="noopener noreferrer nofollow">the guideline</a>', output)


def test_raw_html_is_escaped_not_passed_on():
    output = render_markdown("<b>bold</b>")
    assert "<b>" not in output
    assert "&lt;b&gt;bold&lt;/b&gt;" in output


def test_single_citation_links_to_its_reference():
    output = render_markdown("It is known [1].")
    assert _citation(1).search(output), output


def test_multiple_citation_links_each_reference():
    output = render_markdown("As shown [2, 4].")
    assert _citation(2, 4).search(output), output
    assert "[2, 4]" not in output


def test_citation_with_tight_commas():
    assert _citation(1, 2, 3).search(render_markdown("Shown [1,2,3]."))


def test_markdown_link_with_number_text_is_not_a_citation():
    output = render_markdown("[3](https://example.org)")
    assert "citation" not in output
    assert '<a href="https://example.org"' in output
    assert cited_numbers("[3](https://example.org)") == []


def test_bracketed_text_is_not_a_citation():
    assert cited_numbers("[see above] and [a1]") == []
    assert "citation" not in render_markdown("[see above]")


def test_cited_numbers_in_order_of_appearance():
    assert cited_numbers("First [3], then [1, 2], then [3] again.") == [3, 1, 2, 3]


def test_cited_numbers_ignores_links():
    assert cited_numbers("[1] and [text](https://x.org) and [2](https://y.org) and [5]") == [1, 5]


def test_cited_numbers_of_text_without_citations():
    assert cited_numbers("") == []
    assert cited_numbers("Nothing cited here.") == []


def test_citation_inside_link_title_leaves_the_link_intact():
    output = render_markdown('[the study](https://example.org "see [1]")')
    assert re.search(r'<a href="https://example.org" title="see \[1\]"[^>]*>the study</a>', output), output


def test_citation_syntax_inside_code_is_left_as_code():
    output = render_markdown("Use `items[1]` to index.")
    assert "<code>items[1]</code>" in output


# XSS corpus: every payload goes through render_markdown; raw HTML also through sanitise().

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x OnErRoR=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "<javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jAvAsCrIpT:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6a;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="https://evil.example/x.swf"></object>',
    '<embed src="https://evil.example/x.swf">',
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<div style="position:fixed;top:0">x</div>',
    '<form action="https://evil.example"><input type=password></form>',
    "<input autofocus onfocus=alert(1)>",
    '<math><mtext><table><mglyph><style><img src=x onerror="alert(1)"></style></mglyph></table></mtext></math>',
    '<math href="javascript:alert(1)">x</math>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    "<body onload=alert(1)>",
    '<p onclick="alert(1)">x</p>',
    "<a onmouseover=alert(1)>x</a>",
    "<a ONMOUSEOVER=alert(1)>x</a>",
    "<a/onmouseover=alert(1)>x</a>",
    "<details open ontoggle=alert(1)>x</details>",
    '![x](https://example.org/x.png "onerror=alert(1)")',
    "![x](javascript:alert(1))",
    '![x" onerror="alert(1)](https://example.org/x.png)',
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    '<img src="x` `<script>alert(1)</script>"` `>',
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    '[x](https://example.org "[1] onmouseover=alert(1) ")',
    '<video><source onerror="alert(1)"></video>',
    '<a href="#" xlink:href="javascript:alert(1)">x</a>',
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "Cited [1]<img src=x onerror=alert(1)>",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_render_markdown_neutralises_xss(payload):
    assert_safe(render_markdown(payload))


@pytest.mark.parametrize("payload", [p for p in XSS_PAYLOADS if p.lstrip().startswith("<")])
def test_sanitise_neutralises_xss_in_raw_html(payload):
    assert_safe(sanitise(payload))


def test_xss_corpus_is_large_enough():
    assert len(XSS_PAYLOADS) >= 25


def test_sanitise_keeps_allowed_markup():
    source = '<p><strong>a</strong> <a href="https://example.org" title="t">b</a> <sup class="citation">1</sup></p>'
    output = sanitise(source)
    assert "<strong>a</strong>" in output
    assert 'href="https://example.org"' in output
    assert 'title="t"' in output
    assert '<sup class="citation">1</sup>' in output


def test_sanitise_drops_disallowed_tags_but_keeps_their_text():
    assert sanitise("<div><span>text</span></div>") == "text"


def test_sanitise_removes_script_content_entirely():
    assert "alert" not in sanitise("<p>a</p><script>alert(1)</script>")


def test_sanitise_drops_javascript_href_but_keeps_link_text():
    output = sanitise('<a href="jAvAsCrIpT:alert(1)">click</a>')
    assert "click" in output
    assert "href" not in output


@pytest.mark.parametrize(
    "unsafe",
    [
        "<script>alert(1)</script>",
        "<p onclick=alert(1)>x</p>",
        '<a href="jav&#x61;script:alert(1)">x</a>',
        '<p style="color:red">x</p>',
        '<a href="data:text/html,x">x</a>',
        "<div>x</div>",
    ],
)
def test_the_safety_check_itself_rejects_unsafe_html(unsafe):
    with pytest.raises(AssertionError):
        assert_safe(unsafe)
