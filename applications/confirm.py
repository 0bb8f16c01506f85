"""A confirmation step before an irreversible action, enforced on the server.

A form whose POST takes an irreversible step (submit an application, lock a score sheet, terminate
a project, record a payment…) carries ``confirmed=1`` only once the person has seen what will
happen. Without it, the view answers with :func:`confirmation_page`: the summary, and a form that
sends the same fields again with ``confirmed=1``. That works without JavaScript; with it, the page's
``<dialog>`` (static/js/forms.js) shows the same summary before the first POST, so the extra page is
skipped. A POST crafted without the field never acts.
"""

from django.shortcuts import render

FIELD = "confirmed"
_NOT_REPEATED = {"csrfmiddlewaretoken", FIELD}


def confirmed(request):
    return request.POST.get(FIELD) == "1"


def confirmation_page(request, *, title, summary, action_label, back_url, admin=False, danger=False, status=200):
    """The page that asks again: ``summary`` is a list of sentences saying what will happen."""
    fields = [(name, value) for name, values in request.POST.lists() if name not in _NOT_REPEATED for value in values]
    template = "confirm/admin.html" if admin else "confirm/page.html"
    return render(request, template, {
        "title": title, "summary": summary, "action_label": action_label, "back_url": back_url,
        "fields": fields, "action_url": request.get_full_path(), "danger": danger,
        "page_title": title, "header_icon": "warning",
    }, status=status)
