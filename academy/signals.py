"""Keeps the roles' permissions and the Site record in step with the code after every migrate."""

from urllib.parse import urlsplit

from django.conf import settings

from . import roles

# VAMOs staff manage everything of the portal's own apps and the people.
STAFF_APPS = ("academy", "organisations", "events", "coaching", "elearning", "account")


def sync_roles_and_site(sender, using="default", **kwargs):
    from django.contrib.auth.models import Group, Permission
    from django.contrib.sites.models import Site

    staff, _created = Group.objects.using(using).get_or_create(name=roles.STAFF)
    for name in (roles.COACH, roles.TRAINER):
        Group.objects.using(using).get_or_create(name=name)
    staff.permissions.set(Permission.objects.using(using).filter(content_type__app_label__in=STAFF_APPS))

    domain = urlsplit(settings.SITE_URL).netloc or "localhost"
    Site.objects.using(using).update_or_create(pk=settings.SITE_ID, defaults={"domain": domain, "name": "VAMOs"})
