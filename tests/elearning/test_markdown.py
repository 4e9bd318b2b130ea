import pytest

from elearning.markdown import render_markdown

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    '<iframe src="https://www.youtube.com/embed/x"></iframe>',
    "<style>body{display:none}</style>",
    '<svg onload="alert(1)"></svg>',
    '<p onclick="alert(1)">text</p>',
    '<object data="x.swf"></object>',
    "<form action='https://evil.example'><input name=x></form>",
    '<a href="https://example.org" onmouseover="alert(1)">x</a>',
    "![x](https://tracker.example/pixel.png)",
]


@pytest.mark.parametrize("source", ATTACKS)
def test_nothing_that_runs_or_loads_survives(source):
    html = str(render_markdown(source)).lower()
    for forbidden in (
        "<script",
        "onerror",
        "javascript:",
        "<iframe",
        "<style",
        "onload",
        "onclick",
        "<object",
        "<form",
        "<input",
        "onmouseover",
        "tracker.example",
        "<svg",
    ):
        assert forbidden not in html


def test_markdown_renders_with_safe_links_and_shifted_headings():
    html = str(render_markdown("# Title\n\n**bold** and [a link](https://example.org)\n\n- one\n- two"))
    assert "<h2>Title</h2>" in html
    assert "<h1" not in html
    assert "<strong>bold</strong>" in html
    assert 'rel="noopener noreferrer"' in html
    assert "<li>one</li>" in html


def test_own_images_are_kept():
    assert 'src="/media/x.png"' in str(render_markdown("![a picture](/media/x.png)"))


def test_empty_text():
    assert str(render_markdown("")) == ""
