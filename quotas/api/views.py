"""The results endpoint: closed periods' frozen results, read by a dashboard, a CRM or a payroll script."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics

from activities.api.views import ERRORS, OrganizationAPIView

from ..models import PeriodResult
from ..selectors.results import result_list
from .filters import ResultApiFilter
from .serializers import ResultSerializer


class ResultListView(OrganizationAPIView, generics.ListAPIView):
    serializer_class = ResultSerializer
    filterset_class = ResultApiFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no token (and runs no query)
            return PeriodResult.objects.none()
        return result_list(organization=self.organization, viewer=self.membership)

    @extend_schema(
        tags=["results"],
        summary="List closed results",
        description="Each rep's result per quota line (and points target) of every closed period, as it was frozen "
        "at the close — a correction's re-close replaces it. A rep reads their own, a manager their teams' reps', "
        "HR, admins and owners everyone's. Newest period first.",
        responses={200: ResultSerializer(many=True), 400: OpenApiResponse(description="A filter is invalid."),
                   **ERRORS},
    )  # fmt: skip
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
