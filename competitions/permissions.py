"""Who counts as a bureau's staff: decided here, once, and asked by every screen, selector and check.

A site admin is an active superuser. Bureau staff are active users with the staff flag *and* a
bureau; they see and change only their bureau's calls and what hangs off them. A person whose
staff flag was switched off keeps their bureau (and perhaps a Wagtail group) but is nobody's
staff: every back-office screen refuses them.
"""


def is_site_admin(user):
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def staff_bureau_id(user):
    """The bureau whose calls ``user`` works on as staff, or None (site admins: their own, if any)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_staff and user.bureau_id:
        return user.bureau_id
    return None


def is_back_office_user(user):
    """May use the back office at all: a site admin or staff of some bureau (menus, dashboards)."""
    return is_site_admin(user) or staff_bureau_id(user) is not None


def is_bureau_staff_of(user, bureau_id):
    """Staff of the bureau with id ``bureau_id``, or a site admin."""
    if is_site_admin(user):
        return True
    own = staff_bureau_id(user)
    return own is not None and own == bureau_id


def is_bureau_staff_for(user, competition):
    """Staff of the bureau that runs the call, or a site admin."""
    return is_bureau_staff_of(user, competition.bureau_id)


def is_bureau_staff_over(user, region):
    """Staff of a bureau whose region contains ``region`` (a community: the bureaus it belongs to),
    or a site admin. The registry's rule: a bureau keeps the organizations of its own region."""
    if is_site_admin(user):
        return True
    bureau_id = staff_bureau_id(user)
    if bureau_id is None or region is None:
        return False
    from .models import Bureau

    path = Bureau.objects.filter(pk=bureau_id).values_list("region__path", flat=True).first()
    return path is not None and (region.path == path or region.path.startswith(path + "/"))
