"""What each staff role may do in the Django admin.

Admins are superusers: every model, users and groups included. Editors (the "Editors" group, with
``is_staff``) run the editorial models only: no users or groups, no deletes, and rows written once
(revisions, references, reviews, assignments, conflicts, the transition log) are view-only. The
services still decide who may do what to an article; these permissions only open the admin pages.

Used by the data migration that sets up the group and by ``load_demo``, with real or historical
models, so it imports no model.
"""

from articles.permissions import EDITORS_GROUP

# app label -> model name -> the actions editors are given.
EDITOR_ADMIN_PERMISSIONS = {
    "articles": {
        "specialty": ("view", "add", "change"),
        "article": ("view", "change"),  # change: the transition buttons and actions; fields stay read-only
        "revision": ("view",),
        "reference": ("view",),
        "followupquestion": ("view",),
    },
    "reviewboard": {
        "boardmember": ("view", "add", "change"),
        "reviewassignment": ("view",),
        "conflictofinterest": ("view",),
        "review": ("view",),
        "transitionlogentry": ("view",),
        "checklistitem": ("view", "add", "change"),
        "checklistanswer": ("view",),
        "commentthread": ("view",),
        "threadcomment": ("view",),
        "editorialsettings": ("view", "change"),
        "reviewrating": ("view",),
        "reviewround": ("view",),
    },
}


def editor_permission_codenames() -> list[tuple[str, str]]:
    """Return (app label, codename) of every permission editors hold."""
    return [
        (app_label, f"{action}_{model}")
        for app_label, models in EDITOR_ADMIN_PERMISSIONS.items()
        for model, actions in models.items()
        for action in actions
    ]


def grant_editor_permissions(*, group_model, permission_model):
    """Give the Editors group exactly the editors' admin permissions (creating the group if needed)."""
    group, _ = group_model.objects.get_or_create(name=EDITORS_GROUP)
    wanted = set(editor_permission_codenames())
    permissions = [
        p
        for p in permission_model.objects.filter(content_type__app_label__in=EDITOR_ADMIN_PERMISSIONS).select_related(
            "content_type"
        )
        if (p.content_type.app_label, p.codename) in wanted
    ]
    group.permissions.set(permissions)
    return group
