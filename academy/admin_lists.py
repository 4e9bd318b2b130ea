"""What makes the admin's long lists cheaper to render, for the ModelAdmins of tables that grow with use
(bookings, attendance, certificates, enrolments).

Django renders each row's action checkbox through a form widget and its template: at 50 rows that was a quarter
of the booking list's time (docs/benchmarks.md). The same element written directly costs a string format.
"""

from collections import OrderedDict
from html import escape
from typing import NamedTuple

from django.conf import settings
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.core.paginator import Paginator
from django.core.signals import setting_changed
from django.db import connections, models
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.timezone import get_current_timezone, get_current_timezone_name
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .prepared import compiled_as_it_is

# A list of every row of a table larger than this is counted from PostgreSQL's estimate (EstimatedCountPaginator).
ESTIMATE_COUNT_ABOVE = 50_000


class EstimatedCountPaginator(Paginator):
    """The admin's pager for a table that grows with use: its list without filters or search is counted from
    PostgreSQL's estimate of the table's rows (pg_class.reltuples, kept by ANALYZE) once that estimate passes
    ESTIMATE_COUNT_ABOVE; `estimated` says so, and the pager writes "about". Counting 110,000 bookings exactly
    took 9–11 ms of PostgreSQL's time on every visit, a third of the list's cost at the benchmark's scale
    (docs/benchmarks.md). A filtered or searched list, a smaller table and another database are counted exactly.
    One query either way: PostgreSQL runs the exact COUNT only when the estimate is small."""

    estimated = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is None or query.where or query.distinct or query.combinator or query.is_sliced:
            return super().count
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return super().count
        table = connection.ops.quote_name(queryset.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT CASE WHEN reltuples > %s THEN reltuples::bigint"  # noqa: S608 - a quoted table name
                f" ELSE (SELECT COUNT(*) FROM {table}) END, reltuples > %s FROM pg_class WHERE oid = %s::regclass",
                [ESTIMATE_COUNT_ABOVE, ESTIMATE_COUNT_ABOVE, queryset.model._meta.db_table],
            )
            count, self.estimated = cursor.fetchone()
        return int(count)


class QuickActionCheckboxMixin:
    """Writes the row's action checkbox as ModelAdmin.action_checkbox does (same element and attributes, the same
    accessible name), without the widget template."""

    def action_checkbox(self, obj):
        # Django's own message; locale/ carries its translations word for word, so the name is the same.
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )


# Written directly: a list's rows as Django's items_for_result writes them (django.contrib.admin.templatetags.
# admin_list), for the column kinds below. Django's path costs ~1,100 Python calls per row of seven columns
# (lookup_field, display_for_field and format_html per cell, a reverse() for the row's link, the checkbox's label
# translated per row); the booking list's 50 rows were 57,000 of its 169,000 calls. What a page's rows share (the
# translated texts, the date format, the link around the primary key) is read once per page here.
# tests/events/test_admin.py compares the rows with Django's.
_PK_PLACEHOLDER = "vamos-pk-placeholder"


class QuickColumns(NamedTuple):
    cells: list  # per column: its classes, a function writing a row's escaped text, whether it links to the row
    link: tuple[str, str, str]  # the row's link before and after its primary key, and the key's attribute


KEPT_PAGE_QUERIES = 256  # per process, over all lists that keep theirs (a few hundred bytes of SQL each)
_page_queries: OrderedDict[tuple, object] = OrderedDict()
setting_changed.connect(lambda **kwargs: _page_queries.clear(), weak=False, dispatch_uid="academy-admin-page-queries")


class RowsChangeList(ChangeList):
    """A change list whose page of rows is read as the ModelAdmin's `list_rows` (values) where QuickRowsMixin writes
    the rows.

    Where the ModelAdmin says `list_rows_query_follows_query_string = True` (its queryset, search and filters
    follow from the request's query string alone, not from the person), the page's query is compiled once per
    process for each query string, window of rows, language and time zone (academy.prepared.compiled_as_it_is):
    compiling it was a tenth of the booking list's cost. Under the test settings (PREPARED_READS_VERIFY) every
    kept query is compared with the one Django compiles for the request."""

    def get_results(self, request):
        super().get_results(request)
        self.quick_columns = self.model_admin.quick_columns(self)
        if self.quick_columns is not None:
            rows = self.model_admin.list_rows
            make = rows.for_page() if hasattr(rows, "for_page") else rows  # what the page's rows share, made once
            self.result_list = [make(values) for values in self._page_rows(request, rows)]

    def _page_rows(self, request, rows):
        page = self.result_list
        if not self.model_admin.list_rows_query_follows_query_string:
            return page.values_list(*rows.fields)
        key = (
            type(self.model_admin),
            page.db,
            request.META.get("QUERY_STRING", ""),
            page.query.low_mark,
            page.query.high_mark,
            get_language(),
            get_current_timezone_name(),
        )
        compiled = _page_queries.get(key)
        if compiled is None:
            compiled = compiled_as_it_is(page.values_list(*rows.fields))
            _page_queries[key] = compiled
            while len(_page_queries) > KEPT_PAGE_QUERIES:
                _page_queries.popitem(last=False)
        elif getattr(settings, "PREPARED_READS_VERIFY", False):
            fresh = page.values_list(*rows.fields)
            sql, params = fresh.query.get_compiler(using=fresh.db).as_sql()
            if (sql, tuple(params)) != (compiled.sql, compiled.params):
                raise AssertionError(f"The kept page query differs from Django's for {key}:\n{compiled.sql}\n{sql}")
        return compiled.queryset_with(compiled.params, connections[page.db])


class QuickRowsMixin(QuickActionCheckboxMixin):
    """A ModelAdmin whose change list's rows are written here when every column is one of: the action checkbox,
    a foreign key (the related row's str()), a field with choices (its label), a date-time (localised as
    Django's list localises it) or a plain text field. Anything else (another column kind, list_editable, a
    popup, to_field) is written by Django. The page uses it through `{% quick_result_list cl %}` (the tag
    library vamos_admin) instead of `{% result_list cl %}` in its change_list.html.

    `list_rows`, when set, is a class whose objects stand for the page's rows instead of model instances: made
    from the values of its `fields` (values_list), with the attributes the columns read (a foreign key column's
    attribute is what the related row's str() gives) and the row's own str() for its checkbox. Four model
    instances per row of the booking list (the booking, its person, event and organisation, each with most of
    its fields deferred) were a third of the page's time. The ModelAdmin's tests compare the page with Django's.
    Where Django writes the rows, they are model instances as ever. The count, the filters and the actions'
    querysets are not changed."""

    list_rows: type | None = None
    # True only where get_queryset, the search and the filters follow from the query string alone (not from the
    # person or the day): the page's query is then kept per process for each query string (RowsChangeList).
    list_rows_query_follows_query_string = False

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        return RowsChangeList if self.list_rows is not None and changelist is ChangeList else changelist

    def quick_rows(self, cl) -> list[str] | None:
        """The rows' HTML, one string of cells per row, or None: Django writes these rows."""
        columns = cl.quick_columns if isinstance(cl, RowsChangeList) else self.quick_columns(cl)
        if columns is None:
            return None
        before, after, pk_name = columns.link
        rows = []
        for obj in cl.result_list:
            cells = []
            linked = False
            for classes, write, link in columns.cells:
                text = write(obj)
                if link:
                    href = f"{before}{escape(str(quote(getattr(obj, pk_name))))}{after}"
                    tag = "td" if linked else "th"
                    linked = True
                    cells.append(f'<{tag} class="{classes}"><a href="{href}">{text}</a></{tag}>')
                else:
                    cells.append(f'<td class="{classes}">{text}</td>')
            rows.append("".join(cells))
        return rows

    def quick_columns(self, cl) -> "QuickColumns | None":
        """How the list's rows are written, or None: Django writes them."""
        if cl.list_editable or cl.is_popup or cl.to_field:  # a formset (list_editable) is written by Django
            return None
        empty = self.get_empty_value_display()
        links = cl.list_display_links
        columns = []
        first = True
        for field_name in cl.list_display:
            link = links is not None and ((first and not links) or field_name in links)
            if link:
                first = False
            column = self._quick_column(field_name, empty)
            if column is None:
                return None
            columns.append((*column, link))
        try:
            url = reverse(
                f"admin:{cl.opts.app_label}_{cl.opts.model_name}_change",
                args=(_PK_PLACEHOLDER,),
                current_app=self.admin_site.name,
            )
        except NoReverseMatch:
            return None
        url = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)
        before, _placeholder, after = escape(url).partition(_PK_PLACEHOLDER)
        return QuickColumns(columns, (before, after, cl.lookup_opts.pk.attname))

    def _quick_column(self, field_name, empty):
        """(the cell's classes, a function writing a row's escaped text), or None for a column Django writes."""
        if field_name == "action_checkbox":
            if type(self).action_checkbox is not QuickActionCheckboxMixin.action_checkbox:
                return "action-checkbox", self.action_checkbox
            return "action-checkbox", _write_checkbox()
        if not isinstance(field_name, str) or field_name == "__str__":
            return None
        try:
            field = self.model._meta.get_field(field_name)
        except FieldDoesNotExist:
            return None
        if field.auto_created or not field.concrete or field.name != field_name or field.many_to_many:
            return None
        classes = f"field-{field_name}"
        if isinstance(field, models.ForeignKey):
            if field.related_model is None:
                return None
            return f"{classes} nowrap", _write_related(field_name, empty)
        if isinstance(field, (models.BooleanField, models.DateField, models.TimeField)) and field.flatchoices:
            return None
        if field.flatchoices:
            labels = {value: escape(str(label)) for value, label in field.flatchoices}
            return classes, _write_choice(field_name, labels, empty)
        if isinstance(field, models.DateTimeField):
            return f"{classes} nowrap", _write_datetime(field_name, empty)
        if type(field) in (models.CharField, models.TextField, models.EmailField, models.SlugField):
            return classes, _write_text(field_name, empty)
        return None


def _write_checkbox():
    # QuickActionCheckboxMixin.action_checkbox with the message translated once per page.
    message = _("Select this object for an action - {}")
    name = escape(helpers.ACTION_CHECKBOX_NAME)

    def write(obj):
        label = message.format(escape(str(obj)))
        value = escape(str(obj.pk))
        return f'<input type="checkbox" name="{name}" value="{value}" class="action-select" aria-label="{label}">'

    return write


def _write_related(name, empty):
    def write(obj):
        try:
            value = getattr(obj, name)
        except ObjectDoesNotExist:  # Django's list shows a row whose related row is gone as empty, too
            return empty
        return empty if value is None else escape(str(value))

    return write


def _write_choice(name, labels, empty):
    def write(obj):
        value = getattr(obj, name)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        return labels.get(value, empty)

    return write


# What each of dateformat's format characters depends on: the date alone, the hour and minute alone; the rest
# (seconds, time zone, the whole value) is formatted for every value.
_DATE_CHARACTERS = frozenset("bdDEFjlLmMnNoStwWyYz")
_HOUR_MINUTE_CHARACTERS = frozenset("aAfgGhHiP")


def _write_datetime(name, empty):
    # Django: display_for_field → formats.localize(timezone.template_localtime(value)): the value in the current
    # time zone, formatted with the language's DATETIME_FORMAT by dateformat. Here the format is read and split
    # into its literal texts and format characters once per page, each value is formatted by the same DateFormat
    # methods, and what a character gives for a date (a month's name, a day) or an hour and minute ("3 p.m.") is
    # kept for the page: a page of the newest rows holds a few dates.
    date_format = str(get_format("DATETIME_FORMAT"))
    parts = []
    for index, piece in enumerate(dateformat.re_formatchars.split(date_format)):
        if index % 2:
            parts.append((1 if piece in _DATE_CHARACTERS else 2 if piece in _HOUR_MINUTE_CHARACTERS else 3, piece))
        elif piece:
            parts.append((0, dateformat.re_escaped.sub(r"\1", piece)))
    zone = get_current_timezone() if settings.USE_TZ else None
    kept = {}

    def write(obj):
        value = getattr(obj, name)
        if value is None:
            return empty
        if zone is not None and value.utcoffset() is not None and getattr(value, "convert_to_local_time", True):
            value = value.astimezone(zone)
        formatter = None
        out = []
        for kind, piece in parts:
            if kind == 0:
                out.append(piece)
                continue
            key = (piece, value.date()) if kind == 1 else (piece, value.hour, value.minute) if kind == 2 else None
            text = kept.get(key) if key is not None else None
            if text is None:
                if formatter is None:
                    formatter = dateformat.DateFormat(value)
                text = str(getattr(formatter, piece)())
                if key is not None:
                    kept[key] = text
            out.append(text)
        return escape("".join(out))

    return write


def _write_text(name, empty):
    def write(obj):
        value = getattr(obj, name)
        if value is None or (isinstance(value, str) and value.strip() == ""):
            return empty
        return escape(str(value))

    return write
