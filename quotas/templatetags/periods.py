"""`{{ period|period_label }}`: a period as people say it (quotas.period_labels)."""

from django import template

from ..period_labels import period_label as _period_label

register = template.Library()


@register.filter
def period_label(period) -> str:
    return _period_label(period)
