"""{% trend_chart line %}: an SVG chart of one TrendLine with its data table (see quotas.charts)."""

from django import template

from ..charts import trend_chart as build_chart

register = template.Library()


@register.inclusion_tag("quotas/partials/_trend_chart.html")
def trend_chart(line, chart_id):
    """`chart_id`: unique on the page (it names the SVG's title for screen readers)."""
    return {"chart": build_chart(line), "chart_id": chart_id}
