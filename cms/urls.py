from django.urls import path

from . import views
from .feeds import OpenCallsFeed
from .sitemaps import sitemap

app_name = "cms"
urlpatterns = [
    path("publicity/<int:page_id>/objection/", views.objection_create, name="objection"),
    path("publicity/<int:page_id>/notice.pdf", views.publicity_pdf, name="publicity_pdf"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("track/", views.track, name="track"),
    path("search/", views.search, name="search"),
    path("open-data/grants.json", views.grants_json, name="grants_json"),
    path("open-data/grants.csv", views.grants_csv, name="grants_csv"),
    path("open-data/calls.json", views.calls_json, name="calls_json"),
    path("figures/", views.figures, name="figures"),
    path("open-data/figures.json", views.figures_json, name="figures_json"),
    path("feeds/calls.rss", OpenCallsFeed(), name="calls_rss"),
    path("sitemap.xml", sitemap, name="sitemap"),
]
