"""The server-side SVG charts: well-formed, accessible, with explicit fonts for WeasyPrint."""

import xml.etree.ElementTree as ET
from decimal import Decimal

from pilotage.charts import bar_chart, share_chart, shares

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    assert markup.startswith("<svg")
    return ET.fromstring(markup)  # noqa: S314 (our own markup)


def texts(root) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def assert_accessible(root, title: str):
    assert root.get("role") == "img"
    assert root.get("aria-label") == title
    assert root.find(f"{SVG}title").text == title
    for node in root.iter(f"{SVG}text"):
        assert "Liberation Sans" in node.get("font-family")


def test_bar_chart_draws_one_bar_per_label_with_its_french_value():
    root = parse(
        bar_chart(
            "PME par secteur",
            [("Industrie", 15), ("Services", 7), ("Construction", 0)],
            unit="count",
        )
    )
    assert_accessible(root, "PME par secteur")
    bars = list(root.iter(f"{SVG}rect"))
    assert len(bars) == 3
    widths = [float(rect.get("width")) for rect in bars]
    assert widths[0] > widths[1] > widths[2] == 0
    assert {"Industrie", "Services", "15", "7", "0"} <= set(texts(root))
    assert root.find(f"{SVG}desc").text == "Industrie : 15; Services : 7; Construction : 0"


def test_bar_chart_compares_with_a_second_series_matched_by_label():
    root = parse(
        bar_chart(
            "Budget",
            [("État", Decimal("200000.00")), ("FSE", Decimal("138000.00"))],
            unit="eur",
            compare=[("FSE", Decimal("100000.00"))],
            names=("2008–2011", "2005–2008"),
        )
    )
    values = texts(root)
    assert {"2008–2011", "2005–2008"} <= set(values)
    assert any(value.startswith("200") and value.endswith("€") for value in values)
    assert any(value.startswith("100") and value.endswith("€") for value in values)
    assert "—" in values  # no comparison figure for the State


def test_labels_are_escaped_and_long_ones_shortened():
    label = "<script>alert(1)</script> Réseau partenaire (plateforme d'initiative locale)"
    markup = bar_chart("Origine & source", [(label, 3)], unit="count")
    assert "<script>" not in markup
    root = parse(markup)
    assert root.get("aria-label") == "Origine & source"
    shown = next(text for text in texts(root) if "script" in text)
    assert shown.endswith("…") and len(shown) <= 34


def test_empty_series_say_so():
    for markup in (bar_chart("Rien", [], unit="count"), share_chart("Rien", [("A", 0)])):
        root = parse(markup)
        assert "Aucune donnée pour cette période." in texts(root)


def test_share_chart_shows_each_part_of_the_total():
    series = [("Grandes entreprises", Decimal("545000")), ("Collectivités", Decimal("87000"))]
    series.append(("État et autres", Decimal("458000")))
    root = parse(share_chart("Budget par nature", series))
    assert_accessible(root, "Budget par nature")
    assert "Grandes entreprises : 50,0\u00a0%" in texts(root)
    assert "Collectivités : 8,0\u00a0%" in texts(root)
    segments = [rect for rect in root.iter(f"{SVG}rect") if rect.get("height") == "28"]
    assert len(segments) == 3
    assert round(sum(float(rect.get("width")) for rect in segments)) == 640
    assert [share for _, _, share in shares(series)] == [
        Decimal("50.0"),
        Decimal("8.0"),
        Decimal("42.0"),
    ]
