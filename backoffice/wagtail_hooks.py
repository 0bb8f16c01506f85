"""The back office's Wagtail hooks: each subject module registers its own screens and menu items."""

from . import calendar  # noqa: F401
