from django.conf import settings
from django.contrib import admin
from django.urls import include
from django.urls import path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView
from drf_spectacular.views import SpectacularSwaggerSplitView

from . import api
from . import views
from .discovery import portal_modules

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api.build_urlpatterns())),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script, nothing from a CDN.
    # (ReDoc is not offered: its page loads web fonts from a CDN.)
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", RedirectView.as_view(pattern_name="api-docs", permanent=False)),
]
handler404 = "ta_portal.views.page_not_found"

# Each portal app mounts its pages under its own prefix (engagements own the root-level lists).
for module in portal_modules("urls"):
    urlpatterns.append(path(getattr(module, "prefix", ""), include(module)))

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
