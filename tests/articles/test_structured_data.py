"""The reader page's JSON-LD uses schema.org's vocabulary: every property is one of its type's (or a parent's)."""

import csv
import json
import re
from pathlib import Path

import pytest

from tests.factories import publish

VOCABULARY = Path(__file__).resolve().parents[1] / "data" / "schemaorg"
pytestmark = pytest.mark.django_db


def _vocabulary() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    with open(VOCABULARY / "properties.csv", newline="") as f:
        domains = {row["property"]: set(filter(None, row["domainIncludes"].split(", "))) for row in csv.DictReader(f)}
    with open(VOCABULARY / "types.csv", newline="") as f:
        parents = {row["type"]: set(filter(None, row["subTypeOf"].split(", "))) for row in csv.DictReader(f)}
    return domains, parents


def _lineage(type_name: str, parents: dict[str, set[str]]) -> set[str]:
    seen, todo = set(), [type_name]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(parents.get(current, ()))
    return seen


def _misused(node, domains, parents, path="$") -> list[str]:
    """Return every property of ``node`` (and the nodes inside it) that schema.org does not give its type."""
    problems = []
    if isinstance(node, list):
        for index, item in enumerate(node):
            problems += _misused(item, domains, parents, f"{path}[{index}]")
        return problems
    if not isinstance(node, dict):
        return problems
    type_name = node.get("@type")
    assert type_name in parents, f"{path}: {type_name!r} is not a schema.org type"
    lineage = _lineage(type_name, parents)
    for name, value in node.items():
        if name.startswith("@"):
            continue
        if name not in domains:
            problems.append(f"{path}.{name}: not a schema.org property")
        elif not domains[name] & lineage:
            problems.append(f"{path}.{name}: not a property of {type_name}")
        problems += _misused(value, domains, parents, f"{path}.{name}")
    return problems


def test_every_json_ld_property_belongs_to_its_type(client, article, board):
    publish(article, reviewers=board[:2])
    html = client.get(f"/articles/{article.slug}/", {"audience": "professional"}).content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    domains, parents = _vocabulary()

    assert data["@type"] == "MedicalWebPage"
    assert {"reviewedBy", "lastReviewed", "author", "citation", "datePublished", "about", "audience"} <= set(data)
    assert _misused(data, domains, parents) == []


def test_the_check_catches_a_wrong_property():
    domains, parents = _vocabulary()

    assert _misused({"@type": "Person", "lastReviewed": "2025"}, domains, parents) == [
        "$.lastReviewed: not a property of Person"
    ]
