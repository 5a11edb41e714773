"""Places people type, over HTTP (issue 11, point 8): municipality names and districts
resolve, an unknown place is a 422 on `near` that suggests names (never resolves to one),
and the origin's label is in the request's language."""

from __future__ import annotations

import pytest

from tests.conftest import needs_geodata
from tests.helpers import assert_error_shape

pytestmark = needs_geodata


def search(client, **params):
    return client.get("/v1/search", query_string={"care": "gp", **params})


@pytest.mark.parametrize("near", ["Texel", "Sittard-Geleen", "Súdwest-Fryslân"])
def test_municipalities_resolve(client, near):
    response = search(client, near=near)
    assert response.status_code == 200, response.get_json()
    origin = response.get_json()["query"]["origin"]
    assert (origin["resolved_from"], origin["precision"], origin["label"]) == (
        "place",
        "place",
        near,
    )


@pytest.mark.parametrize(
    ("near", "label"),
    [("Scheveningen", "Scheveningen"), ("Osdorp, Amsterdam", "Osdorp, Amsterdam")],
)
def test_districts_resolve(client, near, label):
    response = search(client, near=near)
    assert response.status_code == 200
    assert response.get_json()["query"]["origin"]["label"] == label


def test_an_unknown_place_suggests_names_and_is_never_resolved(client):
    body = assert_error_shape(search(client, near="Amsterdm"), 422, "near")
    message = body["errors"]["near"][0]
    assert "Unknown place 'Amsterdm'" in message and "Did you mean: Amsterdam" in message


def test_nothing_close_is_a_422_without_suggestions(client):
    body = assert_error_shape(search(client, near="Xyzzyville"), 422, "near")
    assert "Did you mean" not in body["errors"]["near"][0]


@pytest.mark.parametrize(("lang", "label"), [("nl", "Den Haag"), ("en", "The Hague")])
def test_the_origin_label_is_in_the_request_language(client, lang, label):
    for near in ("den haag", "The Hague"):
        body = search(client, near=near, lang=lang).get_json()
        assert body["query"]["origin"]["label"] == label
    assert search(client, near="den haag").get_json()["query"]["origin"]["label"] == "Den Haag"


def test_the_suggestions_are_in_the_request_language(client):
    body = assert_error_shape(search(client, near="Den Haa", lang="en"), 422, "near")
    assert "The Hague" in body["errors"]["near"][0]
