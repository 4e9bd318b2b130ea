"""The portal in six languages (issue 11): right-to-left Arabic, offers shown in German when a translation is
missing (and saying so), mails and certificates in the person's language.

Until the translators' catalogues land, these tests assert structure (lang, dir, which text is shown, fonts)
rather than translated interface strings.
"""

import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse

from academy.certificates import CertificateContent, certificate_issue, certificate_kinds, certificate_render
from academy.models import Certificate
from events import services as event_services
from organisations.models import Membership
from tests.elearning.factories import LessonFactory, MaterialFactory, ModuleFactory
from tests.events.conftest import make_person
from tests.events.factories import EventFactory, soon
from tests.organisations.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

STATIC = Path(__file__).resolve().parent.parent / "static"
# The notices, found by their class: their wording changes with the page language once the catalogues are in.
NOTICE_ONE = "fallback-notice-page"
NOTICE_MANY = "fallback-notice-list"


def visitor_in(client, settings, code):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    return client


# ---- right to left -----------------------------------------------------------------------------------------


def test_an_arabic_page_runs_right_to_left_with_bootstraps_rtl_sheet(client, settings):
    html = visitor_in(client, settings, "ar").get("/").content.decode()

    assert '<html lang="ar" dir="rtl">' in html
    assert "vendor/bootstrap/bootstrap.rtl.min.css" in html
    assert "vendor/bootstrap/bootstrap.min.css" not in html


@pytest.mark.parametrize("code", ["de", "en", "tr", "ru", "uk"])
def test_other_pages_run_left_to_right(client, settings, code):
    html = visitor_in(client, settings, code).get("/").content.decode()

    assert f'<html lang="{code}" dir="ltr">' in html
    assert "vendor/bootstrap/bootstrap.min.css" in html
    assert "bootstrap.rtl" not in html


def test_the_rtl_stylesheet_is_shipped_beside_the_ltr_one_in_the_same_version():
    folder = STATIC / "vendor" / "bootstrap"
    version = re.compile(r"Bootstrap\s+v(\d+\.\d+\.\d+)")
    ltr = version.search((folder / "bootstrap.min.css").read_text()[:300]).group(1)
    rtl = version.search((folder / "bootstrap.rtl.min.css").read_text()[:300]).group(1)
    assert ltr == rtl


def test_the_switcher_in_the_header_offers_every_language_in_its_own_name(client):
    html = client.get("/").content.decode()
    header = html[html.index("<header") : html.index("</header>")]

    options = re.findall(r'<option value="(\w+)" lang="(\w+)"[^>]*>([^<]+)</option>', header)
    assert [(value, lang, name) for value, lang, name in options] == [
        ("de", "de", "Deutsch"),
        ("en", "en", "English"),
        ("tr", "tr", "Türkçe"),
        ("ar", "ar", "العربيّة"),
        ("ru", "ru", "Русский"),
        ("uk", "uk", "Українська"),
    ]


def test_back_and_forward_arrows_turn_round_on_an_arabic_page(client, settings):
    event = EventFactory()
    html = visitor_in(client, settings, "ar").get(event.get_absolute_url()).content.decode()

    assert '<span class="dir-arrow" aria-hidden="true">←</span>' in html
    css = (STATIC / "css" / "vamos.css").read_text()
    assert '[dir="rtl"] .dir-arrow { transform: scaleX(-1); }' in css


def test_our_stylesheets_use_no_physical_left_or_right():
    """Bootstrap's RTL sheet mirrors Bootstrap; our own rules must mirror by themselves (logical properties)."""
    physical = re.compile(
        r"(margin|padding|border)-(left|right)|text-align:\s*(left|right)|float:\s*(left|right)|\bleft:|\bright:"
    )
    for name in ("vamos.css", "events.css", "admin.css"):
        css = (STATIC / "css" / name).read_text()
        css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
        assert not physical.search(css), f"{name}: {physical.search(css).group(0)}"


# ---- offers in the person's language, else German, and saying so ---------------------------------------


@pytest.fixture
def turkish_member():
    person = make_person(language="tr")
    OrganisationFactory(members=[person])
    return person


def test_a_turkish_person_sees_the_turkish_event_and_the_german_one_marked_with_a_notice(client, turkish_member):
    translated = EventFactory(title="Fördermittel beantragen", description="Wie es geht.")
    translated.title_tr = "Hibe başvurusu"
    translated.description_tr = "Nasıl yapılır."
    translated.save()
    german_only = EventFactory(title="Vereinsrecht kompakt", description="Satzung und Vorstand.")
    client.force_login(turkish_member)

    page = client.get(translated.get_absolute_url()).content.decode()
    assert '<h1 class="mb-2">Hibe başvurusu</h1>' in page
    assert "Nasıl yapılır." in page and "Wie es geht." not in page
    assert NOTICE_ONE not in page
    assert 'lang="de"' not in page.split("<main", 1)[1]

    page = client.get(german_only.get_absolute_url()).content.decode()
    assert '<h1 class="mb-2" lang="de">Vereinsrecht kompakt</h1>' in page
    assert '<div lang="de"><p>Satzung und Vorstand.</p></div>' in page
    assert page.count(NOTICE_ONE) == 1  # once for the page, not per field
    notice = re.search(r'<p class="fallback-notice.*?</p>', page, flags=re.S).group(0)
    assert "Türkçe" in notice  # the missing language, named in the page's language (Django's catalogue)

    catalogue = client.get(reverse("events:catalogue")).content.decode()
    assert catalogue.count(NOTICE_MANY) == 1
    assert f'<h3 class="h5 card-title"><a href="{translated.get_absolute_url()}">Hibe başvurusu</a></h3>' in catalogue
    assert (
        f'<h3 class="h5 card-title" lang="de"><a href="{german_only.get_absolute_url()}">Vereinsrecht kompakt</a></h3>'
        in catalogue
    )


def test_on_an_arabic_page_german_text_also_runs_left_to_right(client, settings):
    event = EventFactory(title="Vereinsrecht kompakt")

    page = visitor_in(client, settings, "ar").get(event.get_absolute_url()).content.decode()

    assert '<h1 class="mb-2" lang="de" dir="ltr">Vereinsrecht kompakt</h1>' in page


def test_german_and_english_readers_get_no_notice_when_their_text_exists(client, settings):
    event = EventFactory(title="Vereinsrecht kompakt", description="Satzung.")
    event.title_en = "Association law"
    event.description_en = "Statutes."
    event.save()

    german = client.get(event.get_absolute_url()).content.decode()
    english = visitor_in(client, settings, "en").get(event.get_absolute_url()).content.decode()

    assert NOTICE_ONE not in german and NOTICE_ONE not in english
    assert "Association law" in english


def test_an_english_reader_is_told_when_the_english_text_is_missing(client, settings):
    event = EventFactory(title="Vereinsrecht kompakt")

    page = visitor_in(client, settings, "en").get(event.get_absolute_url()).content.decode()

    assert page.count(NOTICE_ONE) == 1
    assert '<h1 class="mb-2" lang="de">Vereinsrecht kompakt</h1>' in page


def test_module_lesson_and_materials_mark_their_german_fallbacks(client, settings):
    module = ModuleFactory(title_de="Projekte planen", summary_de="Worum es geht.", title_en="", summary_en="")
    module.title_tr = "Proje planlama"
    module.save()
    lesson = LessonFactory(module=module, position=1, title_de="Ziele", title_en="", text_de="Ein Text.")
    material = MaterialFactory(title_de="Checkliste", title_en="", description_de="Zum Abhaken.")
    visitor_in(client, settings, "tr")

    page = client.get(reverse("elearning:module", args=[module.slug])).content.decode()
    assert '<h1 class="mb-2">Proje planlama</h1>' in page
    assert '<p class="lead" lang="de">Worum es geht.</p>' in page
    assert page.count(NOTICE_ONE) == 1
    assert page.count(NOTICE_MANY) == 1  # the lessons' list
    assert '<span lang="de"><a href="' in page

    page = client.get(reverse("elearning:lesson", args=[module.slug, lesson.pk])).content.decode()
    assert '<h1 class="mb-3" lang="de">Ziele</h1>' in page
    assert '<div class="lesson-text mb-4" lang="de">' in page
    assert page.count(NOTICE_ONE) == 1

    page = client.get(reverse("elearning:materials")).content.decode()
    assert '<h3 class="h6 mb-1" lang="de">Checkliste</h3>' in page
    assert '<p class="mb-1 small" lang="de">Zum Abhaken.</p>' in page
    assert page.count(NOTICE_MANY) == 1
    assert material.title_de in page

    page = client.get(reverse("elearning:catalogue")).content.decode()
    assert '<h3 class="h5 card-title"><a href="' in page and ">Proje planlama</a>" in page
    assert '<p class="card-text" lang="de">Worum es geht.</p>' in page


def test_the_offer_text_helper_reads_no_more_than_the_row(django_assert_num_queries):
    from django.utils import translation

    from academy.templatetags.offer_text import offer_text_of
    from events.models import Event

    EventFactory(title="Vereinsrecht kompakt")
    event = Event.objects.get()
    with django_assert_num_queries(0), translation.override("uk"):
        text = offer_text_of(event, "title")
    assert (str(text), text.language, text.requested, text.is_fallback) == ("Vereinsrecht kompakt", "de", "uk", True)


def test_turkish_offer_pages_run_as_many_queries_as_german_ones(
    client, settings, turkish_member, django_assert_num_queries
):
    """The pinned counts of tests/events/test_views.py and tests/elearning/test_views.py hold in Turkish too."""
    from academy.models import Topic

    topic = Topic.objects.create(slug="pm-i18n", name="Projektmanagement", position=92)
    for number in range(15):
        EventFactory(topics=[topic], dates=[(soon(10 + number), soon(10 + number, hour=12))])
    visitor_in(client, settings, "tr")
    # the chosen topic, count, events, their dates, their topics, the topics of the filter (as in German)
    with django_assert_num_queries(6):
        response = client.get(reverse("events:catalogue"), {"topic": topic.pk, "page": "2"})
    assert response.status_code == 200
    assert '<html lang="tr"' in response.content.decode()

    for _ in range(3):
        ModuleFactory(topics=[topic])
    client.force_login(turkish_member)
    # session, user, organisation in the header, topics for the filter, modules, their topics (as in English)
    with django_assert_num_queries(6):
        response = client.get(reverse("elearning:catalogue"))
    assert response.content.decode().count('class="card h-100"') == 3


# ---- mails and certificates in the person's language ----------------------------------------------------


def test_an_arabic_persons_booking_mail_runs_right_to_left_with_the_arabic_title(django_capture_on_commit_callbacks):
    club = OrganisationFactory()
    person = make_person(language="ar")
    Membership.objects.create(user=person, organisation=club)
    event = EventFactory(title="Fördermittel beantragen")
    event.title_ar = "طلب التمويل"
    event.save()

    with django_capture_on_commit_callbacks(execute=True):
        event_services.booking_create(event=event, person=person, organisation=club, booked_by=person)

    assert len(mail.outbox) == 1
    html = mail.outbox[0].alternatives[0][0]
    assert '<html lang="ar" dir="rtl">' in html
    assert "طلب التمويل" in html and "طلب التمويل" in mail.outbox[0].subject


def test_a_turkish_persons_mail_is_left_to_right(django_capture_on_commit_callbacks):
    club = OrganisationFactory()
    person = make_person(language="tr")
    Membership.objects.create(user=person, organisation=club)

    with django_capture_on_commit_callbacks(execute=True):
        event_services.booking_create(event=EventFactory(), person=person, organisation=club, booked_by=person)

    assert '<html lang="tr" dir="ltr">' in mail.outbox[0].alternatives[0][0]


def test_allauths_mails_run_right_to_left_for_an_arabic_person(client):
    person = make_person(language="ar")

    client.post(reverse("account_reset_password"), {"email": person.email})

    html = mail.outbox[0].alternatives[0][0]
    assert 'lang="ar" dir="rtl"' in html


def _pdf_tools():
    if not (shutil.which("pdftotext") and shutil.which("pdffonts")):
        pytest.skip("poppler-utils (pdftotext, pdffonts) is not installed")


BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def certificate_for(monkeypatch, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path

    def issue(person, title, organisation):
        def build(*, subject_key, recipient):
            return CertificateContent(
                title=title, organisation_name=organisation, details={"hours": 6, "place": "Berlin"}
            )

        monkeypatch.setitem(certificate_kinds, "module", build)
        certificate = certificate_issue(kind="module", subject_key="module:1", recipient=person)
        certificate_render(certificate_id=certificate.pk)
        certificate = Certificate.objects.get(pk=certificate.pk)
        path = tmp_path / "c.pdf"
        path.write_bytes(certificate.file.read())
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        return certificate, BIDI_CONTROLS.sub("", text), fonts.splitlines()[2:]

    return issue


def test_an_arabic_certificate_is_typeset_right_to_left_with_the_arabic_font_embedded(certificate_for):
    _pdf_tools()
    person = make_person(language="ar", first_name="ليلى", last_name="حداد")

    certificate, text, fonts = certificate_for(person, "إدارة الجمعيات والتمويل", "جمعية الجالية العربية")

    assert certificate.language == "ar"
    # pdftotext gives the text in logical (reading) order, so these are found as typed.
    assert "ليلى حداد" in text
    assert "إدارة الجمعيات والتمويل" in text
    assert "جمعية الجالية العربية" in text
    arabic = [line for line in fonts if "Noto-Naskh-Arabic" in line or "NotoNaskhArabic" in line]
    assert arabic, fonts
    assert all(line.split()[-5] == "yes" for line in arabic)  # emb


def test_the_arabic_certificate_declares_its_language_and_direction():
    from pypdf import PdfReader

    from academy.certificates import certificate_pdf

    person = make_person(language="ar")
    certificate = Certificate(kind="module", subject_key="module:9", recipient=person, title="x", language="ar")

    reader = PdfReader(BytesIO(certificate_pdf(certificate=certificate)))
    assert reader.trailer["/Root"]["/Lang"] == "ar"


@pytest.mark.parametrize(
    ("code", "first", "last", "title"),
    [
        ("tr", "Gülşen", "Öztürk", "Dernek yönetimi ve finansman (Şubat)"),
        ("ru", "Людмила", "Иванова", "Управление объединением"),
        ("uk", "Олена", "Шевченко", "Фінансування поза програмами підтримки: ґ, є, ї"),
    ],
)
def test_turkish_and_cyrillic_certificates_use_only_the_fonts_the_project_ships(
    certificate_for, code, first, last, title
):
    _pdf_tools()
    person = make_person(language=code, first_name=first, last_name=last)

    _certificate, text, fonts = certificate_for(person, title, "")

    assert f"{first} {last}" in text and title in text
    assert fonts and all("DejaVu" in line or "Noto-Naskh-Arabic" in line for line in fonts), fonts


# ---- choosing the language --------------------------------------------------------------------------------


def test_signup_offers_the_six_languages_preset_to_the_page_and_keeps_the_choice(client, settings):
    from academy.models import User

    page = visitor_in(client, settings, "ru").get("/konto/signup/").content.decode()
    assert '<option value="ru" lang="ru" selected>Русский</option>' in page
    assert '<option value="ar" lang="ar">العربيّة</option>' in page

    password = "ein-langes-Passwort-2026"
    client.post(
        "/konto/signup/",
        {
            "first_name": "Olena",
            "last_name": "Kovalenko",
            "email": "olena@verein.example",
            "password1": password,
            "password2": password,
            "language": "uk",
        },
    )

    assert User.objects.get(email="olena@verein.example").language == "uk"
    assert '<html lang="uk" dir="ltr">' in mail.outbox[0].alternatives[0][0]


def test_staff_translate_an_event_in_all_six_languages_in_the_admin(client):
    staff = make_person(is_staff=True, is_superuser=True)
    event = EventFactory()
    client.force_login(staff)

    page = client.get(reverse("admin:events_event_change", args=[event.pk])).content.decode()

    for field in ("title", "description"):
        for code in ("de", "en", "tr", "ar", "ru", "uk"):
            assert f'name="{field}_{code}"' in page


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Projektevaluation: Wirkung messen", "ltr"),
        ("تقييم المشاريع: Wirkung", "rtl"),
        ("2026 – Haus der Begegnung", "ltr"),  # digits and punctuation are weak: the first letter decides
        ("« ورشة »", "rtl"),
        ("", "ltr"),
    ],
)
def test_a_snapshot_text_on_a_certificate_is_set_in_its_own_direction(text, expected):
    from academy.templatetags.bidi import direction

    assert direction(text) == expected
