from django.urls import path

from . import evidence_views, feeds, views

app_name = "events"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/kalender.ics", views.event_ics, name="event_ics"),
    path("<int:pk>/buchen/", views.book, name="book"),
    path("<int:pk>/kolleg-innen-buchen/", views.book_colleagues, name="book_colleagues"),
    path("buchungen/<int:pk>/stornieren/", views.cancel, name="cancel"),
    path("buchungen/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("meine-buchungen/", views.my_bookings, name="my_bookings"),
    path("organisation/<int:pk>/buchungen/", views.organisation_bookings, name="organisation_bookings"),
    path("anwesenheit/", views.attendance_overview, name="attendance_overview"),
    path("anwesenheit/<int:date_pk>/", views.attendance, name="attendance"),
    path("anwesenheit/<int:date_pk>/<int:booking_pk>/", views.attendance_mark, name="attendance_mark"),
    path(
        "nachweise/termin/<int:date_pk>/teilnehmerliste.pdf",
        evidence_views.participant_list_pdf,
        name="evidence_participant_list",
    ),
    path(
        "nachweise/termin/<int:date_pk>/anwesenheit.pdf",
        evidence_views.attendance_record_pdf,
        name="evidence_attendance_record",
    ),
    path(
        "nachweise/<int:pk>/teilnehmende.<str:extension>",
        evidence_views.event_participants_export,
        name="evidence_participants",
    ),
    path("nachweise/buchungen/", evidence_views.period_bookings, name="evidence_bookings"),
    path("kalender/", feeds.calendar, name="calendar"),
    path("kalender/neu/", feeds.calendar_rotate, name="calendar_rotate"),
    path("kalender/<str:token>.ics", feeds.calendar_feed, name="calendar_feed"),
]
