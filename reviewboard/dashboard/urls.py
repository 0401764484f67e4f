"""URLs of the dashboard; filled by its views."""

app_name = "dashboard"
urlpatterns = []
