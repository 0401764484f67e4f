"""Authors' API: my articles, new revisions, submit, withdraw and revise, through the same services as the web."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from articles import services as article_services
from articles.models import Article
from reviewboard import actions
from reviewboard.api import serializers as s
from reviewboard.api.views.base import ApiListView, ApiView
from reviewboard.permissions import AUTHOR_VIEW, access_article
from reviewboard.selectors import authored_articles

# Authors


def _editable_article(user, slug: str) -> Article:
    """Return the article at ``slug`` if ``user`` may work on it; 404 otherwise, so drafts stay unseen."""
    return access_article(user, purpose=AUTHOR_VIEW, slug=slug)


def _author_view(request, slug: str, status_code: int = status.HTTP_200_OK) -> Response:
    context = {"request": request}
    return Response(s.AuthorArticleSerializer(_editable_article(request.user, slug), context=context).data, status_code)


@extend_schema(tags=["authors"])
class DraftListCreateView(ApiListView):
    permission_classes = [IsAuthenticated]
    serializer_class = s.ArticleSummarySerializer
    query_serializer_class = s.StateQuerySerializer

    def get_queryset(self):
        query = self.query()
        return authored_articles(user=self.request.user, state=query.get("state"), specialty=query.get("specialty"))

    @extend_schema(
        summary="List my articles",
        parameters=[s.StateQuerySerializer],
        responses={200: s.ArticleSummarySerializer(many=True)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a draft article with its first revision",
        request=s.DraftCreateSerializer,
        responses={201: s.AuthorArticleSerializer},
    )
    def post(self, request):
        serializer = s.DraftCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article = article_services.article_create(
            actor=request.user,
            slug=serializer.validated_data.get("slug", ""),
            specialty=serializer.validated_data["specialty"],
            content=serializer.content(),
            change_note=serializer.validated_data.get("change_note") or "First draft",
        )
        return _author_view(request, article.slug, status.HTTP_201_CREATED)


@extend_schema(
    tags=["authors"],
    summary="Read my article: its current revision and the reviewers' feedback",
    responses={200: s.AuthorArticleSerializer},
)
class DraftDetailView(ApiView):
    permission_classes = [IsAuthenticated]

    def get(self, request, slug):
        return _author_view(request, slug)


@extend_schema(
    tags=["authors"],
    summary="Save an edit as a new revision",
    request=s.RevisionInputSerializer,
    responses={201: s.AuthorArticleSerializer},
)
class DraftRevisionView(ApiView):
    permission_classes = [IsAuthenticated]

    def post(self, request, slug):
        article = _editable_article(request.user, slug)
        serializer = s.RevisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        article_services.revision_create(
            article=article,
            actor=request.user,
            content=serializer.content(),
            change_note=serializer.validated_data.get("change_note", ""),
        )
        return _author_view(request, slug, status.HTTP_201_CREATED)


class DraftActionView(ApiView):
    """Submit, withdraw or revise one of my articles."""

    permission_classes = [IsAuthenticated]
    action_name = ""

    def post(self, request, slug):
        article = _editable_article(request.user, slug)
        serializer = s.DraftActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["thread_replies"] = [dict(reply) for reply in data.get("thread_replies", [])]
        actions.perform(self.action_name, article=article, actor=request.user, **data)
        return _author_view(request, slug)


def _draft_action(name: str, summary: str):
    view = extend_schema(
        tags=["authors"], summary=summary, request=s.DraftActionSerializer, responses={200: s.AuthorArticleSerializer}
    )(type(f"Draft{name.title()}View", (DraftActionView,), {"action_name": name, "__doc__": summary}))
    return view.as_view()  # type: ignore[attr-defined]  # a DraftActionView subclass


draft_submit = _draft_action("submit", "Submit the current revision for review")
draft_resubmit = _draft_action(
    "resubmit", "Resubmit after changes were requested, with the response letter to the reviewers"
)
draft_withdraw = _draft_action("withdraw", "Withdraw a submitted article to draft (reason required)")
draft_revise = _draft_action("revise", "Open a new draft of an approved article")
