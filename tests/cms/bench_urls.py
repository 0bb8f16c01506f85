"""URLs for the public-page benchmark: a bare template view beside the real site."""

from django.shortcuts import render
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns


def bare(request):
    return render(request, "cms/bench_bare.html", {"title": "bare"})


urlpatterns = [path("__bench__/bare/", bare)] + site_urlpatterns
