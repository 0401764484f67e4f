"""The Article admin: read-only fields, transition buttons and bulk actions, all through the services.

Article is registered here rather than in ``articles.admin`` because its transition buttons call
the services in ``reviewboard.services``, and ``articles`` never imports ``reviewboard``.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from articles.admin import ArchiveModelAdmin, ImmutableAdminMixin
from articles.exceptions import DomainError, InvalidTransition, ValidationFailed
from articles.forms import add_field_errors
from articles.models import Article, Revision
from articles.people import person_name
from reviewboard import actions as action_registry, permissions, services
from reviewboard.admin.filters import ReviewerFilter
from reviewboard.admin.links import admin_link
from reviewboard.forms import ReasonForm
from reviewboard.models import ReviewAssignment, TransitionLogEntry
from reviewboard.workspaces.diff import revision_diff


def _diff_url(article_id, old_number, new_number) -> str:
    url = reverse("admin:articles_article_diff", args=[article_id])
    return f"{url}?from={old_number}&to={new_number}"


class RevisionInline(ImmutableAdminMixin, admin.TabularInline):
    model = Revision
    readonly_fields = ("number", "title", "created_by", "change_note", "created_at", "changes")
    fields = readonly_fields
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
    readonly_fields = ("created_at", "transition", "from_state", "to_state", "actor", "revision", "reason")
    fields = readonly_fields
    extra = 0
    verbose_name_plural = "transition log"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "revision")


@admin.register(Article)
class ArticleAdmin(ArchiveModelAdmin):
    """Articles, read-only; their actions are the action registry's, each performed by its service."""

    change_form_template = "admin/articles/article/change_form.html"

    list_display = ["slug", "title", "state", "specialty", "updated_at"]
    # Authors are found by the search (a list of every author would outgrow the page).
    list_filter = ["state", "specialty", ("updated_at", admin.DateFieldListFilter), ReviewerFilter]
    list_select_related = ["specialty", "current_revision", "approved_revision"]
    search_fields = [
        "slug",
        "revisions__title",
        "authors__username",
        "authors__last_name",
        "revisions__assignments__board_member__user__last_name",
    ]
    readonly_fields = (
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
    )
    fields = readonly_fields
    # Nothing on an article is edited here: content changes are new revisions, state changes are
    # the transition buttons below, both through services.
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
        return ", ".join(person_name(user) for user in obj.authors.all()) or "-"

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

    # Actions: the registry's transition actions this person may take now, each through its service.

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, unquote(object_id))
        transition_actions = []
        if article is not None:
            transition_actions = [a for a in action_registry.available_actions(request.user, article) if a.service]
        extra_context = {
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete": False,
            "article_actions": transition_actions,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def action_view(self, request, object_id, name):
        """Ask for the action's reason (or a confirmation) on a GET; perform it on a POST."""
        action = action_registry.ACTIONS.get(name)
        if action is None or action.service is None:
            raise Http404(f"“{name}” is not an action the admin offers.")
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("There is no such article.")
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        form = ReasonForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            form.is_valid()  # it parses; the service decides
            try:
                done = action_registry.perform(
                    name, article=article, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationFailed as error:
                add_field_errors(form, error)
            except InvalidTransition as error:
                self.message_user(request, error.message, messages.ERROR)
                return self._redirect_to_change(article)
            else:
                state = done.get_state_display().lower()
                self.message_user(request, f"{action.label}: the article is now {state}.", messages.SUCCESS)
                return self._redirect_to_change(article)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"{action.label}: {article}",
            "action": action,
            "form": form,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/articles/article/action_form.html", context)

    def _redirect_to_change(self, obj):
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", object_id=obj.pk)

    def save_model(self, request, obj, form, change):
        """Save nothing: every article write goes through a service."""

    # The read-only diff between two revisions

    def get_urls(self):
        diff = self.admin_site.admin_view(self.revision_diff_view)
        act = self.admin_site.admin_view(self.action_view)
        return [
            path("<path:object_id>/diff/", diff, name="articles_article_diff"),
            path("<path:object_id>/action/<slug:name>/", act, name="articles_article_action"),
            *super().get_urls(),
        ]

    def revision_diff_view(self, request, object_id):
        """Show the word-level differences between two revisions of an article (``?from=&to=``)."""
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("There is no such article.")
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
        published, skipped = services.reviewers_remind(articles=queryset, actor=request.user)
        reminded_articles = set(
            ReviewAssignment.objects.open()
            .filter(revision__article__in=queryset)
            .values_list("revision__article_id", flat=True)
        )
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
                except ValidationFailed as error:
                    add_field_errors(form, error)  # the reason itself: ask again
                    break
                except DomainError as error:
                    self.message_user(request, f"{article}: {error.message}", messages.ERROR)
                else:
                    retracted += 1
            if retracted:
                self.message_user(request, f"Retracted {retracted} article(s).", messages.SUCCESS)
            if not form.errors:
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
