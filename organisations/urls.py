from django.urls import path

from . import certificates, views

app_name = "organisations"

urlpatterns = [
    path("", views.start, name="start"),
    path("datenschutz/", views.consent, name="consent"),
    path("registrieren/", views.register, name="register"),
    path("suchen/", views.search, name="search"),
    path("wechseln/", views.switch, name="switch"),
    path("einladung/<str:token>/", views.invitation, name="invitation"),
    path("<int:pk>/", views.home, name="home"),
    path("<int:pk>/beitreten/", views.join, name="join"),
    path("<int:pk>/bearbeiten/", views.edit, name="edit"),
    path("<int:pk>/team/", views.team, name="team"),
    path("<int:pk>/team/einladen/", views.invite, name="invite"),
    path("<int:pk>/team/uebergabe/", views.hand_over, name="hand_over"),
    path("<int:pk>/team/<int:membership_id>/rolle/", views.change_role, name="change_role"),
    path("<int:pk>/team/<int:membership_id>/entfernen/", views.remove_member, name="remove_member"),
    path(
        "<int:pk>/einladungen/<int:invitation_id>/zurueckziehen/",
        views.revoke_invitation,
        name="revoke_invitation",
    ),
    path(
        "<int:pk>/anfragen/<int:request_id>/<str:decision>/",
        views.decide_join_request,
        name="decide_join_request",
    ),
    path("<int:pk>/check/", views.check_overview, name="check"),
    path("<int:pk>/check/neu/", views.check_fill, name="check_fill"),
    path("<int:pk>/check/<int:assessment_id>/", views.check_result, name="check_result"),
    path("<int:pk>/verband/", views.federation, name="federation"),
    path("<int:pk>/nachweise/", certificates.certificates, name="certificates"),
    path("<int:pk>/nachweise/pdf/", certificates.certificates_pdf, name="certificates_pdf"),
    path("<int:pk>/verband/<int:club_id>/bestaetigen/", views.confirm_club, name="confirm_club"),
]
