"""The editorial dashboard: one page of metrics for editors, each table also as CSV."""

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.conf import global_settings, settings
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from articles.models import Specialty
from articles.people import person_name
from articles.permissions import EDITORS_GROUP
from reviewboard.dashboard import metrics
from reviewboard.dashboard.charts import Bar, bar_chart
from reviewboard.dashboard.exports import spreadsheet_writer
from reviewboard.permissions import user_is_editor

PERIODS = [("30", "Last 30 days"), ("90", "Last 90 days"), ("365", "Last 365 days"), ("custom", "Dates below")]
EXPORTS = ("states", "time_in_state", "approvals", "overdue", "workload", "rereview", "activity")
WORKLOAD_ROWS = 25


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(choices=PERIODS, required=False, initial=metrics.DEFAULT_PERIOD)
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"}))
    specialty = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    editor = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, help_text="Who assigned reviewers.")

    def __init__(self, *args, specialties, editors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].choices = [("", "All specialties"), *((s.pk, s.name) for s in specialties)]
        self.fields["editor"].choices = [
            ("", "All editors"),
            *((u.pk, person_name(u)) for u in editors),
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if (start or end) and data.get("period") in ("", None, "custom"):
            if not (start and end):
                raise forms.ValidationError("Give both dates of the period.")
            problem = metrics.period_problem(start, end)
            if problem:
                raise forms.ValidationError(problem)
            data["period"] = "custom"
        elif data.get("period") == "custom":
            raise forms.ValidationError("Give both dates of the period.")
        return data

    def dashboard_filters(self) -> metrics.DashboardFilters:
        data = self.cleaned_data
        chosen: dict[str, Any] = {"specialty_id": data.get("specialty"), "editor_id": data.get("editor")}
        if data.get("period") == "custom":
            tz = timezone.get_current_timezone()
            return metrics.DashboardFilters(
                start=datetime.combine(data["start"], time.min, tzinfo=tz),
                end=datetime.combine(data["end"] + timedelta(days=1), time.min, tzinfo=tz),
                **chosen,
            )
        days = metrics.PERIOD_CHOICES[data.get("period") or metrics.DEFAULT_PERIOD]
        return metrics.DashboardFilters.last_days(days, **chosen)


def _login_url() -> str:
    if settings.LOGIN_URL != global_settings.LOGIN_URL:
        return settings.LOGIN_URL
    return reverse("admin:login")


def _editors():
    return (
        get_user_model()
        .objects.filter(Q(groups__name=EDITORS_GROUP) | Q(is_superuser=True), is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _days(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 86400:.1f}"


def duration_text(seconds: float | None) -> str:
    """Return a duration in the unit that shows it (days, hours or minutes): never 0.0 for a real one."""
    if seconds is None:
        return ""
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.0f} min"
    return "under 1 min" if seconds > 0 else "0 min"


def _chart_unit(values: list[float | None]) -> tuple[str, float]:
    """Return the unit a duration chart's axis uses (days when a bar reaches two days, else hours) and its seconds."""
    peak = max((v for v in values if v), default=0)
    return ("days", 86400.0) if peak >= 2 * 86400 else ("hours", 3600.0)


def _rating(rating: tuple[float, int] | None) -> str:
    return "–" if rating is None else f"{rating[0]:.1f} ({rating[1]})"


def _percent(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.0f}%"


def dashboard(request):
    """Show the editorial dashboard, or one of its tables as CSV with ``?export=<table>``."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), _login_url())
    if not user_is_editor(request.user):
        raise PermissionDenied("The dashboard is for editors and admins.")
    form = DashboardFilterForm(request.GET or None, specialties=list(Specialty.objects.all()), editors=list(_editors()))
    if request.GET and not form.is_valid():
        return render(request, "dashboard/dashboard.html", {"form": form}, status=400)
    filters = form.dashboard_filters() if form.is_bound else metrics.DashboardFilters.last_days(90)
    export = request.GET.get("export")
    if export:
        if export not in EXPORTS:
            # Never echo what was asked for: it is the requester's text, in a page of ours.
            return HttpResponseBadRequest(
                f"There is no such table to export; choose one of {', '.join(EXPORTS)}.", content_type="text/plain"
            )
        with metrics.reporting_transaction():
            return _csv(export, filters)
    with metrics.reporting_transaction():
        context = _page(filters, request)
    return render(request, "dashboard/dashboard.html", {"form": form, **context})


def _page(filters: metrics.DashboardFilters, request) -> dict:
    summary = metrics.state_summary(filters)
    states, rereview_count = summary.states, summary.due_for_rereview
    times = metrics.time_in_state(filters)
    approvals = metrics.approvals_per_week(filters)
    workload = metrics.board_workload(filters)
    # Editors' ratings of each shown member's reviews (private to editors, as this page is).
    ratings = metrics.average_ratings([w.board_member.pk for w in workload[:WORKLOAD_ROWS]])
    overdue = list(metrics.overdue_reviews(filters))
    rereview = list(metrics.due_for_rereview(filters))
    unit, unit_seconds = _chart_unit([t.p90_seconds for t in times] + [t.median_seconds for t in times])
    query = request.GET.copy()
    query.pop("export", None)
    return {
        "filters": filters,
        "period_end": filters.end - timedelta(microseconds=1),
        "export_query": query.urlencode(),
        "states": states,
        "articles_total": sum(s.count for s in states),
        "times": [
            {
                "label": t.label,
                "count": t.count,
                "median": duration_text(t.median_seconds),
                "p90": duration_text(t.p90_seconds),
            }
            for t in times
        ],
        "approvals": approvals,
        "approvals_total": sum(w.count for w in approvals),
        "workload": [
            {
                "row": w,
                "turnaround": duration_text(w.median_turnaround_seconds),
                "decline_rate": _percent(w.decline_rate),
                "rating": _rating(ratings.get(w.board_member.pk)),
            }
            for w in workload[:WORKLOAD_ROWS]
        ],
        "workload_total": len(workload),
        "overdue": [{"row": a, "days": (filters.today - a.due_date).days} for a in overdue],
        "overdue_total": sum(w.overdue for w in workload),
        "rereview": rereview,
        "rereview_count": rereview_count,
        "questions_waiting": summary.questions_waiting,
        "rereview_days": metrics.rereview_after_days(),
        "activity": metrics.recent_activity(filters),
        "charts": {
            "approvals": bar_chart(
                chart_id="chart-approvals",
                title="Approvals per week",
                description=f"{sum(w.count for w in approvals)} approvals over {len(approvals)} weeks; "
                + "; ".join(f"week of {w.week:%d %b %Y}: {w.count}" for w in approvals),
                bars=[Bar(f"{w.week:%d %b %Y}", (w.count,), (str(w.count),)) for w in approvals],
                series=("Approvals",),
            ),
            "times": bar_chart(
                chart_id="chart-times",
                title=f"Time spent in each state, in {unit}",
                description="; ".join(
                    f"{t.label}: median {duration_text(t.median_seconds)}, "
                    f"90th percentile {duration_text(t.p90_seconds)}"
                    for t in times
                )
                or "No article left a state in this period.",
                bars=[
                    Bar(
                        t.label,
                        ((t.median_seconds or 0) / unit_seconds, (t.p90_seconds or 0) / unit_seconds),
                        (duration_text(t.median_seconds), duration_text(t.p90_seconds)),
                    )
                    for t in times
                ],
                series=("Median", "90th percentile"),
            ),
            "workload": bar_chart(
                chart_id="chart-workload",
                title="Board members' workload",
                description="; ".join(
                    f"{w.board_member.display_name}: {w.open} open, {w.completed} completed" for w in workload[:15]
                )
                or "No board member had work in this period.",
                bars=[
                    Bar(w.board_member.display_name, (w.open, w.completed), (str(w.open), str(w.completed)))
                    for w in workload[:15]
                ],
                series=("Open", "Completed in period"),
            ),
        },
    }


def _csv(table: str, filters: metrics.DashboardFilters) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{table}.csv"'
    writer = spreadsheet_writer(response)
    if table == "states":
        states, _ = metrics.articles_per_state(filters)
        writer.writerow(["state", "articles"])
        writer.writerows([s.state, s.count] for s in states)
    elif table == "time_in_state":
        writer.writerow(["state", "stays", "median_seconds", "p90_seconds", "median_days", "p90_days"])
        for t in metrics.time_in_state(filters):
            writer.writerow(
                [t.state, t.count, _seconds(t.median_seconds), _seconds(t.p90_seconds)]
                + [_days(t.median_seconds), _days(t.p90_seconds)]
            )
    elif table == "approvals":
        writer.writerow(["week_starting", "approvals"])
        writer.writerows([w.week.isoformat(), w.count] for w in metrics.approvals_per_week(filters))
    elif table == "overdue":
        writer.writerow(["article", "revision", "board_member", "assigned_by", "status", "due_date", "days_overdue"])
        for a in metrics.overdue_reviews(filters, limit=None).iterator(chunk_size=2000):
            writer.writerow(
                [
                    a.revision.article.slug,
                    a.revision.number,
                    a.board_member.display_name,
                    person_name(a.assigned_by),
                    a.status,
                    a.due_date.isoformat(),
                    (filters.today - a.due_date).days,
                ]
            )
    elif table == "workload":
        writer.writerow(
            ["board_member", "open", "overdue", "completed", "declined", "invited"]
            + ["decline_rate", "median_turnaround_seconds"]
        )
        for w in metrics.board_workload(filters):
            writer.writerow(
                [
                    w.board_member.display_name,
                    w.open,
                    w.overdue,
                    w.completed,
                    w.declined,
                    w.invited,
                    "" if w.decline_rate is None else f"{w.decline_rate:.4f}",
                    _seconds(w.median_turnaround_seconds),
                ]
            )
    elif table == "rereview":
        writer.writerow(["article", "specialty", "approved_at"])
        for due in metrics.due_for_rereview(filters, limit=None).iterator(chunk_size=2000):
            writer.writerow([due.slug, due.specialty.name, due.approved_at.isoformat() if due.approved_at else ""])
    elif table == "activity":
        writer.writerow(["when", "article", "transition", "from_state", "to_state", "actor", "reason"])
        for e in metrics.recent_activity(filters):
            writer.writerow(
                [e.created_at.isoformat(), e.article.slug, e.transition, e.from_state, e.to_state]
                + [person_name(e.actor), e.reason]
            )
    return response


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"
