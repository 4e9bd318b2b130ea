"""A person's own data (DSGVO): "My data" with the data export, its download, and deleting the account."""

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from .models import Certificate, DataExport
from .privacy import data_export_for_download, data_export_request, user_delete_account


class AccountDeleteForm(forms.Form):
    REVOKE, KEEP = "revoke", "keep"

    certificates = forms.ChoiceField(
        label=gettext_lazy("Your certificates"),
        choices=[
            (REVOKE, gettext_lazy("Revoke them: their verification page will say “revoked”.")),
            (
                KEEP,
                gettext_lazy(
                    "Keep them valid: their verification page will still say “issued”, but no longer show your name."
                ),
            ),
        ],
        initial=REVOKE,
        required=False,  # not chosen: revoked, the default
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=gettext_lazy("To confirm that it is you who deletes the account."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."), code="wrong_password")
        return password

    def clean(self):
        cleaned = super().clean()
        if self.user.is_superuser:
            raise forms.ValidationError(
                _("A superuser account cannot be deleted here. Please ask another administrator."), code="superuser"
            )
        return cleaned


@login_required
@require_GET
def my_data(request):
    exports = list(DataExport.objects.filter(user=request.user).order_by("-requested_at", "-pk")[:5])
    return render(
        request,
        "academy/my_data.html",
        {
            "exports": exports,
            "pending": any(export.status == DataExport.Status.PENDING for export in exports),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def data_export_create(request):
    _export, created = data_export_request(user=request.user)
    if created:
        messages.success(
            request, _("We are putting your data together. You will get an email with the download link shortly.")
        )
    else:
        messages.info(request, _("Your data is already being put together. You will get an email shortly."))
    return redirect("academy:my_data")


@login_required
@require_GET
def data_export_download(request, pk: int):
    """The ZIP, to the person who asked for it and only until it expires; 404 to everyone else (staff too)."""
    export = data_export_for_download(user=request.user, pk=pk)
    if export is None:
        raise Http404
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"vamos-meine-daten-{export.finished_at:%Y-%m-%d}.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def account_delete(request):
    user = request.user
    valid_certificates = Certificate.objects.filter(recipient=user, revoked_at__isnull=True).count()
    if request.method == "POST":
        form = AccountDeleteForm(request.POST, user=user)
        if form.is_valid():
            user_delete_account(user=user, keep_certificates=form.cleaned_data["certificates"] == form.KEEP)
            logout(request)
            return redirect("academy:account_deleted")
    else:
        form = AccountDeleteForm(user=user)
    return render(request, "academy/account_delete.html", {"form": form, "valid_certificates": valid_certificates})


@require_GET
def account_deleted(request):
    return render(request, "academy/account_deleted.html")
