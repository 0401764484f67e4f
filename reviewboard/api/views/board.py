"""Board members' API: my assignments, accept, decline and review."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from reviewboard import services
from reviewboard.api import serializers as s
from reviewboard.api.permissions import IsBoardMember
from reviewboard.api.views.base import ApiListView, ApiView
from reviewboard.models import ReviewAssignment
from reviewboard.permissions import ASSIGNMENT_RESPOND, ASSIGNMENT_VIEW, access_assignment, board_member_of
from reviewboard.selectors import open_assignments_for

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


def _assignment(user, pk: int, purpose: str = ASSIGNMENT_VIEW) -> ReviewAssignment:
    return access_assignment(user, pk, purpose=purpose)


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
        assignment = _assignment(request.user, pk, ASSIGNMENT_RESPOND)
        assignment = services.assignment_accept(assignment=assignment, actor=request.user)
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
        assignment = _assignment(request.user, pk, ASSIGNMENT_RESPOND)
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
        assignment = _assignment(request.user, pk, ASSIGNMENT_RESPOND)
        serializer = s.ReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.review_submit(assignment=assignment, actor=request.user, **serializer.review())
        return Response(s.ReviewSerializer(review).data, status=status.HTTP_201_CREATED)
