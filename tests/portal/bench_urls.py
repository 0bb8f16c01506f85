"""URLs for the submit benchmark: a bare one-INSERT view beside the real site."""

import uuid

from django.http import HttpResponse
from django.urls import path

from applications.models import ReferenceCounter
from config.urls import urlpatterns as site_urlpatterns


def bare_insert(request):
    ReferenceCounter.objects.create(prefix=uuid.uuid4().hex)
    return HttpResponse("ok")


urlpatterns = [path("__bench__/insert/", bare_insert)] + site_urlpatterns
