from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from config import health, metrics

urlpatterns = [
    path("healthz", health.liveness, name="healthz"),
    path("readyz", health.readiness, name="readyz"),
    path("metrics", metrics.endpoint, name="metrics"),  # 404 unless METRICS_TOKEN or METRICS_ALLOWED_NETWORKS
    # Browsers ask for /favicon.ico where a page names no icon (the admin, files); it is the site's SVG icon.
    path("favicon.ico", lambda request: redirect(static("articles/favicon.svg")), name="favicon"),
    # The readers' pages first: the most requested, and none of the others' prefixes overlaps theirs.
    path("", include("articles.urls")),
    path("", include("transparency.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("reviewboard.api.urls")),
    path("dashboard/", include("reviewboard.dashboard.urls")),
    path("inbox/", include("reviewboard.notifications.urls")),
    path("editor/intake/", include("reviewboard.intake.urls")),
    path("", include("reviewboard.workspaces.urls")),
    path("", RedirectView.as_view(pattern_name="articles:list", permanent=False)),
]

# How failures look (config.errors): JSON under /api/, 503 with Retry-After while the database is unreachable.
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
