"""Bureau scoping in the back office: Wagtail permission policies and the views built on them.

Scoping has one rule (``competitions.permissions``, ``competitions.selectors.staff_scope``): bureau
staff act on their own bureau's calls and what hangs off them, site admins (superusers) on
everything. The policies below apply it to Wagtail's listing and instance checks, and every view
loads its object from the policy's queryset, so another bureau's object is a 404 whatever link is
typed.
"""

from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.db.models import ProtectedError, Q
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import BasePermissionPolicy

from applications import selectors
from applications.models import Application, Status
from applications.spreadsheets import safe_cell
from competitions.models import Bureau
from competitions.permissions import is_back_office_user, is_bureau_staff_for, is_site_admin, staff_bureau_id
from competitions.selectors import staff_scope

ALL_ACTIONS = frozenset({"add", "change", "delete", "view"})


def staff_bureau(user):
    """The bureau a back-office user works for, with its region; None (everything) for a site
    admin. Refuses anyone who is not a back-office user."""
    if not is_back_office_user(user):
        raise PermissionDenied
    bureau_id = staff_bureau_id(user)
    return Bureau.objects.select_related("region").get(pk=bureau_id) if bureau_id else None


# ----- permission policies ----------------------------------------------------------------------


class BureauScopedPolicy(BasePermissionPolicy):
    """Staff may take ``staff_actions`` on their bureau's objects; site admins ``admin_actions`` on all.

    ``competition_path`` leads from the model to its call ("" for the call itself); the call's
    bureau decides, through ``competitions.permissions`` and ``competitions.selectors.staff_scope``.
    """

    def __init__(self, model, *, competition_path="competition", staff_actions=ALL_ACTIONS,
                 admin_actions=ALL_ACTIONS):
        super().__init__(model)
        self.competition_path = competition_path
        self.staff_actions = frozenset(staff_actions)
        self.admin_actions = frozenset(admin_actions)

    def actions_for(self, user):
        if is_site_admin(user):
            return self.admin_actions
        if staff_bureau_id(user) is not None:
            return self.staff_actions
        return frozenset()

    def user_has_permission(self, user, action):
        return action in self.actions_for(user)

    def user_has_any_permission(self, user, actions):
        return bool(self.actions_for(user) & set(actions))

    def users_with_any_permission(self, actions):
        wanted = set(actions)
        query = Q(pk__in=[])
        if self.admin_actions & wanted:
            query |= Q(is_superuser=True)
        if self.staff_actions & wanted:
            query |= Q(is_staff=True, bureau__isnull=False)
        return get_user_model().objects.filter(query, is_active=True)

    def competition_of(self, instance):
        for name in filter(None, self.competition_path.split("__")):
            instance = getattr(instance, name)
        return instance

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and is_bureau_staff_for(
            user, self.competition_of(instance)
        )

    def scope(self, queryset, user):
        """``queryset`` narrowed to the objects of the user's bureau (all for site admins)."""
        path = f"{self.competition_path}__bureau" if self.competition_path else "bureau"
        return staff_scope(queryset, user, bureau_path=path)

    def instances_user_has_any_permission_for(self, user, actions):
        queryset = self.model._default_manager.all()
        if not self.user_has_any_permission(user, actions):
            return queryset.none()
        return self.scope(queryset, user)


class ApplicationPolicy(BureauScopedPolicy):
    """Staff read applications (never drafts) and act on them only through the workflow services."""

    def __init__(self):
        super().__init__(Application, staff_actions={"view"}, admin_actions={"view"})

    def user_has_permission_for_instance(self, user, action, instance):
        return instance.status != Status.DRAFT and super().user_has_permission_for_instance(user, action, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Application.objects.none()
        return selectors.staff_applications(user=user)


class OrganizationPolicy(BureauScopedPolicy):
    """Staff read the organizations that applied to their bureau's calls; nobody edits them here."""

    def __init__(self):
        from applications.models import Organization

        super().__init__(Organization, staff_actions={"view"}, admin_actions={"view"})

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action)
            and selectors.staff_organizations(user=user).filter(pk=instance.pk).exists()
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        return selectors.staff_organizations(user=user)


# ----- views that load objects only from the user's scope ----------------------------------------


class ScopedMixin:
    scope_actions = ALL_ACTIONS

    def scoped_queryset(self):
        return self.permission_policy.instances_user_has_any_permission_for(self.request.user, self.scope_actions)

    def dispatch(self, request, *args, **kwargs):
        # Outside the user's scope an object does not exist, before any question of permission
        # (Wagtail would answer a refused permission with a redirect that confirms it exists).
        pk = kwargs.get(getattr(self, "pk_url_kwarg", "pk"))
        if pk is not None:
            visible = self.permission_policy.instances_user_has_any_permission_for(request.user, ALL_ACTIONS)
            if not visible.filter(pk=unquote(str(pk))).exists():
                raise Http404
        return super().dispatch(request, *args, **kwargs)


class ScopedIndexView(ScopedMixin, generic.IndexView):
    list_select_related = ()  # relations the rows show, joined so a page costs a fixed number of queries

    def get_base_queryset(self):
        queryset = self.scoped_queryset()
        return queryset.select_related(*self.list_select_related) if self.list_select_related else queryset

    def preprocess_field_value(self, field, value, export_format):
        return safe_cell(super().preprocess_field_value(field, value, export_format))  # CSV/XLSX export


class ScopedEditView(ScopedMixin, generic.EditView):
    scope_actions = {"change"}

    def get_queryset(self):
        return self.scoped_queryset()


class ScopedDeleteView(ScopedMixin, generic.DeleteView):
    scope_actions = {"delete"}

    def get_queryset(self):
        return self.scoped_queryset()

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _("“%(object)s” cannot be deleted: other records (applications or scores) depend on it.")
                % {"object": self.object},
            )
            return redirect(self.get_success_url())


class ScopedInspectView(ScopedMixin, generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(self.scoped_queryset(), pk=unquote(str(self.pk)))


class ScopedHistoryView(ScopedMixin, history.HistoryView):
    def get_base_object_queryset(self):
        return self.scoped_queryset()


class ScopedUsageView(ScopedMixin, usage.UsageView):
    def get_base_object_queryset(self):
        return self.scoped_queryset()


class ScopedModelViewSet(ModelViewSet):
    """A ModelViewSet whose every object URL answers 404 outside the user's bureau."""

    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_enabled = False
    add_to_reference_index = False



class StaffMenuItem(MenuItem):
    """A back-office menu entry shown to bureau staff and site admins: the one rule for every staff menu item."""

    def is_shown(self, request):
        return is_back_office_user(request.user)
