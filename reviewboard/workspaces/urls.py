"""URLs of the workspaces; filled by its views."""

app_name = "workspaces"
urlpatterns = []
