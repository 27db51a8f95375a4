from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Community, Enterprise, Household, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users in Django's admin, with their phone and language."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "phone", "is_staff"]
    search_fields = ["email", "first_name", "last_name", "phone"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Personal info"),
            {"fields": ("first_name", "last_name", "phone", "language", "elder_mode")},
        ),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    """Property service enterprises in Django's admin."""

    list_display = ["name", "name_en", "phone"]
    prepopulated_fields = {"slug": ["name_en"]}
    filter_horizontal = ["staff"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    """Communities in Django's admin."""

    list_display = ["name", "name_en", "enterprise", "district"]
    list_filter = ["enterprise"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Household)
class HouseholdAdmin(SimpleHistoryAdmin):
    """Residents' households in Django's admin."""

    list_display = ["user", "community", "building", "unit", "room", "is_default"]
    list_filter = ["community"]
    autocomplete_fields = ["user"]
