"""The made-up facet counts the ui unit tests read values against (follow-ups and URL parameters).

Imported by tests/ui/test_followups_rules.py, tests/ui/test_filters_rule.py and tests/ui/test_params.py
(``from facets_support import FACETS``); ``PLACES`` is each country's continent, as the follow-ups read them.
"""

from __future__ import annotations

FACETS = {
    "principles": {"Trust": 55, "Recognize local expertise": 300, "Diversity": 30, "Inclusivity and diversity": 50},
    "tactics": {"Getting in there": 80},
    "tools": {"Design": 40, "Human centered design": 20},
    "skills": {},
    "country": {"Peru": 1, "South Sudan": 2, "Sudan": 1, "South Africa": 1, "Mexico": 3},
    "continent": {"Africa": 35, "South America": 9, "North America": 10},
    "role": {"Experimenter": 30, "Explorer": 20, "Solutions Mapper": 30},
}

PLACES = {
    "Peru": "South America",
    "South Sudan": "Africa",
    "Sudan": "Africa",
    "South Africa": "Africa",
    "Mexico": "North America",
}
