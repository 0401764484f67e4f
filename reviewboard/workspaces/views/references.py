"""The author's editor asks here for a reference from a pasted DOI, PMID, BibTeX or RIS record (JSON)."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from articles.exceptions import ValidationFailed
from articles.models import LookupStatus, ReferenceLookup
from articles.services import reference_import
from reviewboard.workspaces.views.guards import author_required


@require_POST
@author_required
def reference_import_start(request):
    """Answer with the reference a pasted record holds, or where to ask for a DOI's or PMID's lookup."""
    try:
        reference, lookup = reference_import(actor=request.user, pasted=request.POST.get("pasted", ""))
    except ValidationFailed as error:
        return JsonResponse({"status": "invalid", "message": " ".join(error.messages)}, status=400)
    if lookup is None:
        return JsonResponse({"status": "done", "reference": reference})
    poll = reverse("workspaces:author_reference_lookup", args=[lookup.pk])
    return JsonResponse({"status": "pending", "poll": poll}, status=202)


@require_GET
@author_required
def reference_lookup(request, lookup_id):
    """Answer with the state of a lookup the person asked for: pending, the reference, or why it failed."""
    lookup = get_object_or_404(ReferenceLookup, pk=lookup_id, requested_by=request.user)
    if lookup.status == LookupStatus.DONE:
        return JsonResponse({"status": "done", "reference": lookup.reference})
    if lookup.status == LookupStatus.FAILED:
        return JsonResponse({"status": "invalid", "message": lookup.message})
    return JsonResponse({"status": "pending", "poll": request.path}, status=202)
