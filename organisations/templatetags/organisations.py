from django import template

from organisations import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def current_organisation(context):
    """The organisation the signed-in person acts for (for the header), or None."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    return selectors.current_organisation(request=request)
