from django.urls import path

from . import views

app_name = "coaching"

urlpatterns = [
    path("", views.index, name="index"),
    path("coaches/", views.coach_list, name="coach_list"),
    path("kalender/", views.calendar, name="calendar"),
    # the organisation's side
    path("organisation/<int:pk>/", views.cases, name="cases"),
    path("organisation/<int:pk>/anfragen/", views.request_create, name="request"),
    path("organisation/<int:pk>/<int:case_pk>/", views.case, name="case"),
    path("organisation/<int:pk>/<int:case_pk>/termin/", views.slot_picker, name="slots"),
    path("organisation/<int:pk>/<int:case_pk>/zurueckziehen/", views.withdraw, name="withdraw"),
    path("organisation/<int:pk>/<int:case_pk>/feedback/", views.feedback, name="feedback"),
    path(
        "organisation/<int:pk>/<int:case_pk>/sitzung/<int:session_pk>/bestaetigen/",
        views.session_confirm,
        name="session_confirm",
    ),
    path(
        "organisation/<int:pk>/<int:case_pk>/sitzung/<int:session_pk>/absagen/",
        views.session_cancel,
        name="session_cancel",
    ),
    # the coach's side
    path("coach/", views.coach_cases, name="coach_cases"),
    path("coach/profil/", views.profile, name="profile"),
    path("coach/verfuegbarkeit/", views.availability, name="availability"),
    path(
        "coach/verfuegbarkeit/<str:kind>/<int:item_pk>/loeschen/",
        views.availability_delete,
        name="availability_delete",
    ),
    path("coach/<int:case_pk>/", views.coach_case, name="coach_case"),
    path("coach/<int:case_pk>/ziele/", views.coach_goals, name="coach_goals"),
    path("coach/<int:case_pk>/ort/", views.coach_meeting, name="coach_meeting"),
    path("coach/<int:case_pk>/vorschlagen/", views.coach_propose, name="coach_propose"),
    path("coach/<int:case_pk>/abschliessen/", views.coach_complete, name="coach_complete"),
    path("coach/sitzung/<int:session_pk>/erfassen/", views.coach_record, name="coach_record"),
    path("coach/sitzung/<int:session_pk>/verschieben/", views.coach_move, name="coach_move"),
    path("coach/sitzung/<int:session_pk>/absagen/", views.coach_cancel, name="coach_cancel"),
]
