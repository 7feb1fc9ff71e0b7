"""One settings object (index/settings.py): environment then flags, one-line errors that name the
variable or the flag, each setting declared once."""

from __future__ import annotations

from pathlib import Path

import pytest

from labstories.index import Settings, SettingsError


def test_settings_env_then_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("LABSTORIES_K", "5")
    monkeypatch.setenv("LABSTORIES_BATCH_SIZE", "8")
    settings = Settings.load()
    assert (settings.k, settings.batch_size, settings.data_dir) == (5, 8, tmp_path / "labstories-data")
    assert Settings.load(k=7, data_dir=str(tmp_path / "x")).k == 7
    assert Settings.load(k=None).k == 5
    assert Settings.load(data_dir="~/idx").data_dir == Path("~/idx").expanduser()


def test_concurrency_setting(monkeypatch):
    assert Settings.load().concurrency == 4  # the measured choice for a 2-core machine (README)
    monkeypatch.setenv("LABSTORIES_CONCURRENCY", "6")
    assert Settings.load().concurrency == 6
    assert Settings.load(concurrency=3).concurrency == 3


@pytest.mark.parametrize(
    "env, value, message",
    [
        ("LABSTORIES_K", "ten", "LABSTORIES_K of 'ten' must be a whole number"),
        ("LABSTORIES_K", "0", "LABSTORIES_K of 0 is out of range; use 1 to 1000"),
        ("LABSTORIES_BATCH_SIZE", "0", "LABSTORIES_BATCH_SIZE of 0 is out of range; use 1 to 4096"),
        ("LABSTORIES_PORT", "70000", "LABSTORIES_PORT of 70000 is out of range; use 1 to 65535"),
        (
            "LABSTORIES_CHROMA_URL",
            "ftp://host:1",
            "LABSTORIES_CHROMA_URL of 'ftp://host:1' is not an http(s) address; use http://host:port",
        ),
        ("LABSTORIES_CONCURRENCY", "0", "LABSTORIES_CONCURRENCY of 0 is too small; use at least 1"),
        (
            "LABSTORIES_EMBED_BACKEND",
            "gpu",
            "LABSTORIES_EMBED_BACKEND of 'gpu' is not a backend; use torch or onnx-int8",
        ),
    ],
)
def test_settings_errors(monkeypatch, env, value, message):
    monkeypatch.setenv(env, value)
    with pytest.raises(SettingsError, match=f"^{message.replace('(', '[(]').replace(')', '[)]')}$"):
        Settings.load()


def test_a_flag_error_names_the_flag():
    with pytest.raises(SettingsError, match=r"^--k of 5000 is out of range; use 1 to 1000$") as raised:
        Settings.load(k="5000")
    assert (raised.value.setting, raised.value.value) == ("k", 5000)


def test_every_setting_is_declared_once_with_its_type():
    from labstories.index.settings import SETTINGS

    kinds = {s.name: s.type for s in SETTINGS}
    assert kinds["k"] is int and kinds["data_dir"] is Path and kinds["chroma_url"] is str
    assert all(s.env.startswith("LABSTORIES_") and s.help.endswith(".") for s in SETTINGS)
    assert Settings() == Settings(**{s.name: s.default for s in SETTINGS})


def test_corpus_setting_reads_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("LABSTORIES_CORPUS", str(tmp_path / "mine"))
    assert Settings.load().corpus == str(tmp_path / "mine")
    assert Settings.load(corpus=str(tmp_path / "flag")).corpus == str(tmp_path / "flag")
