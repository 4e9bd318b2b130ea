"""Pages of a long list, the same way on every page that has them: ?page=N, a notice instead of an error for a
page that does not exist (a link from an older visit, a hand-edited address), and the page links that
templates/academy/_pager.html renders. Two lists on one page each get their own parameter (`param`); a page link
of one keeps the other's page (`keep`)."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from academy.prepared import BoundRead


@dataclass(frozen=True)
class Paged:
    page: Page
    items: list  # the page's rows, read once
    notice: str  # "There is no page 9; you see page 3." or ""
    page_range: list  # page numbers with Paginator.ELLIPSIS where some are left out
    param: str = "page"  # the query parameter that names the page
    keep: str = ""  # the request's other parameters, encoded, for the page links


def page_of(request, items, *, per_page: int, param: str = "page") -> Paged:
    """The page of `items` that ?<param>= asks for, or the nearest one that exists and a notice saying so."""
    paginator = Paginator(items, per_page)
    requested = request.GET.get(param, "1")
    if requested.strip() == "1" and isinstance(items, BoundRead):
        # The first page (most visits) of a prepared read: its rows and the count in one query.
        rows, paginator.count = items.first_with_total(per_page)
        page = Page(rows, 1, paginator)
    elif requested.strip() == "1":
        # The first page of another list is read with one row more: if that row is missing, this is the whole list
        # and its length the count, without a COUNT query (which repeats the list's joins and filters).
        rows = list(items[: per_page + 1])
        if len(rows) <= per_page:
            paginator.count = len(rows)
        page = Page(rows[:per_page], 1, paginator)
    else:
        page = paginator.get_page(requested)
    notice = ""
    if str(page.number) != requested.strip():
        notice = _("There is no page %(page)s; you see page %(shown)s.") % {
            "page": requested[:10],
            "shown": page.number,
        }
    page_range = list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    keep = urlencode([(name, value) for name, value in request.GET.items() if name != param])
    return Paged(page=page, items=list(page.object_list), notice=notice, page_range=page_range, param=param, keep=keep)
