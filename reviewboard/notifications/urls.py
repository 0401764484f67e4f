"""URLs of the notifications; filled by its views."""

app_name = "notifications"
urlpatterns = []
