"""Django admin for staff, filterable by organization."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Invitation, Membership, Organization, Team, TeamManager, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_active", "memberships__organization"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "language", "currency", "require_2fa", "created_at"]
    list_filter = ["language", "currency", "require_2fa"]
    search_fields = ["name", "slug"]


class TeamManagerInline(admin.TabularInline):
    model = TeamManager
    extra = 0
    raw_id_fields = ["membership"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "archived_at"]
    list_filter = ["organization"]
    search_fields = ["name"]
    inlines = [TeamManagerInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "team", "is_active", "probation_end", "fte_percent"]
    list_filter = ["organization", "role", "is_active"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user", "organization", "team"]
    raw_id_fields = ["user", "team"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["organization", "role"]
    search_fields = ["email"]
    list_select_related = ["organization"]
    raw_id_fields = ["team", "invited_by", "accepted_by"]
