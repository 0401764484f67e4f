"""The API's views: parse, authorize, call one selector or service, answer JSON.

Public reads go through ``articles.selectors`` only, so the approval gate stays in one place;
every write calls the same service as the web pages.
"""

import hashlib

from django.http import Http404
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from articles import services as article_services
from articles.models import Article, Specialty
from articles.search import search_published
from articles.selectors import published_revision, revision_approvers
from reviewboard import services
from reviewboard.api import serializers as s
from reviewboard.api.permissions import IsBoardMember, IsEditor
from reviewboard.api.schema import ApiAutoSchema
from reviewboard.models import BoardMember, ReviewAssignment
from reviewboard.permissions import access_assignment, board_member_of, user_can_edit_article
from reviewboard.selectors import open_assignments_for


class ApiView(APIView):
    schema = ApiAutoSchema()


class ApiListView(generics.ListAPIView):
    schema = ApiAutoSchema()
    query_serializer_class = None

    def query(self) -> dict:
        """Return the validated query parameters (400 on bad ones)."""
        if self.query_serializer_class is None:
            return {}
        serializer = self.query_serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


# Answers GETs with an ETag (and Last-Modified where known), and 304 when they still match.
class ConditionalGetMixin:
    last_modified_at = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != status.HTTP_200_OK:
            return response
        response.render()
        etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:40])
        response["ETag"] = etag
        last_modified = None
        if self.last_modified_at is not None:
            last_modified = int(self.last_modified_at.timestamp())
            response["Last-Modified"] = http_date(last_modified)
        response["Cache-Control"] = "public, max-age=0, must-revalidate"
        return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)


# Authentication


@extend_schema(
    tags=["auth"],
    request=s.TokenRequestSerializer,
    responses={200: s.TokenSerializer},
    summary="Exchange a username and password for an API token",
)
class TokenView(ObtainAuthToken):
    # Credentials are in the body: no session (so no CSRF) and no token needed to get one.
    authentication_classes = []
    schema = ApiAutoSchema()


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


# Authors


def _editable_article(user, slug: str) -> Article:
    """Return the article at ``slug`` if ``user`` may edit it; 404 otherwise, so drafts stay unseen."""
    article = Article.objects.select_related("specialty", "current_revision", "approved_revision").filter(slug=slug)
    article = article.first()
    if article is None or not user_can_edit_article(user, article):
        raise Http404("No article of yours at this address.")
    return article


@extend_schema(tags=["authors"])
class DraftListCreateView(ApiListView):
    permission_classes = [IsAuthenticated]
    serializer_class = s.ArticleSummarySerializer
    query_serializer_class = s.StateQuerySerializer

    def get_queryset(self):
        query = self.query()
        articles = (
            Article.objects.authored_by(self.request.user)
            .select_related("specialty", "current_revision", "approved_revision")
            .prefetch_related("authors")
            .order_by("-updated_at", "pk")
        )
        if query.get("state"):
            articles = articles.filter(state=query["state"])
        if query.get("specialty"):
            articles = articles.filter(specialty__slug=query["specialty"])
        return articles

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
            slug=serializer.validated_data["slug"],
            specialty=serializer.validated_data["specialty"],
            content=serializer.content(),
            change_note=serializer.validated_data.get("change_note") or "First draft",
        )
        article = _editable_article(request.user, article.slug)
        return Response(s.AuthorArticleSerializer(article).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["authors"],
    summary="Read my article: its current revision and the reviewers' feedback",
    responses={200: s.AuthorArticleSerializer},
)
class DraftDetailView(ApiView):
    permission_classes = [IsAuthenticated]

    def get(self, request, slug):
        return Response(s.AuthorArticleSerializer(_editable_article(request.user, slug)).data)


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
        article = _editable_article(request.user, slug)
        return Response(s.AuthorArticleSerializer(article).data, status=status.HTTP_201_CREATED)


class DraftActionView(ApiView):
    """Submit, withdraw or revise one of my articles."""

    permission_classes = [IsAuthenticated]
    action_name = ""

    def post(self, request, slug):
        article = _editable_article(request.user, slug)
        serializer = s.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data.get("reason", "")
        if self.action_name == "submit":
            services.article_submit(article=article, actor=request.user)
        elif self.action_name == "withdraw":
            services.article_withdraw(article=article, actor=request.user, reason=reason)
        else:
            services.article_revise(article=article, actor=request.user, reason=reason)
        return Response(s.AuthorArticleSerializer(_editable_article(request.user, slug)).data)


def _draft_action(name: str, summary: str):
    view = extend_schema(
        tags=["authors"], summary=summary, request=s.ReasonSerializer, responses={200: s.AuthorArticleSerializer}
    )(type(f"Draft{name.title()}View", (DraftActionView,), {"action_name": name, "__doc__": summary}))
    return view.as_view()


draft_submit = _draft_action("submit", "Submit the current revision for review")
draft_withdraw = _draft_action("withdraw", "Withdraw a submitted article to draft (reason required)")
draft_revise = _draft_action("revise", "Open a new draft of an approved article")


# Board members


@extend_schema(
    tags=["board"],
    summary="List my open review assignments: invitations and accepted reviews",
    parameters=[s.AssignmentQuerySerializer],
    responses={200: s.AssignmentSerializer(many=True)},
)
class MyAssignmentListView(ApiListView):
    permission_classes = [IsAuthenticated, IsBoardMember]
    serializer_class = s.AssignmentSerializer
    query_serializer_class = s.AssignmentQuerySerializer

    def get_queryset(self):
        query = self.query()
        assignments = open_assignments_for(board_member=board_member_of(self.request.user)).select_related(
            "board_member__user", "revision"
        )
        if query.get("status"):
            assignments = assignments.filter(status=query["status"])
        return assignments


def _assignment(user, pk: int) -> ReviewAssignment:
    return access_assignment(user, pk)


@extend_schema(
    tags=["board"],
    summary="Read an assignment with the exact revision to review",
    responses={200: s.AssignmentDetailSerializer},
)
class AssignmentDetailView(ApiView):
    permission_classes = [IsAuthenticated]

    def get(self, request, pk):
        return Response(s.AssignmentDetailSerializer(_assignment(request.user, pk)).data)


@extend_schema(
    tags=["board"], summary="Accept a review invitation", request=None, responses={200: s.AssignmentSerializer}
)
class AssignmentAcceptView(ApiView):
    permission_classes = [IsAuthenticated]

    def post(self, request, pk):
        assignment = services.assignment_accept(assignment=_assignment(request.user, pk), actor=request.user)
        return Response(s.AssignmentSerializer(_assignment(request.user, assignment.pk)).data)


@extend_schema(
    tags=["board"],
    summary="Decline a review invitation, declaring a conflict of interest if there is one",
    request=s.DeclineSerializer,
    responses={200: s.AssignmentSerializer},
)
class AssignmentDeclineView(ApiView):
    permission_classes = [IsAuthenticated]

    def post(self, request, pk):
        assignment = _assignment(request.user, pk)
        serializer = s.DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.assignment_decline(
            assignment=assignment,
            actor=request.user,
            reason=serializer.validated_data.get("reason", ""),
            conflict_of_interest=serializer.validated_data["conflict_of_interest"],
        )
        return Response(s.AssignmentSerializer(_assignment(request.user, pk)).data)


@extend_schema(
    tags=["board"],
    summary="Post my review of the assigned revision",
    request=s.ReviewInputSerializer,
    responses={201: s.ReviewSerializer},
)
class AssignmentReviewView(ApiView):
    permission_classes = [IsAuthenticated]

    def post(self, request, pk):
        assignment = _assignment(request.user, pk)
        serializer = s.ReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.review_submit(assignment=assignment, actor=request.user, **serializer.validated_data)
        return Response(s.ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


# Editors


def _article(slug: str) -> Article:
    article = (
        Article.objects.select_related("specialty", "current_revision", "approved_revision").filter(slug=slug).first()
    )
    if article is None:
        raise Http404("No article at this address.")
    return article


@extend_schema(
    tags=["editors"],
    summary="List every article, by state and specialty",
    parameters=[s.StateQuerySerializer],
    responses={200: s.ArticleSummarySerializer(many=True)},
)
class EditorArticleListView(ApiListView):
    permission_classes = [IsAuthenticated, IsEditor]
    serializer_class = s.ArticleSummarySerializer
    query_serializer_class = s.StateQuerySerializer

    def get_queryset(self):
        query = self.query()
        articles = (
            Article.objects.select_related("specialty", "current_revision", "approved_revision")
            .prefetch_related("authors")
            .order_by("-updated_at", "pk")
        )
        if query.get("state"):
            articles = articles.filter(state=query["state"])
        if query.get("specialty"):
            articles = articles.filter(specialty__slug=query["specialty"])
        return articles


@extend_schema(tags=["editors"], summary="List the board members", responses={200: s.BoardMemberSerializer(many=True)})
class BoardMemberListView(ApiListView):
    permission_classes = [IsAuthenticated, IsEditor]
    serializer_class = s.BoardMemberSerializer
    queryset = BoardMember.objects.select_related("user").prefetch_related("specialties").order_by("pk")


@extend_schema(tags=["editors"])
class ArticleAssignmentView(ApiView):
    permission_classes = [IsAuthenticated, IsEditor]

    @extend_schema(
        summary="List the assignments of an article's revisions", responses={200: s.AssignmentSerializer(many=True)}
    )
    def get(self, request, slug):
        assignments = (
            ReviewAssignment.objects.filter(revision__article=_article(slug))
            .select_related("revision__article", "board_member__user")
            .order_by("pk")
        )
        return Response(s.AssignmentSerializer(assignments, many=True).data)

    @extend_schema(
        summary="Assign a board member to review the current revision",
        request=s.AssignInputSerializer,
        responses={201: s.AssignmentSerializer},
    )
    def post(self, request, slug):
        article = _article(slug)
        serializer = s.AssignInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = services.assignment_create(article=article, actor=request.user, **serializer.validated_data)
        return Response(s.AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["editors"],
    summary="Assign the best eligible board members (specialty first, lowest load)",
    request=s.AutoAssignInputSerializer,
    responses={201: s.AssignmentSerializer(many=True)},
)
class AutoAssignView(ApiView):
    permission_classes = [IsAuthenticated, IsEditor]

    def post(self, request, slug):
        article = _article(slug)
        serializer = s.AutoAssignInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignments = services.assignments_auto(
            article=article, actor=request.user, count=serializer.validated_data.get("count")
        )
        return Response(s.AssignmentSerializer(assignments, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["editors"],
    summary="Cancel an open assignment",
    request=s.ReasonSerializer,
    responses={200: s.AssignmentSerializer},
)
class AssignmentCancelView(ApiView):
    permission_classes = [IsAuthenticated, IsEditor]

    def post(self, request, pk):
        assignment = ReviewAssignment.objects.select_related("revision__article", "board_member__user")
        assignment = assignment.filter(pk=pk).first()
        if assignment is None:
            raise Http404("No such assignment.")
        serializer = s.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        assignment = services.assignment_cancel(
            assignment=assignment, actor=request.user, reason=serializer.validated_data.get("reason", "")
        )
        return Response(s.AssignmentSerializer(assignment).data)


class EditorDecisionView(ApiView):
    """Reject, retract or reopen an article, with a reason."""

    permission_classes = [IsAuthenticated, IsEditor]
    decision = ""

    def post(self, request, slug):
        article = _article(slug)
        serializer = s.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decide = {
            "reject": services.article_reject,
            "retract": services.article_retract,
            "reopen": services.article_reopen,
        }[self.decision]
        decide(article=article, actor=request.user, reason=serializer.validated_data.get("reason", ""))
        return Response(s.ArticleSummarySerializer(_article(slug)).data)


def _editor_decision(name: str, summary: str):
    view = extend_schema(
        tags=["editors"], summary=summary, request=s.ReasonSerializer, responses={200: s.ArticleSummarySerializer}
    )(type(f"Editor{name.title()}View", (EditorDecisionView,), {"decision": name, "__doc__": summary}))
    return view.as_view()


editor_reject = _editor_decision("reject", "Reject a submission (reason required)")
editor_retract = _editor_decision("retract", "Retract an approved article from readers (reason required)")
editor_reopen = _editor_decision("reopen", "Reopen a rejected or retracted article to draft (reason required)")


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Answer any other address under /api/ with a JSON 404, never an HTML page."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFound("There is no API endpoint at this address.")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound("There is no API endpoint at this address.")
