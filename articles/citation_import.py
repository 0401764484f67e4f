"""A reference from what an author pastes: a DOI or a PMID (looked up from Crossref or NCBI E-utilities), or a
BibTeX or RIS record (parsed here, by bibtexparser and rispy). Each answer is a dict of the reference's fields
(``articles.services.REFERENCE_FIELDS``) for the author to check and save through the services as ever.

Bad input never becomes a reference: it raises ``CitationImportError`` with a message for the author.
"""

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import bibtexparser
import rispy  # type: ignore[import-untyped]

from articles.exceptions import DomainError

DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)
PMID = re.compile(r"^(?:pmid:?\s*)?(\d{1,9})$", re.IGNORECASE)
LOOKUP_TIMEOUT_SECONDS = 8
CROSSREF_URL = "https://api.crossref.org/works/{doi}"
ESUMMARY_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi?db=pubmed&retmode=json&id={pmid}"
USER_AGENT = "medically-reviewed-answers/1.0 (reference lookup)"
MAX_AUTHORS = 30


class CitationImportError(DomainError):
    """What was pasted cannot become a reference; the message says why, for the author."""


@dataclass(frozen=True)
class Pasted:
    kind: str  # "doi", "pmid", "bibtex" or "ris"
    value: str


def identify(text: str) -> Pasted:
    """Return what the author pasted: a DOI, a PMID, a BibTeX or a RIS record; raise if it is none of them."""
    text = (text or "").strip()
    if not text:
        raise CitationImportError("Paste a DOI, a PMID, or a BibTeX or RIS record.")
    if text.startswith("@"):
        return Pasted("bibtex", text)
    if re.match(r"^TY\s{2}-", text):
        return Pasted("ris", text)
    if match := DOI.match(text):
        return Pasted("doi", match.group(1))
    if match := PMID.match(text):
        return Pasted("pmid", match.group(1))
    raise CitationImportError(
        "This is not a DOI (10.1016/…), a PMID (digits), a BibTeX record (@article{…}) or a RIS record (TY  - …)."
    )


def _reference(**fields: Any) -> dict[str, Any]:
    """Keep the fields that have a value, trimmed to what a reference holds."""
    limits = {"title": 500, "source": 300, "authors": 500, "doi": 200, "pmid": 20, "url": 500, "volume": 20,
              "issue": 20, "pages": 30}  # fmt: skip
    reference: dict[str, Any] = {"kind": fields.pop("kind", "research")}
    for name, value in fields.items():
        if value in (None, ""):
            continue
        if name == "year":
            if str(value).strip()[:4].isdigit():
                reference["year"] = int(str(value).strip()[:4])
            continue
        reference[name] = " ".join(str(value).split())[: limits[name]]
    if not reference.get("title"):
        raise CitationImportError("The record has no title.")
    return reference


def _vancouver_name(family: str, given: str) -> str:
    initials = "".join(part[0] for part in re.split(r"[\s.\-]+", given) if part)
    return f"{family} {initials}".strip()


def parse_bibtex(text: str) -> dict[str, Any]:
    """Return the first entry of a BibTeX record as a reference."""
    library = bibtexparser.parse_string(text)
    if not library.entries:
        raise CitationImportError("This BibTeX could not be read: check its braces and commas.")
    fields = library.entries[0].fields_dict
    value = {name: fields[name].value for name in fields}
    authors = []
    for name in str(value.get("author", "")).split(" and "):
        name = name.strip()
        if not name:
            continue
        family, _, given = name.partition(",") if "," in name else (name.rsplit(" ", 1)[-1], "", name.rsplit(" ", 1)[0])
        authors.append(_vancouver_name(family.strip(), given.strip()))
    return _reference(
        title=str(value.get("title", "")).strip("{}"),
        authors=", ".join(authors[:MAX_AUTHORS]),
        source=value.get("journal") or value.get("publisher") or value.get("booktitle"),
        year=value.get("year"),
        volume=value.get("volume"),
        issue=value.get("number"),
        pages=str(value.get("pages", "")).replace("--", "-"),
        doi=value.get("doi"),
        url=value.get("url"),
    )


def parse_ris(text: str) -> dict[str, Any]:
    """Return the first record of a RIS text as a reference."""
    try:
        records = rispy.loads(text)
    except Exception as error:  # rispy raises several kinds for malformed input
        raise CitationImportError(f"This RIS could not be read: {error}.") from error
    if not records:
        raise CitationImportError("This RIS holds no record (it starts with TY  - and ends with ER  -).")
    record = records[0]
    authors = []
    for name in record.get("authors") or record.get("first_authors") or []:
        family, _, given = name.partition(",")
        authors.append(_vancouver_name(family.strip(), given.strip()))
    pages = "-".join(p for p in (record.get("start_page"), record.get("end_page")) if p)
    kind = "guideline" if record.get("type_of_reference") in ("GOVDOC", "STAND") else "research"
    return _reference(
        kind=kind,
        title=record.get("title") or record.get("primary_title"),
        authors=", ".join(authors[:MAX_AUTHORS]),
        source=record.get("journal_name") or record.get("secondary_title") or record.get("publisher"),
        year=record.get("year") or record.get("publication_year"),
        volume=record.get("volume"),
        issue=record.get("number"),
        pages=pages,
        doi=record.get("doi"),
        url=(record.get("urls") or [None])[0],
    )


def fetch_json(url: str) -> Any:
    """Return the JSON at ``url``, within LOOKUP_TIMEOUT_SECONDS; raise CitationImportError otherwise."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=LOOKUP_TIMEOUT_SECONDS) as response:  # noqa: S310  (https only)
            return json.loads(response.read(2_000_000))
    except urllib.error.HTTPError as error:
        if error.code == 404:
            raise CitationImportError("No record was found for it.") from error
        raise CitationImportError(f"The lookup service answered {error.code}; try again later.") from error
    except TimeoutError as error:
        raise CitationImportError("The lookup service did not answer in time; try again later.") from error
    except (urllib.error.URLError, OSError) as error:
        raise CitationImportError("The lookup service could not be reached; try again later.") from error
    except ValueError as error:
        raise CitationImportError("The lookup service answered something that is not a record.") from error


def from_crossref(payload: Any, doi: str) -> dict[str, Any]:
    """Return Crossref's answer for ``doi`` as a reference."""
    try:
        work = payload["message"]
        issued = work.get("issued") or work.get("published-print") or work.get("published-online") or {}
        year = (issued.get("date-parts") or [[None]])[0][0]
        authors = [
            _vancouver_name(a.get("family", ""), a.get("given", "")) for a in work.get("author", []) if a.get("family")
        ]
        return _reference(
            title=(work.get("title") or [""])[0],
            authors=", ".join(authors[:MAX_AUTHORS]),
            source=(work.get("short-container-title") or work.get("container-title") or [work.get("publisher")])[0],
            year=year,
            volume=work.get("volume"),
            issue=work.get("issue"),
            pages=work.get("page"),
            doi=work.get("DOI") or doi,
            url=work.get("URL"),
        )
    except (KeyError, TypeError, IndexError, AttributeError) as error:
        raise CitationImportError("The lookup service answered something that is not a record.") from error


def from_esummary(payload: Any, pmid: str) -> dict[str, Any]:
    """Return NCBI E-utilities' esummary answer for ``pmid`` as a reference."""
    try:
        summary = payload["result"][pmid]
        if "error" in summary:
            raise CitationImportError("No PubMed record has this PMID.")
        ids = {item.get("idtype"): item.get("value") for item in summary.get("articleids", [])}
        return _reference(
            title=summary.get("title", "").rstrip("."),
            authors=", ".join(a["name"] for a in summary.get("authors", [])[:MAX_AUTHORS] if a.get("name")),
            source=summary.get("source"),
            year=(summary.get("pubdate") or "")[:4],
            volume=summary.get("volume"),
            issue=summary.get("issue"),
            pages=summary.get("pages"),
            doi=ids.get("doi"),
            pmid=pmid,
        )
    except (KeyError, TypeError, AttributeError) as error:
        raise CitationImportError("The lookup service answered something that is not a record.") from error


def look_up(kind: str, value: str, *, fetch: Callable[[str], Any] | None = None) -> dict[str, Any]:
    """Return the reference a DOI or a PMID names, from Crossref or NCBI E-utilities."""
    fetch = fetch or fetch_json
    if kind == "doi":
        return from_crossref(fetch(CROSSREF_URL.format(doi=urllib.parse.quote(value, safe="/"))), value)
    if kind == "pmid":
        return from_esummary(fetch(ESUMMARY_URL.format(pmid=value)), value)
    raise CitationImportError("Only DOIs and PMIDs are looked up.")


def parse(pasted: Pasted) -> dict[str, Any]:
    """Return the reference of a pasted BibTeX or RIS record."""
    return parse_bibtex(pasted.value) if pasted.kind == "bibtex" else parse_ris(pasted.value)
