"""Readers' API: approved articles only, through ``articles.selectors`` (the approval gate in one place)."""

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from articles.models import Specialty
from articles.search import search_published
from articles.selectors import published_revision, revision_approvers
from reviewboard.api import serializers as s
from reviewboard.api.views.base import ApiListView, ApiView, ConditionalGetMixin

# Public: approved articles only


@extend_schema(tags=["public"], summary="List the specialties")
class SpecialtyListView(ConditionalGetMixin, ApiListView):
    permission_classes = [AllowAny]
    serializer_class = s.SpecialtySerializer
    queryset = Specialty.objects.order_by("name")


@extend_schema(
    tags=["public"],
    summary="List and search approved articles",
    parameters=[s.PublishedArticleQuerySerializer],
    responses={200: s.PublishedArticleSerializer(many=True)},
)
class PublishedArticleListView(ConditionalGetMixin, ApiListView):
    permission_classes = [AllowAny]
    serializer_class = s.PublishedArticleSerializer
    query_serializer_class = s.PublishedArticleQuerySerializer

    def get_queryset(self):
        query = self.query()
        # The readers' search: ranked full text on PostgreSQL, newest approval first without words.
        articles = search_published(query.get("q", ""))
        if query.get("specialty"):
            articles = articles.filter(specialty__slug=query["specialty"])
        return articles


@extend_schema(
    tags=["public"],
    summary="Read an approved article: its approved revision, references and reviewers",
    responses={200: s.PublishedArticleDetailSerializer},
)
class PublishedArticleDetailView(ConditionalGetMixin, ApiView):
    permission_classes = [AllowAny]

    def get(self, request, slug):
        revision = published_revision(slug=slug)
        if revision is None:
            raise NotFound("No published article at this address.")
        revision.reviewers = revision_approvers(revision=revision)
        self.last_modified_at = revision.article.approved_at
        return Response(s.PublishedArticleDetailSerializer(revision).data)
