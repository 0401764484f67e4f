"""Editors' API: every article, assignments and decisions."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from articles.exceptions import NotFound
from articles.models import Article
from reviewboard import actions, services
from reviewboard.api import serializers as s
from reviewboard.api.permissions import IsEditor
from reviewboard.api.views.base import ApiListView, ApiView
from reviewboard.models import BoardMember, Review
from reviewboard.permissions import ASSIGNMENT_CANCEL, EDITORIAL, access_article, access_assignment
from reviewboard.selectors import article_assignments, editorial_articles

# Editors


def _article(request, slug: str) -> Article:
    return access_article(request.user, purpose=EDITORIAL, slug=slug)


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
        return editorial_articles(state=query.get("state"), specialty=query.get("specialty"))


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
        assignments = article_assignments(article=_article(request, slug))
        return Response(s.AssignmentSerializer(assignments, many=True).data)

    @extend_schema(
        summary="Assign a board member to review the current revision",
        request=s.AssignInputSerializer,
        responses={201: s.AssignmentSerializer},
    )
    def post(self, request, slug):
        article = _article(request, slug)
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
        article = _article(request, slug)
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
        assignment = access_assignment(request.user, pk, purpose=ASSIGNMENT_CANCEL)
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
        article = _article(request, slug)
        serializer = s.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data.get("reason", "")
        actions.perform(self.decision, article=article, actor=request.user, reason=reason)
        summary = s.ArticleSummarySerializer(_article(request, slug), context={"request": request})
        return Response(summary.data)


def _editor_decision(name: str, summary: str):
    view = extend_schema(
        tags=["editors"], summary=summary, request=s.ReasonSerializer, responses={200: s.ArticleSummarySerializer}
    )(type(f"Editor{name.title()}View", (EditorDecisionView,), {"decision": name, "__doc__": summary}))
    return view.as_view()  # type: ignore[attr-defined]  # an EditorDecisionView subclass


editor_reject = _editor_decision("reject", "Reject a submission (reason required)")
editor_retract = _editor_decision("retract", "Retract an approved article from readers (reason required)")
editor_reopen = _editor_decision("reopen", "Reopen a rejected or retracted article to draft (reason required)")


@extend_schema(
    tags=["editors"],
    summary="Rate a review from 1 to 5 (seen by editors only)",
    request=s.RatingInputSerializer,
    responses={200: s.RatingSerializer},
)
class ReviewRatingView(ApiView):
    permission_classes = [IsAuthenticated, IsEditor]

    def post(self, request, pk):
        review = Review.objects.filter(pk=pk).first()
        if review is None:
            raise NotFound("There is no such review.")
        serializer = s.RatingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rating = services.review_rate(review=review, actor=request.user, rating=serializer.validated_data["rating"])
        return Response(s.RatingSerializer(rating).data)
