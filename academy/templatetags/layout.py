"""Parts of pages that come out the same for many requests: rendered once per process for each key, not per request.

Every page's header, footer and stylesheet links cost ~5,000 Python calls a request (URL reversing,
translations, static file names; docs/benchmarks.md), a third of a page that shows little else, and they come
out the same for everyone with the same language and roles; an event page's description, dates, place and facts
are the same for everyone who reads that version of the event in that language. `{% memo "name" key… %}…
{% endmemo %}` renders its content once for each key and keeps the HTML in this process (the last MEMO_SIZE keys
of each name); what differs per request inside it is written in `{% fresh %}…{% endfresh %}` and rendered in its
place every time (the current path, the organisation a person acts for). A `{% csrf_token %}` inside a memo,
also one inside a `{{ block.super }}` that a memo keeps, is written anew on every request by itself: the memo
renders its content with a mark for the token and puts the request's token in its place.

The rule that keeps it right: apart from its fresh parts, a memo's content must depend on nothing but its key
(and on code, translations and settings, which do not change while a process runs). Nothing is invalidated: a
different input is a different key. A fresh part sees the context outside the memo (not a loop's variables
inside it). Like Django's cached template loader, the memo is off with DEBUG on (so an edited template shows at
once); LAYOUT_MEMO sets it either way. A test's override of settings (static files, languages, URLs) empties it.
"""

import threading
from collections import OrderedDict
from functools import lru_cache

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.defaulttags import CsrfTokenNode
from django.template.loader_tags import BlockNode
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

MEMO_SIZE = 512  # kept keys per memo name (the header's few keys are not pushed out by many event pages')
_memos: dict[str, OrderedDict[tuple, tuple[tuple[str, ...], tuple[template.Node, ...]]]] = {}
_lock = threading.Lock()
_COLLECTING = "_layout_memo_fresh_parts"  # in the context while a memo's content is rendered to be kept
_MARK = "\x00fresh\x00"  # where a fresh part goes in the kept HTML (no template writes a NUL character)
_CSRF_MARK = "\x00csrf\x00"  # the CSRF token while a memo's content is rendered to be kept
_CSRF_INPUT = CsrfTokenNode().render(template.Context({"csrf_token": _CSRF_MARK}))  # what {% csrf_token %} writes then


def memo_enabled() -> bool:
    return getattr(settings, "LAYOUT_MEMO", not settings.DEBUG)


def memo_clear(**kwargs) -> None:
    with _lock:
        _memos.clear()
    _nav_paths.cache_clear()


setting_changed.connect(memo_clear, dispatch_uid="academy-layout-memo-clear")


class MemoNode(template.Node):
    # A page that extends base.html has Django look for the {% block %}s of base.html in all of its nodes on every
    # render (ExtendsNode.render); a memo holds no block (the tag refuses one), so the search need not enter it.
    child_nodelists = ()

    def __init__(self, name: str, key: list[template.base.FilterExpression], nodelist: template.NodeList):
        self.name = name
        self.key = key
        self.nodelist = nodelist

    def render(self, context) -> str:
        if not memo_enabled():
            return self.nodelist.render(context)
        origin = getattr(self.origin, "name", None)
        # The script prefix: the links inside are written under it (a process may serve more than one).
        key = (origin, get_script_prefix(), *(part.resolve(context) for part in self.key))
        memo = _memos.get(self.name)
        kept = memo.get(key) if memo is not None else None
        if kept is None:
            fresh: list[FreshNode] = []
            with context.push({_COLLECTING: fresh, "csrf_token": _CSRF_MARK}):
                html = self.nodelist.render(context)
            kept = (tuple(html.split(_MARK)), tuple(fresh), _CSRF_MARK in html)
            with _lock:
                memo = _memos.setdefault(self.name, OrderedDict())
                memo[key] = kept
                while len(memo) > MEMO_SIZE:
                    memo.popitem(last=False)
        texts, fresh_parts, has_csrf = kept
        if has_csrf:  # as {% csrf_token %} and {{ csrf_token }} write the request's token (or nothing without one)
            token = context.get("csrf_token")
            tag, value = CsrfTokenNode().render(context), conditional_escape(token) if token else ""
            texts = [text.replace(_CSRF_INPUT, tag).replace(_CSRF_MARK, value) for text in texts]
        out = [texts[0]]
        for node, text in zip(fresh_parts, texts[1:], strict=True):
            out.append(node.nodelist.render(context))
            out.append(text)
        return mark_safe("".join(out))  # noqa: S308 - both are rendered template output, escaped there


class FreshNode(template.Node):
    def __init__(self, nodelist: template.NodeList):
        self.nodelist = nodelist

    def render(self, context) -> str:
        collecting = context.get(_COLLECTING)
        if collecting is None:
            return self.nodelist.render(context)
        collecting.append(self)
        return _MARK


@register.tag
def memo(parser, token):
    """{% memo "name" key1 key2 … %}…{% endmemo %}: see the module's docstring."""
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError("{% memo %} takes a quoted name, then the variables of its key.")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(BlockNode):  # a page's block would show what the first page rendered, to all
        raise template.TemplateSyntaxError("{% memo %} cannot hold a {% block %}.")
    return MemoNode(bits[1][1:-1], [parser.compile_filter(bit) for bit in bits[2:]], nodelist)


@register.tag
def fresh(parser, token):
    """{% fresh %}…{% endfresh %}: rendered on every request, also inside a {% memo %}."""
    nodelist = parser.parse(("endfresh",))
    parser.delete_first_token()
    return FreshNode(nodelist)


# The header's links to the pages that are marked as the current one (aria-current): which of them the request's
# path is, so that the header's memo needs that name in its key, not every path.
NAV_PAGES = (
    "academy:plain_home",
    "academy:home",
    "academy:contact",
    "events:catalogue",
    "events:attendance_overview",
    "events:my_bookings",
    "elearning:catalogue",
    "coaching:coach_cases",
)


@lru_cache(maxsize=8)
def _nav_paths(script_prefix: str) -> dict[str, str]:
    paths = {}
    for name in NAV_PAGES:
        try:
            paths[reverse(name)] = name
        except NoReverseMatch:  # a URLconf without that app (some tests')
            continue
    return paths


@register.simple_tag(takes_context=True)
def nav_current(context) -> str:
    """The URL name of the header's link to the page being shown, or "" (no link is the current page)."""
    request = context.get("request")
    if request is None:
        return ""
    return _nav_paths(get_script_prefix()).get(request.path, "")
