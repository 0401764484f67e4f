"""References from pasted DOIs, PMIDs, BibTeX and RIS: answers in the services' formats, never the network."""

import json

import pytest

from articles import citation_import
from articles.citation_import import CitationImportError, identify, look_up, parse_bibtex, parse_ris
from articles.exceptions import ValidationFailed
from articles.models import LookupStatus, ReferenceLookup
from articles.services import reference_import, reference_lookup_run

# An answer in Crossref's /works format, trimmed to the fields read.
CROSSREF = {
    "status": "ok",
    "message": {
        "DOI": "10.1016/s1474-4422(04)00875-7",
        "title": ["Myoclonus: current concepts and recent advances"],
        "author": [{"given": "John N", "family": "Caviness"}, {"given": "Peter", "family": "Brown"}],
        "container-title": ["The Lancet Neurology"],
        "short-container-title": ["The Lancet Neurology"],
        "volume": "3",
        "issue": "10",
        "page": "598-607",
        "issued": {"date-parts": [[2004, 10]]},
        "URL": "https://doi.org/10.1016/s1474-4422(04)00875-7",
    },
}
# Answers in NCBI E-utilities' esummary format (trimmed): a record, and the answer for an unknown PMID.
ESUMMARY = {
    "result": {
        "uids": ["15380156"],
        "15380156": {
            "uid": "15380156",
            "pubdate": "2004 Oct",
            "source": "Lancet Neurol",
            "authors": [{"name": "Caviness JN"}, {"name": "Brown P"}],
            "title": "Myoclonus: current concepts and recent advances.",
            "volume": "3",
            "issue": "10",
            "pages": "598-607",
            "articleids": [{"idtype": "pubmed", "value": "15380156"}, {"idtype": "doi", "value": "10.1016/X"}],
        },
    }
}
ESUMMARY_UNKNOWN = {
    "result": {"uids": ["999999999"], "999999999": {"uid": "999999999", "error": "cannot get document summary"}}
}

BIBTEX = """@article{caviness2004,
  author = {Caviness, John N. and Brown, Peter},
  title = {Myoclonus: current concepts and recent advances},
  journal = {The Lancet Neurology},
  year = {2004}, volume = {3}, number = {10}, pages = {598--607},
  doi = {10.1016/S1474-4422(04)00875-7}
}"""
RIS = """TY  - JOUR
AU  - Caviness, John N.
AU  - Brown, Peter
TI  - Myoclonus: current concepts and recent advances
JO  - The Lancet Neurology
PY  - 2004
VL  - 3
IS  - 10
SP  - 598
EP  - 607
DO  - 10.1016/S1474-4422(04)00875-7
ER  -\x20
"""


@pytest.mark.parametrize(
    ("pasted", "kind"),
    [("10.1016/S1474-4422(04)00875-7", "doi"), ("https://doi.org/10.1000/xyz", "doi"), ("PMID: 15380156", "pmid"),
     (BIBTEX, "bibtex"), (RIS, "ris")],
)  # fmt: skip
def test_identify_tells_what_was_pasted(pasted, kind):
    assert identify(pasted).kind == kind


@pytest.mark.parametrize("pasted", ["", "hello", "10.12/x", "doi 10.1016"])
def test_identify_refuses_what_is_none_of_them(pasted):
    with pytest.raises(CitationImportError):
        identify(pasted)


def test_bibtex_and_ris_fill_every_field_alike():
    for reference in (parse_bibtex(BIBTEX), parse_ris(RIS)):
        assert reference["title"] == "Myoclonus: current concepts and recent advances"
        assert reference["authors"] == "Caviness JN, Brown P"
        assert reference["source"] == "The Lancet Neurology"
        assert (reference["year"], reference["volume"], reference["issue"], reference["pages"]) == (
            2004,
            "3",
            "10",
            "598-607",
        )
        assert reference["doi"] == "10.1016/S1474-4422(04)00875-7"


@pytest.mark.parametrize("broken", ["@article{x, title = {unclosed", "@misc{x}"])
def test_bibtex_that_does_not_parse_says_so(broken):
    with pytest.raises(CitationImportError):
        parse_bibtex(broken)


def test_doi_and_pmid_lookups_read_the_services_answers():
    doi = look_up("doi", "10.1016/S1474-4422(04)00875-7", fetch=lambda url: CROSSREF)
    pmid = look_up("pmid", "15380156", fetch=lambda url: ESUMMARY)

    assert doi["authors"] == "Caviness JN, Brown P" and doi["year"] == 2004 and doi["pages"] == "598-607"
    assert pmid["pmid"] == "15380156" and pmid["doi"] == "10.1016/X" and pmid["source"] == "Lancet Neurol"


@pytest.mark.parametrize(
    ("kind", "value", "answer"),
    [("pmid", "999999999", ESUMMARY_UNKNOWN), ("doi", "10.1/x", {"message": "garbage"}), ("doi", "10.1/x", [1, 2])],
)
def test_unknown_or_garbage_answers_are_clear_errors(kind, value, answer):
    with pytest.raises(CitationImportError):
        look_up(kind, value, fetch=lambda url: answer)


def test_a_lookup_that_times_out_is_a_clear_error(monkeypatch):
    def slow(*args, **kwargs):
        raise TimeoutError

    monkeypatch.setattr(citation_import.urllib.request, "urlopen", slow)

    with pytest.raises(CitationImportError, match="did not answer in time"):
        citation_import.fetch_json("https://api.crossref.org/works/10.1/x")


@pytest.mark.django_db
def test_a_pasted_doi_is_looked_up_by_a_task_and_a_failure_saves_nothing_wrong(
    author, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(citation_import, "fetch_json", lambda url: json.loads(json.dumps(CROSSREF)))
    with django_capture_on_commit_callbacks() as queued:
        reference, lookup = reference_import(actor=author, pasted="doi:10.1016/S1474-4422(04)00875-7")

    assert reference is None
    assert len(queued) == 1  # the task, sent after commit
    assert lookup.status == LookupStatus.PENDING
    reference_lookup_run(lookup_id=lookup.pk)  # what the task does (a worker runs it, or eagerly in development)
    lookup.refresh_from_db()
    assert lookup.status == LookupStatus.DONE
    assert lookup.reference["title"] == "Myoclonus: current concepts and recent advances"

    failed = ReferenceLookup.objects.create(requested_by=author, kind="pmid", value="999999999")
    reference_lookup_run(lookup_id=failed.pk, fetch=lambda url: ESUMMARY_UNKNOWN)
    failed.refresh_from_db()
    assert (failed.status, failed.reference) == (LookupStatus.FAILED, {})
    assert "No PubMed record" in failed.message


@pytest.mark.django_db
def test_bad_paste_is_a_field_error(author):
    with pytest.raises(ValidationFailed) as error:
        reference_import(actor=author, pasted="not a reference")
    assert error.value.errors[0].field == "reference_import"
