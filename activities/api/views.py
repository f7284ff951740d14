"""The API's endpoints: thin views over the activities selectors and services.

Every view acts in the organization and as the member the token names (set by ApiTokenAuthentication);
nothing about the tenant is read from the request's data. Objects come from selectors that answer 404
for anything outside the organization or the member's view.
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from accounts.errors import error_messages

from .. import selectors
from ..models import ActivityEntry
from ..services.pushes import PushRejected, batch_size_problem, entries_push
from .filters import EntryApiFilter
from .serializers import (
    ActivityTypeSerializer,
    BatchErrorSerializer,
    BatchResultSerializer,
    EntryCreateSerializer,
    EntryErrorsSerializer,
    EntryReferences,
    EntrySerializer,
    ErrorSerializer,
    entry_push_from,
)

# The services' field names, as the API calls them.
API_FIELD_NAMES = {"activity_type": "type", NON_FIELD_ERRORS: "non_field_errors"}

ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="No token, or an unknown or revoked one."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests for this token: wait `Retry-After` seconds."),
}


class OrganizationAPIView(generics.GenericAPIView):
    """Base of the token-authenticated endpoints: `self.organization`, `self.membership` come from the token."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authenticates (401), then rate-limits (429)
        self.organization = request.organization
        self.membership = request.membership
        # Times in answers are in the organization's zone, like its pages (the middleware resets it after).
        timezone.activate(self.organization.zone)


@extend_schema(
    tags=["activity types"],
    summary="List activity types",
    responses={200: ActivityTypeSerializer(many=True), **ERRORS},
)
class ActivityTypeListView(OrganizationAPIView, generics.ListAPIView):
    """The organization's active activity types: what `type` in an entry may name (by id or key)."""

    serializer_class = ActivityTypeSerializer
    pagination_class = None  # a handful per organization
    filter_backends = []

    def get_queryset(self):
        return selectors.activity_type_list(organization=self.organization)


ENTRY_EXAMPLE = {
    "rep": "raj@example.com",
    "date": "2025-03-14",
    "type": "outbound_calls",
    "quantity": 5,
    "note": "Follow-ups",
    "topic": "retirement planning",
    "contact": "",
    "external_id": "dialer-81723",
}


def _one_of(name: str, *serializers) -> PolymorphicProxySerializer:
    return PolymorphicProxySerializer(
        component_name=name, serializers=list(serializers), resource_type_field_name=None, many=False
    )


CREATE_SCHEMA = extend_schema(
    tags=["entries"],
    summary="Log one entry, or a batch",
    description=(
        "Send one entry (an object) or a batch (an array of at most 1,000). Entries are validated like the "
        "web's: quantities, no future days, not before the rep's start, not in a closed period; a rep logs "
        "for themselves, a manager for their teams' reps, admins for anyone.\n\n"
        "**Idempotent by `external_id`**: an item whose `external_id` the organization already has returns "
        "that entry (`200`, or `existing` in a batch) instead of logging it twice.\n\n"
        "**A batch is all or nothing**: if any item is refused, nothing is written and the answer lists the "
        "errors by item index (`400`, or `403` when an item is for a rep the member may not log for)."
    ),
    request=_one_of("EntryCreateOrBatch", EntryCreateSerializer, EntryCreateSerializer(many=True)),
    responses={
        201: OpenApiResponse(
            _one_of("EntryOrBatchResult", EntrySerializer, BatchResultSerializer),
            description="Logged: the entry (one sent), or the batch's results (some new).",
        ),
        200: OpenApiResponse(
            _one_of("EntryOrBatchExisting", EntrySerializer, BatchResultSerializer),
            description="Nothing new: every external_id already existed; the existing entries are returned.",
        ),
        400: OpenApiResponse(
            _one_of("EntryOrBatchErrors", EntryErrorsSerializer, BatchErrorSerializer, ErrorSerializer),
            description="Invalid: messages by field (one entry), by item index (a batch), or about the request "
            "as a whole (`detail`). Nothing written.",
        ),
        403: OpenApiResponse(
            _one_of("EntryOrBatchForbidden", ErrorSerializer, BatchErrorSerializer),
            description="The member may not log for this rep (in a batch: for an item's rep). Nothing written.",
        ),
        **ERRORS,
    },
    examples=[
        OpenApiExample("One entry", value=ENTRY_EXAMPLE, request_only=True),
        OpenApiExample(
            "A batch",
            value=[ENTRY_EXAMPLE, {**ENTRY_EXAMPLE, "type": "meetings", "quantity": 1, "external_id": "crm-77"}],
            request_only=True,
        ),
    ],
)


class EntryListView(OrganizationAPIView, generics.ListAPIView):
    serializer_class = EntrySerializer
    filterset_class = EntryApiFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no token (and runs no query)
            return ActivityEntry.objects.none()
        return selectors.entry_list(organization=self.organization, viewer=self.membership)

    @extend_schema(
        tags=["entries"],
        summary="List entries",
        description="The entries the token's member may read: a rep their own, a manager their teams' reps', "
        "HR, admins and owners everyone's. Newest first.",
        responses={200: EntrySerializer(many=True), 400: OpenApiResponse(description="A filter is invalid."), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @CREATE_SCHEMA
    def post(self, request, *args, **kwargs):
        payload = request.data
        batch = isinstance(payload, list)
        if not batch and not isinstance(payload, dict):
            return _refused(_("Send one entry (a JSON object) or a batch (a JSON array)."))
        if batch and batch_size_problem(len(payload)):
            return _refused(batch_size_problem(len(payload)))
        items = payload if batch else [payload]

        # The shape of every item first (and names → the organization's reps and types), then the services' rules.
        references = EntryReferences(organization=self.organization, actor=self.membership, payload=items)
        item_serializers = [EntryCreateSerializer(data=item, context={"references": references}) for item in items]
        item_errors = {
            index: serializer.errors for index, serializer in enumerate(item_serializers) if not serializer.is_valid()
        }
        forbidden = False
        if not item_errors:
            try:
                results = entries_push(
                    organization=self.organization,
                    actor=self.membership,
                    items=[entry_push_from(serializer.validated_data) for serializer in item_serializers],
                )
            except PushRejected as rejected:
                item_errors = {index: _api_errors(error) for index, error in rejected.errors.items()}
                forbidden = rejected.forbidden
        if item_errors:
            code = status.HTTP_403_FORBIDDEN if forbidden else status.HTTP_400_BAD_REQUEST
            if batch:
                return _batch_refused(item_errors, code)
            if forbidden:
                return Response({"detail": " ".join(item_errors[0]["non_field_errors"])}, status=code)
            return Response(item_errors[0], status=code)

        created = sum(result.created for result in results)
        if not batch:
            (result,) = results
            location = request.build_absolute_uri(reverse("api:entry-detail", args=[result.entry.pk]))
            return Response(
                EntrySerializer(result.entry).data,
                status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
                headers={"Location": location},
            )
        body = {
            "created": created,
            "existing": len(results) - created,
            "results": [
                {"status": "created" if result.created else "existing", "entry": EntrySerializer(result.entry).data}
                for result in results
            ],
        }
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema(
    tags=["entries"],
    summary="One entry",
    responses={
        200: EntrySerializer,
        404: OpenApiResponse(ErrorSerializer, description="No such entry for you."),
        **ERRORS,
    },
)
class EntryDetailView(OrganizationAPIView, generics.RetrieveAPIView):
    """One entry the token's member may read; any other id (another organization's too) is 404."""

    serializer_class = EntrySerializer

    def get_object(self):
        return selectors.entry_get(organization=self.organization, viewer=self.membership, pk=self.kwargs["entry_pk"])


def _api_errors(error: ValidationError | PermissionDenied) -> dict[str, list[str]]:
    """A service's refusal as the API reports it: messages by (API) field name."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return {API_FIELD_NAMES.get(field, field): messages for field, messages in error.message_dict.items()}
    return {"non_field_errors": error_messages(error)}


def _refused(message: str) -> Response:
    return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)


def _batch_refused(item_errors: dict[int, dict], code: int) -> Response:
    body = {
        "detail": _("Nothing was written: %(count)s of the items are invalid.") % {"count": len(item_errors)},
        "errors": [{"index": index, "errors": errors} for index, errors in sorted(item_errors.items())],
    }
    return Response(body, status=code)
