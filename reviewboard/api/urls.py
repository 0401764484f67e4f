"""URLs of the api; filled by its views."""

app_name = "api"
urlpatterns = []
