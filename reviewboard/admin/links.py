"""Links from one admin page to another."""

from django.urls import reverse
from django.utils.html import format_html


def admin_link(obj, label=None):
    if obj is None:
        return "-"
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, label or obj)
