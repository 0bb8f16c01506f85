"""Where the layers above plug into applications without applications importing them.

Imports point downward only (README: "Where each part lives"), so a rule of applications that
depends on review is registered here by review (``review.apps.ReviewConfig.ready``) instead of
being imported. Each list is filled once at start-up.
"""

# fn(application) -> verdict (``permissions.ALLOWED`` or ``permissions.deny(reason)``): may the
# review be completed? Asked under the application's row lock by the ``complete_review`` condition.
review_complete_checks = []

# fn(user, attachment) -> bool: may this user download this attachment besides members and staff?
attachment_readers = []

# (name, fn(now=...) -> int): reminders of higher layers run by the daily reminder job.
reminder_jobs = []
