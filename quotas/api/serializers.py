"""The shape of a frozen result in the API: what was asked of the rep, what they did, and how it closed."""

from rest_framework import serializers

from ..models import PeriodResult


class ResultSerializer(serializers.ModelSerializer):
    rep = serializers.EmailField(source="rep.user.email", help_text="The sales rep's e-mail address.")
    rep_name = serializers.CharField(source="rep.user.display_name")
    period_kind = serializers.CharField(source="period.kind", help_text="day, week, month, quarter or year.")
    period_start = serializers.DateField(source="period.start")
    period_end = serializers.DateField(source="period.end")
    type = serializers.IntegerField(
        source="line.activity_type_id", allow_null=True, default=None,
        help_text="The activity type's id; null for the points target, which counts every type with points.",
    )  # fmt: skip
    type_key = serializers.CharField(source="line.activity_type.default_key", allow_null=True, default=None)
    topic = serializers.CharField(source="line.topic", allow_null=True, default=None)
    target_full = serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=False, help_text="The plan's target before pro-rating."
    )
    target = serializers.DecimalField(
        max_digits=14, decimal_places=2, coerce_to_string=False, allow_null=True,
        help_text="The rep's target after holidays, leave and FTE; null when they had no working day.",
    )  # fmt: skip
    actual = serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=False)
    attainment = serializers.IntegerField(allow_null=True, help_text="actual / target, in whole percent.")
    closed_at = serializers.DateTimeField(source="period_close.created_at")

    class Meta:
        model = PeriodResult
        fields = [
            "id", "rep", "rep_name", "period_kind", "period_start", "period_end", "label", "type", "type_key",
            "topic", "target_full", "target", "explanation", "actual", "attainment", "status", "closed_at",
        ]  # fmt: skip
        read_only_fields = fields
