"""View mixins for tenant pages."""

from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from .roles import Role


class OrganizationMixin:
    """Base of every view under /o/<org_slug>/.

    The middleware has already resolved `request.organization` and `request.membership` (404 for
    non-members). Each view declares the least role it needs; a member below it gets 403.
    """

    required_role: Role | None = None

    def dispatch(self, request, *args, **kwargs):
        if self.required_role is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must declare required_role.")
        self.organization = request.organization
        self.membership = request.membership
        if not self.membership.has_role_at_least(self.required_role):
            raise PermissionDenied
        self.check_access()
        return super().dispatch(request, *args, **kwargs)

    def check_access(self) -> None:
        """Raise PermissionDenied when the member may not use this page for its object (beyond the role)."""

    def get_context_data(self, **kwargs):
        kwargs.setdefault("organization", self.organization)
        kwargs.setdefault("membership", self.membership)
        return super().get_context_data(**kwargs)
