"""{% attention_today as panels %}: the staff start page's panels (academy.dashboard), for the admin index."""

from django import template

from academy.dashboard import attention_today as _attention_today

register = template.Library()


@register.simple_tag(takes_context=True)
def attention_today(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated or not request.user.is_staff:
        return []
    return _attention_today(request=request)
