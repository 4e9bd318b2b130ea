"""The staff's admin site: Django's, with the list of apps and models kept per process.

Every admin page builds the list of apps and models for the navigation sidebar (and the index page): for each of
the ~40 registered models it asks the ModelAdmin's permission methods, reverses two or three URLs and translates
the names, ~15,000 Python calls per page (docs/benchmarks.md). The list comes out the same for everyone with the
same rights, language, script prefix and URLconf, so `AdminSite.get_app_list` keeps it per process for that key
(the last APP_LIST_SIZE keys), and the HTML of the sidebar and of the index's list is kept by the layout's
`{% memo %}` under the same key, the apps shown and the links the current page marks (`admin_app_list_key`;
templates/admin/base_site.html and index.html).

The rule that keeps it right: what a ModelAdmin's `has_module_permission` and `has_{add,change,delete,view}_
permission` answer without an object must follow from the person's rights alone: whether they are an active
superuser, staff, and the set of permissions `user.get_all_permissions()` names (Django's defaults ask
`user.has_perm`, which answers from that set; the project's overrides answer a constant). A ModelAdmin whose
answer depends on anything else (the time, the person's organisation, a role read from elsewhere) must not be
registered on this site without adding that to `app_list_key`. The list is shared: callers must not change it.

Like the layout's memo, it is off with DEBUG on and LAYOUT_MEMO switches it either way; a test's override of
settings empties it.
"""

import threading
from collections import OrderedDict

from django import template
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import ResultList, result_headers, result_list
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.core.signals import setting_changed
from django.template.defaultfilters import urlencode
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from academy.templatetags.layout import memo_enabled

APP_LIST_SIZE = 256  # kept keys per site: a few roles × languages × the index and each app's page
_KEY_ATTRIBUTE = "_vamos_admin_app_list_key"  # the request's key, computed once per request


class VamosAdminSite(admin.AdminSite):
    def __init__(self, name="admin"):
        super().__init__(name)
        self._app_lists: OrderedDict[tuple, list] = OrderedDict()
        self._app_lists_lock = threading.Lock()
        setting_changed.connect(self._forget_app_lists, weak=False)

    def _forget_app_lists(self, **kwargs) -> None:
        with self._app_lists_lock:
            self._app_lists.clear()

    def app_list_key(self, request) -> tuple:
        """Everything the app list depends on besides code and settings (see the module's docstring)."""
        key = getattr(request, _KEY_ATTRIBUTE, None)
        if key is None:
            user = request.user
            if user.is_active and user.is_superuser:
                # has_perm and has_module_perms answer True for an active superuser before asking any backend
                # (and get_all_permissions would read every Permission row).
                rights = (True, True, user.is_staff, None)
            else:
                rights = (user.is_active, False, user.is_staff, frozenset(user.get_all_permissions()))
            key = (rights, get_language(), get_script_prefix(), get_urlconf())
            setattr(request, _KEY_ATTRIBUTE, key)
        return key

    def get_app_list(self, request, app_label=None):
        if not memo_enabled():
            return super().get_app_list(request, app_label)
        key = (*self.app_list_key(request), app_label)
        app_list = self._app_lists.get(key)
        if app_list is None:
            app_list = super().get_app_list(request, app_label)
            with self._app_lists_lock:
                self._app_lists[key] = app_list
                while len(self._app_lists) > APP_LIST_SIZE:
                    self._app_lists.popitem(last=False)
        return app_list

    def app_list_html_key(self, request, app_list) -> tuple:
        """The memo key of app_list.html's HTML for `app_list` (one of this request's get_app_list): the app
        list's key, the apps it holds (the index's list or one app's) and the links app_list.html marks as the
        current app and model (it asks whether each link is contained in the page's quoted path)."""
        path = urlencode(request.path)
        marked = tuple(
            url
            for app in app_list
            for url in (app["app_url"], *(model["admin_url"] for model in app["models"]))
            if url and url in path
        )
        return (*self.app_list_key(request), tuple(app["app_label"] for app in app_list), marked)


# The template tag library "vamos_admin" (TEMPLATES' libraries in the settings).
register = template.Library()


@register.simple_tag(takes_context=True)
def admin_app_list_key(context, app_list):
    """{% admin_app_list_key app_list as key %}: the key of a {% memo %} around app_list.html's HTML for that list
    (templates/admin/base_site.html: the navigation sidebar; templates/admin/index.html)."""
    return admin.site.app_list_html_key(context["request"], app_list)


@register.simple_tag(takes_context=True)
def admin_filters_key(context):
    """{% admin_filters_key as key %}: the key of a {% memo %} around a change list's filters when they are all
    choices and dates (templates/admin/events/booking/change_list.html): the language, the query string (the
    selected filters and every link's other parameters), today in the current time zone (the date filter's links)
    and that zone."""
    return (
        get_language(),
        context["request"].META.get("QUERY_STRING", ""),
        timezone.localdate(),
        timezone.get_current_timezone_name(),
    )


@register.simple_tag
def admin_actions_key(action_form):
    """{% admin_actions_key action_form as key %}: the key of a {% memo %} around a change list's action choice
    (templates/admin/events/booking/actions.html): the language and the actions offered (they follow from the
    person's rights), the only things the unbound form's widgets show."""
    choices = action_form.fields["action"].choices
    return (get_language(), tuple((str(value), str(label)) for value, label in choices))


ROW_SEPARATOR = "</tr>\n\n\n<tr>"  # what admin/change_list_results.html writes between two rows


def quick_result_list(cl):
    """Django's result_list (the change list's table), with the rows written by the ModelAdmin's `quick_rows`
    (academy.admin_lists.QuickRowsMixin) where it can: the same template and the same HTML, each row one string
    of cells instead of one per cell."""
    # The key of the table head's memo (templates/admin/events/booking/change_list_results.html): the headers'
    # texts, sorting marks and links follow from the language, the columns and the query string.
    headers_key = (get_language(), tuple(cl.list_display), tuple(cl.sortable_by or ()), cl.get_query_string())
    quick_rows = getattr(cl.model_admin, "quick_rows", None)
    rows = quick_rows(cl) if quick_rows is not None else None
    if rows is None:
        return {**result_list(cl), "headers_key": headers_key}
    headers = SimpleLazyObject(lambda: list(result_headers(cl)))  # made only when the memo does not hold the head
    return {
        "cl": cl,
        "headers_key": headers_key,
        "result_hidden_fields": [],  # only a list_editable list has them, and Django writes that one
        "result_headers": headers,
        "num_sorted_fields": SimpleLazyObject(
            lambda: sum(1 for header in headers if header["sortable"] and header["sorted"])
        ),
        # All rows as one item of one result: the template writes "<tr>", the item and "</tr>" per result, and
        # between two results the same text as ROW_SEPARATOR, so the page is the same, without the template's
        # loops over 50 rows and their cells. tests/events/test_admin.py compares the table with Django's.
        "results": [ResultList(None, [mark_safe(ROW_SEPARATOR.join(rows))])] if rows else [],  # noqa: S308
    }


@register.tag(name="quick_result_list")
def quick_result_list_tag(parser, token):
    """{% quick_result_list cl %}: as {% result_list cl %} (the same overridable change_list_results.html)."""
    return InclusionAdminNode(
        parser, token, func=quick_result_list, template_name="change_list_results.html", takes_context=False
    )
