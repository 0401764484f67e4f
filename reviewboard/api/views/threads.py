"""Comment threads on the text, for everyone who takes part in a review: the same permission function as the web
(``permissions.thread_rights``): confidential threads never reach the authors."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from reviewboard.api import serializers as s
from reviewboard.api.views.base import ApiView
from reviewboard.permissions import THREAD_OPEN, THREAD_VIEW, THREADS_VIEW, access_article, access_thread
from reviewboard.selectors import names_shown_to, visible_threads
from reviewboard.services_threads import thread_open, thread_reopen, thread_reply, thread_resolve


def _thread(user, pk: int):
    thread = access_thread(user, pk, purpose=THREAD_VIEW)
    return visible_threads(user=user, article=thread.article).get(pk=thread.pk)


def _shown(user, thread_or_threads, article, *, many: bool = False):
    """Serialize as ``user`` may see it: authors see reviewers as "Reviewer 1" unless the editors allow names."""
    context = {"names": names_shown_to(user=user, article=article)}
    return s.ThreadSerializer(thread_or_threads, many=many, context=context).data


class ArticleThreadsView(ApiView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["threads"],
        summary="List the comment threads on an article's text that I may see",
        responses={200: s.ThreadSerializer(many=True)},
    )
    def get(self, request, slug):
        article = access_article(request.user, purpose=THREADS_VIEW, slug=slug)
        return Response(_shown(request.user, visible_threads(user=request.user, article=article), article, many=True))

    @extend_schema(
        tags=["threads"],
        summary="Open a thread on a paragraph, or a passage of it, of the revision under review",
        request=s.ThreadInputSerializer,
        responses={201: s.ThreadSerializer},
    )
    def post(self, request, slug):
        article = access_article(request.user, purpose=THREAD_OPEN, slug=slug)
        serializer = s.ThreadInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        thread = thread_open(article=article, actor=request.user, **serializer.validated_data)
        return Response(_shown(request.user, _thread(request.user, thread.pk), article), status=status.HTTP_201_CREATED)


@extend_schema(tags=["threads"], summary="Read a comment thread", responses={200: s.ThreadSerializer})
class ThreadDetailView(ApiView):
    permission_classes = [IsAuthenticated]

    def get(self, request, pk):
        thread = _thread(request.user, pk)
        return Response(_shown(request.user, thread, thread.article))


@extend_schema(
    tags=["threads"], summary="Reply to a thread", request=s.ReplyInputSerializer, responses={201: s.ThreadSerializer}
)
class ThreadReplyView(ApiView):
    permission_classes = [IsAuthenticated]

    def post(self, request, pk):
        thread = access_thread(request.user, pk, purpose=THREAD_VIEW)
        serializer = s.ReplyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        thread_reply(thread=thread, actor=request.user, body=serializer.validated_data["body"])
        thread = _thread(request.user, pk)
        return Response(_shown(request.user, thread, thread.article), status=status.HTTP_201_CREATED)


@extend_schema(tags=["threads"], summary="Resolve a thread", request=None, responses={200: s.ThreadSerializer})
class ThreadResolveView(ApiView):
    permission_classes = [IsAuthenticated]

    def post(self, request, pk):
        thread_resolve(thread=access_thread(request.user, pk, purpose=THREAD_VIEW), actor=request.user)
        thread = _thread(request.user, pk)
        return Response(_shown(request.user, thread, thread.article))


@extend_schema(tags=["threads"], summary="Reopen a resolved thread", request=None, responses={200: s.ThreadSerializer})
class ThreadReopenView(ApiView):
    permission_classes = [IsAuthenticated]

    def post(self, request, pk):
        thread_reopen(thread=access_thread(request.user, pk, purpose=THREAD_VIEW), actor=request.user)
        thread = _thread(request.user, pk)
        return Response(_shown(request.user, thread, thread.article))
