"""PostgreSQL unreachable (behind a proxy that is cut, then restored): 503 everywhere, never 500.

Readers' cached pages keep answering; when the database is back, everything answers again by itself.
"""

import pytest
from django.db import connections
from django.test import Client

from tests import factories
from tests.faults.proxy import TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def database_behind_proxy():
    """Point the default connection at a proxy in front of the real server; restore it afterwards."""
    connection = connections["default"]
    original = dict(connection.settings_dict)
    proxy = TcpProxy(original["HOST"] or "127.0.0.1", int(original["PORT"] or 5432))
    connection.close()
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", str(proxy.port)
    yield proxy
    proxy.restore()
    connection.close()
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = original["HOST"], original["PORT"]
    proxy.close()


def test_every_surface_answers_503_with_retry_after_and_recovers(database_behind_proxy, author, editor, neurology):
    article = factories.ArticleFactory(authors=[author], specialty=neurology)
    factories.publish(article)
    reader = Client(raise_request_exception=False)
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(editor)
    page = f"/articles/{article.slug}/"
    assert reader.get(page).status_code == 200  # now cached for anonymous readers

    database_behind_proxy.cut()
    pages = {
        "feed": ("/articles/feed/", {}),
        "sitemap": ("/sitemap.xml", {}),
        "list": ("/articles/?q=nothing+cached", {}),
        "api list": ("/api/v1/articles/", {}),
        "api article": (f"/api/v1/articles/{article.slug}/", {}),
        "editor desk": ("/editor/", {"client": signed_in}),
        "author desk": ("/author/", {"client": signed_in}),
        "inbox": ("/inbox/", {"client": signed_in}),
        "dashboard": ("/dashboard/", {"client": signed_in}),
        "api drafts": ("/api/v1/drafts/", {"client": signed_in}),
    }
    for name, (path, options) in pages.items():
        response = options.get("client", reader).get(path)
        assert response.status_code == 503, (name, response.status_code)
        assert response["Retry-After"] == "30", name
        if path.startswith("/api/"):
            assert response.json()["detail"], name
        else:
            assert "temporarily unavailable" in response.text, name
    login = reader.post("/accounts/login/", {"username": "editor", "password": "x"})
    assert login.status_code == 503
    assert reader.get(page).status_code == 200, "a cached reader page keeps answering"

    database_behind_proxy.restore()
    for name, (path, options) in pages.items():
        assert options.get("client", reader).get(path).status_code == 200, name
