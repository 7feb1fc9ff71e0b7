"""Hypothesis profiles for the fuzz tests: bounded by default, long behind LABSTORIES_LONG_FUZZ=1.

Imported by each fuzz module (``tests/*/test_*_fuzz.py``) rather than kept in a
``conftest.py``: a second ``conftest`` module on ``sys.path`` would shadow
``tests/conftest.py`` for the tests that import from it (``from conftest import DATA``).

The default profile keeps the fuzz modules under a minute on two cores (50
examples per test, no per-example deadline: a shared CI machine stalls).
``LABSTORIES_LONG_FUZZ=1 python -m pytest -k fuzz`` runs 2,000 per test.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "bounded",
    max_examples=50,
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
settings.load_profile("long" if os.environ.get("LABSTORIES_LONG_FUZZ") == "1" else "bounded")
