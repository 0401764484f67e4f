"""The Article admin: read-only fields, transition buttons and bulk actions, all through the services.

Article is registered here rather than in ``articles.admin`` because its transition buttons call
the services in ``reviewboard.services``, and ``articles`` never imports ``reviewboard``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django_fsm.admin import FSMAdminMixin

from articles.admin import ImmutableAdminMixin
from articles.exceptions import DomainError
from articles.models import Article, Revision
from reviewboard import events, permissions, services
from reviewboard.admin.filters import ReviewerFilter
from reviewboard.admin.links import admin_link
from reviewboard.forms import ReasonForm
from reviewboard.models import ReviewAssignment, TransitionLogEntry
from reviewboard.workspaces.diff import revision_diff


@dataclass(frozen=True)
class AdminTransition:
    """A transition the admin offers as a button, and the service that performs it."""

    label: str
    service: Callable
    allowed: Callable
    needs_reason: bool = False


# start_review, approve and request_changes are absent on purpose: they follow from assigning
# reviewers and from the reviews themselves, never from a button.
ADMIN_TRANSITIONS = {
    "submit": AdminTransition("Submit", services.article_submit, permissions.user_can_submit),
    "resubmit": AdminTransition("Resubmit", services.article_submit, permissions.user_can_submit),
    "withdraw": AdminTransition(
        "Withdraw", services.article_withdraw, permissions.user_can_withdraw, needs_reason=True
    ),
    "revise": AdminTransition("Revise", services.article_revise, permissions.user_can_revise),
    "reject": AdminTransition("Reject", services.article_reject, permissions.user_can_decide, needs_reason=True),
    "retract": AdminTransition("Retract", services.article_retract, permissions.user_can_decide, needs_reason=True),
    "reopen": AdminTransition("Reopen", services.article_reopen, permissions.user_can_decide, needs_reason=True),
}


def publish_reminders(assignments, *, actor, today=None) -> tuple[int, int]:
    """Publish a review reminder for each open assignment; return (published, already sent today).

    The same events, with the same dedupe keys, as the daily reminders of
    ``reviewboard.notifications.schedules``: a board member reminded here is not reminded again
    by the schedule that day, and the outbox relay delivers them like any other event.
    """
    today = today or timezone.localdate()
    published = skipped = 0
    with transaction.atomic():
        for assignment in assignments:
            kind = "review_due_soon" if assignment.due_date >= today else "review_overdue"
            event = events.publish(
                kind,
                article_id=assignment.revision.article_id,
                actor_id=actor.pk,
                assignment_id=assignment.pk,
                dedupe_key=f"{kind}:{assignment.pk}:{today.isoformat()}",
            )
            if event is None:
                skipped += 1
            else:
                published += 1
    return published, skipped


def _diff_url(article_id, old_number, new_number) -> str:
    url = reverse("admin:articles_article_diff", args=[article_id])
    return f"{url}?from={old_number}&to={new_number}"


class RevisionInline(ImmutableAdminMixin, admin.TabularInline):
    model = Revision
    fields = ["number", "title", "created_by", "change_note", "created_at", "changes"]
    readonly_fields = fields
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    @admin.display(description="changes")
    def changes(self, obj):
        if obj.number <= 1:
            return "-"
        return format_html(
            '<a href="{}">compare with revision {}</a>',
            _diff_url(obj.article_id, obj.number - 1, obj.number),
            obj.number - 1,
        )


class TransitionInline(ImmutableAdminMixin, admin.TabularInline):
    model = TransitionLogEntry
    fields = ["created_at", "transition", "from_state", "to_state", "actor", "revision", "reason"]
    readonly_fields = fields
    extra = 0
    verbose_name_plural = "transition log"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "revision")


@admin.register(Article)
class ArticleAdmin(FSMAdminMixin, admin.ModelAdmin):
    fsm_fields = ["state"]
    fsm_forms = {name: ReasonForm for name, action in ADMIN_TRANSITIONS.items() if action.needs_reason}
    fsm_transition_not_allowed_msg = "“{transition_name}” is not an action the admin offers."
    fsm_transition_form_template = "admin/articles/article/transition_form.html"

    list_display = ["slug", "title", "state", "specialty", "updated_at"]
    list_filter = ["state", "specialty", ("authors", admin.RelatedOnlyFieldListFilter), ReviewerFilter]
    list_select_related = ["specialty", "current_revision", "approved_revision"]
    search_fields = [
        "slug",
        "revisions__title",
        "authors__username",
        "authors__last_name",
        "revisions__assignments__board_member__user__last_name",
    ]
    date_hierarchy = "updated_at"
    # The exact total would count the whole archive on every page; the filtered count is enough.
    show_full_result_count = False
    fields = [
        "slug",
        "specialty",
        "state",
        "author_names",
        "current_revision_link",
        "approved_revision_link",
        "approved_at",
        "reviewers",
        "revision_diff_link",
        "created_at",
        "updated_at",
    ]
    # Nothing on an article is edited here: content changes are new revisions, state changes are
    # the transition buttons below, both through services.
    readonly_fields = fields
    inlines = [RevisionInline, TransitionInline]
    actions = ["assign_reviewers_automatically", "remind_reviewers", "retract_with_reason"]

    # Permissions

    def has_add_permission(self, request):
        # Articles are created with their first revision by articles.services.article_create.
        return False

    def has_delete_permission(self, request, obj=None):
        # Published articles are retracted, not deleted; the transition log protects them anyway.
        return False

    def has_assign_permission(self, request):
        return permissions.user_is_editor(request.user)

    def has_decide_permission(self, request):
        return permissions.user_is_editor(request.user)

    # Read-only fields

    @admin.display(description="differences between revisions")
    def revision_diff_link(self, obj):
        if obj.current_revision is None:
            return "-"
        number = obj.current_revision.number
        if obj.approved_revision is not None and obj.approved_revision.number != number:
            old, label = obj.approved_revision.number, "what readers see"
        elif number > 1:
            old, label = number - 1, f"revision {number - 1}"
        else:
            return "-"
        return format_html(
            '<a href="{}">Compare revision {} with {}</a>', _diff_url(obj.pk, old, number), number, label
        )

    @admin.display(description="authors")
    def author_names(self, obj):
        return ", ".join(user.get_full_name() or user.get_username() for user in obj.authors.all()) or "-"

    @admin.display(description="current revision")
    def current_revision_link(self, obj):
        return admin_link(obj.current_revision)

    @admin.display(description="approved revision (what readers see)")
    def approved_revision_link(self, obj):
        return admin_link(obj.approved_revision)

    @admin.display(description="reviewers of the current revision")
    def reviewers(self, obj):
        assignments = (
            ReviewAssignment.objects.filter(revision_id=obj.current_revision_id)
            .select_related("board_member__user")
            .order_by("pk")
        )
        if not assignments:
            return "-"
        return format_html_join(
            ", ",
            "{} ({})",
            ((a.board_member.display_name, a.get_status_display().lower()) for a in assignments),
        )

    # Transitions: buttons the user may use, each dispatched to its service.

    def is_fsm_transition_visible(self, transition) -> bool:
        return transition.name in ADMIN_TRANSITIONS

    def get_fsm_label(self, transition) -> str:
        action = ADMIN_TRANSITIONS.get(transition.name)
        return action.label if action else transition.name

    def get_help_text(self, transition) -> str | None:
        return (transition.method.__doc__ or "").strip() or None

    def _get_fsm_extra_context(self, *, request, obj):
        """Return the button blocks, keeping only the transitions this user may perform."""
        blocks = []
        for block in super()._get_fsm_extra_context(request=request, obj=obj):
            block.available_transitions = [
                t for t in block.available_transitions if ADMIN_TRANSITIONS[t.name].allowed(request.user, obj)
            ]
            if block.available_transitions:
                blocks.append(block)
        return blocks

    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None) -> bool:
        action = ADMIN_TRANSITIONS.get(transition_name)
        if action is None:
            self.message_user(
                request, self.fsm_transition_not_allowed_msg.format(transition_name=transition_name), messages.ERROR
            )
            return False
        extra = {"reason": (kwargs or {}).get("reason", "")} if action.needs_reason else {}
        try:
            article = action.service(article=obj, actor=request.user, **extra)
        except DomainError as error:
            self.message_user(request, error.message, messages.ERROR)
            return False
        self.message_user(
            request, f"{action.label}: the article is now {article.get_state_display().lower()}.", messages.SUCCESS
        )
        return True

    def change_view(self, request, object_id, form_url="", extra_context=None):
        transition_name = request.POST.get(self.fsm_post_param) if request.method == "POST" else None
        if transition_name:
            # A transition button: nothing on the form is editable, so skip the form and its
            # inlines and go straight to the transition (or its reason form).
            obj = self.get_object(request, unquote(object_id))
            if obj is None:
                return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
            return self.response_change(request, obj)
        extra_context = {
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def response_change(self, request, obj):
        transition_name = request.POST.get(self.fsm_post_param)
        if transition_name and transition_name not in ADMIN_TRANSITIONS:
            self._apply_fsm_transition(obj=obj, transition_name=transition_name, request=request)
            return self._redirect_to_change(obj)
        return super().response_change(request, obj)

    def fsm_transition_view(self, request, object_id, transition_name, **kwargs):
        if transition_name not in self.fsm_forms:
            raise Http404(f"No form for the transition “{transition_name}”.")
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and not self.has_change_permission(request, obj):
            raise PermissionDenied
        return super().fsm_transition_view(request, object_id, transition_name, **kwargs)

    def _redirect_to_change(self, obj):
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", object_id=obj.pk)

    def save_model(self, request, obj, form, change):
        """Save nothing: every article write goes through a service."""

    # The read-only diff between two revisions

    def get_urls(self):
        view = self.admin_site.admin_view(self.revision_diff_view)
        return [path("<path:object_id>/diff/", view, name="articles_article_diff"), *super().get_urls()]

    def revision_diff_view(self, request, object_id):
        """Show the word-level differences between two revisions of an article (``?from=&to=``)."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        revisions = list(article.revisions.order_by("number").only("pk", "number", "title", "created_at"))
        if not revisions:
            raise Http404("This article has no revisions.")
        numbers = [r.number for r in revisions]
        try:
            new = int(request.GET.get("to") or numbers[-1])
            default_old = new - 1 if new - 1 in numbers else new
            old = int(request.GET.get("from") or default_old)
        except ValueError:
            return HttpResponseBadRequest("Revisions are given by their number, e.g. ?from=1&to=2.")
        if old not in numbers or new not in numbers:
            raise Http404(f"This article has revisions {numbers[0]} to {numbers[-1]}.")
        chosen = {r.number: r for r in article.revisions.filter(number__in={old, new}).prefetch_related("references")}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Revision {old} → {new}: {article}",
            "old": chosen[old],
            "new": chosen[new],
            "fields": revision_diff(chosen[old], chosen[new]),
            "revisions": revisions,
            "approved_number": article.approved_revision.number if article.approved_revision else None,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/articles/article/revision_diff.html", context)

    # Actions

    @admin.action(description="Assign reviewers automatically", permissions=["assign"])
    def assign_reviewers_automatically(self, request, queryset):
        for article in queryset:
            try:
                assignments = services.assignments_auto(article=article, actor=request.user)
            except DomainError as error:
                self.message_user(request, f"{article}: {error.message}", messages.ERROR)
                continue
            if assignments:
                names = ", ".join(a.board_member.display_name for a in assignments)
                self.message_user(request, f"{article}: invited {names}.", messages.SUCCESS)
            else:
                self.message_user(request, f"{article}: it already has enough reviewers.", messages.WARNING)

    @admin.action(description="Remind reviewers of their open reviews", permissions=["assign"])
    def remind_reviewers(self, request, queryset):
        assignments = (
            ReviewAssignment.objects.open()
            .filter(revision__article__in=queryset)
            .select_related("revision")
            .order_by("pk")
        )
        published, skipped = publish_reminders(assignments, actor=request.user)
        reminded_articles = {a.revision.article_id for a in assignments}
        for article in queryset:
            if article.pk not in reminded_articles:
                self.message_user(request, f"{article}: no open review to remind anyone of.", messages.WARNING)
        if published:
            self.message_user(request, f"Sent {published} review reminder(s).", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} reviewer(s) were already reminded today.", messages.INFO)

    @admin.action(description="Retract selected articles (asks for a reason)", permissions=["decide"])
    def retract_with_reason(self, request, queryset):
        """Ask for the reason on an intermediate page, then retract each article through the service."""
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            retracted = 0
            for article in queryset:
                try:
                    services.article_retract(article=article, actor=request.user, reason=form.cleaned_data["reason"])
                except DomainError as error:
                    self.message_user(request, f"{article}: {error.message}", messages.ERROR)
                else:
                    retracted += 1
            if retracted:
                self.message_user(request, f"Retracted {retracted} article(s).", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Retract articles",
            "articles": list(queryset.select_related("current_revision", "approved_revision")),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "action": "retract_with_reason",
            "media": self.media,
        }
        return TemplateResponse(request, "admin/articles/article/retract_selected.html", context)
