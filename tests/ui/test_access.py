"""Who may use a shared app (ui/access.py): user:password pairs from flags and a file."""

from __future__ import annotations

import pytest

from labstories.ui.access import AccessError, credentials


def test_credentials_from_flags_and_file(tmp_path):
    path = tmp_path / "users"
    path.write_text("# team\nalice:s3cret\n\nbob: with:colon \n", "utf-8")
    assert credentials(("carol:pw",), path) == [("carol", "pw"), ("alice", "s3cret"), ("bob", " with:colon")]
    for bad in (("nocolon",), (":pw",), ("user:",)):
        with pytest.raises(AccessError):
            credentials(bad)
    with pytest.raises(AccessError, match="cannot read"):
        credentials((), tmp_path / "missing")
    (tmp_path / "empty").write_text("# nobody\n", "utf-8")
    with pytest.raises(AccessError, match="no user:password"):
        credentials((), tmp_path / "empty")
