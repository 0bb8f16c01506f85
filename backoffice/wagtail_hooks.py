"""The back office's Wagtail hooks: each subject module registers its own screens and menu items.

Wagtail discovers only this module; importing a subject module registers its policies, viewsets,
admin URLs and menu items (policies first, before any viewset asks Wagtail for a fallback policy).
"""

# The order is the one the apps' own wagtail_hooks modules were discovered in before the move.
from . import applications  # noqa: F401, I001  calls, applications, organizations (资助与创投)
from . import postaward  # noqa: F401  funded projects
from . import review  # noqa: F401  expert review
from . import publicity  # noqa: F401  公示 and objections
from . import calendar  # noqa: F401  the working-day calendar
from . import registry  # noqa: F401  the organization registry (import and export)
from . import claims  # noqa: F401  claims of registry organizations
from . import todo  # noqa: F401  the staff to-do panel on the home page
from . import wagtail_chinese  # noqa: F401  Wagtail's own screens without English
from . import cultivation  # noqa: F401  the cultivation dashboard and the annual report
