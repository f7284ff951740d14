"""Shapes of the API's requests and answers. Business rules are the services' (quantities, dates, locks,
who may log for whom); a serializer only checks the shape and turns names (e-mail, type key) into the
organization's objects — anything not in the token's organization is "unknown"."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Membership, Organization
from accounts.roles import Role

from .. import selectors
from ..models import ActivityEntry, ActivityType
from ..services.entries import EntryData
from ..services.pushes import EntryPush


class ActivityTypeSerializer(serializers.ModelSerializer):
    key = serializers.CharField(
        source="default_key", help_text="The built-in type it started as (e.g. outbound_calls); empty for added types."
    )
    unit = serializers.CharField(source="unit_label")
    points = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False, allow_null=True)

    class Meta:
        model = ActivityType
        fields = ["id", "key", "name", "category", "kind", "unit", "points"]


class EntrySerializer(serializers.ModelSerializer):
    rep = serializers.EmailField(source="rep.user.email", help_text="The sales rep's e-mail address.")
    rep_name = serializers.CharField(source="rep.user.display_name")
    type = serializers.IntegerField(source="activity_type_id", help_text="The activity type's id.")
    type_key = serializers.CharField(source="activity_type.default_key")
    type_name = serializers.CharField(source="activity_type.name")
    quantity = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    entered_by = serializers.EmailField(
        source="entered_by.email", allow_null=True, default=None, help_text="Who recorded it (the rep, or a manager)."
    )

    class Meta:
        model = ActivityEntry
        fields = [
            "id", "rep", "rep_name", "date", "type", "type_key", "type_name", "quantity", "note", "topic",
            "contact", "source", "external_id", "entered_by", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}], "example": "outbound_calls"})
class ActivityTypeReferenceField(serializers.Field):
    """An activity type named by its id (7) or its key ("outbound_calls")."""

    default_error_messages = {"invalid": "Give the activity type's id or key."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str) or not str(data).strip():
            self.fail("invalid")
        return data if isinstance(data, int) else data.strip()

    def to_representation(self, value):
        return value


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string"}], "example": 5})
class QuantityField(serializers.Field):
    """A number, or a string with one ("5", "1250.50", "1 250,50"): the service decides what it may be."""

    default_error_messages = {"invalid": "Enter a number."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        return str(data)

    def to_representation(self, value):
        return value


class EntryReferences:
    """The organization's active types and the members a payload names, each loaded once for a whole batch."""

    def __init__(self, *, organization: Organization, actor: Membership, payload: list):
        types = list(selectors.activity_type_list(organization=organization))
        self.types_by_id = {t.pk: t for t in types}
        self.types_by_key = {t.default_key: t for t in types if t.default_key}
        emails = {
            item["rep"].strip() for item in payload if isinstance(item, dict) and isinstance(item.get("rep"), str)
        }
        self.members = selectors.memberships_by_email(organization=organization, emails=emails) if emails else {}
        self.actor = actor

    def activity_type(self, reference: int | str) -> ActivityType | None:
        if isinstance(reference, int) or (reference.isascii() and reference.isdigit()):
            return self.types_by_id.get(int(reference))
        return self.types_by_key.get(reference.lower())

    def member(self, email: str) -> Membership | None:
        return self.members.get(email.strip().lower())


class EntryCreateSerializer(serializers.Serializer):
    """One entry to log. `rep` defaults to the token's own member."""

    rep = serializers.EmailField(
        required=False, help_text="The sales rep's e-mail address. Default: the token's own member."
    )
    date = serializers.DateField(help_text="The day it happened (YYYY-MM-DD), in the organization's time zone.")
    type = ActivityTypeReferenceField(help_text="The activity type's id, or its key (e.g. outbound_calls).")
    quantity = QuantityField(help_text="Counts: a whole number 1–10,000. Money: above 0, at most 2 decimals.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")
    topic = serializers.CharField(
        required=False, allow_blank=True, max_length=80, default="", help_text='A tag, e.g. "retirement planning".'
    )
    contact = serializers.CharField(
        required=False, allow_blank=True, max_length=255, default="", help_text="Name, e-mail or link."
    )
    external_id = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=100,
        default=None,
        help_text="Your system's id for the entry. Sending it again returns the existing entry (200) "
        "instead of logging a second one.",
    )

    @property
    def references(self) -> EntryReferences:
        return self.context["references"]

    def validate_rep(self, email: str) -> Membership:
        member = self.references.member(email)
        if member is None:
            raise serializers.ValidationError(_("Unknown sales rep: no member of this organization has this e-mail."))
        return member

    def validate_type(self, reference) -> ActivityType:
        activity_type = self.references.activity_type(reference)
        if activity_type is None:
            raise serializers.ValidationError(
                _("Unknown activity type: use an id or key from /api/v1/activity-types/.")
            )
        return activity_type

    def validate(self, attrs):
        if "rep" not in attrs:
            if self.references.actor.role != Role.REP:
                raise serializers.ValidationError(
                    {"rep": _("Give the sales rep's e-mail: this token's member is not a sales rep.")}
                )
            attrs["rep"] = self.references.actor
        return attrs


def entry_push_from(attrs: dict) -> EntryPush:
    return EntryPush(
        rep=attrs["rep"],
        data=EntryData(
            activity_type=attrs["type"],
            date=attrs["date"],
            quantity=attrs["quantity"],
            note=attrs["note"],
            topic=attrs["topic"],
            contact=attrs["contact"],
        ),
        external_id=attrs["external_id"] or None,
    )


# Documentation of the other answers (drf-spectacular reads them; the views build plain dicts).


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class EntryErrorsSerializer(serializers.Serializer):
    """Why one entry was refused: messages by field; only the fields with a problem are present."""

    rep = serializers.ListField(child=serializers.CharField(), required=False)
    date = serializers.ListField(child=serializers.CharField(), required=False)
    type = serializers.ListField(child=serializers.CharField(), required=False)
    quantity = serializers.ListField(child=serializers.CharField(), required=False)
    note = serializers.ListField(child=serializers.CharField(), required=False)
    topic = serializers.ListField(child=serializers.CharField(), required=False)
    contact = serializers.ListField(child=serializers.CharField(), required=False)
    external_id = serializers.ListField(child=serializers.CharField(), required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


class PushResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["created", "existing"])
    entry = EntrySerializer()


class BatchResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text="How many entries were logged.")
    existing = serializers.IntegerField(help_text="How many items matched an existing external_id.")
    results = PushResultSerializer(many=True, help_text="One per item, in the order sent.")


class ItemErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's position in the array, from 0.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages by field (non_field_errors for the item as a whole).",
    )


class BatchErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = ItemErrorSerializer(many=True)
