"""Settings are declared once (dashboard/config.py SETTINGS), read through config, documented.

Datasette's tests/test_docs.py habit: the docs cannot forget a setting, and no module can
read one nobody declared.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard import config
from dashboard.config import DECLARED, PROJECT_ROOT, SETTINGS, Settings, env, env_int, env_path

README = PROJECT_ROOT / "README.md"
NAME = re.compile(r"\bDASHBOARD_[A-Z0-9_]+\b")
# A read of a setting: os.environ.get("X"), os.environ["X"], os.getenv("X"), or config's
# env("X"), env_int("X"), env_flag("X"), ...
ENV_READ = re.compile(
    r"""(?:environ(?:\.get)?|getenv|\benv(?:_[a-z]+)?)\s*[\[(]\s*["'](DASHBOARD_[A-Z0-9_]+)"""
)
# The only module allowed to touch os.environ itself.
READS_ENV_DIRECTLY = {"dashboard/config.py"}


def app_sources() -> dict[str, str]:
    files = [*sorted((PROJECT_ROOT / "dashboard").rglob("*.py")), PROJECT_ROOT / "app.py"]
    return {
        str(f.relative_to(PROJECT_ROOT)): f.read_text(encoding="utf-8") for f in files if f.exists()
    }


def readme_settings() -> dict[str, str]:
    """The README's "## Settings" table: name -> default column."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## Settings\n(.*?)(?=^## )", text, re.MULTILINE | re.DOTALL)
    assert match, "README.md has no '## Settings' section"
    rows = re.findall(r"^\| `(DASHBOARD_[A-Z0-9_]+)` \| ([^|]*) \|", match.group(1), re.MULTILINE)
    return {name: default.strip() for name, default in rows}


def test_settings_are_declared_once() -> None:
    names = [s.name for s in SETTINGS]
    assert len(names) == len(set(names))
    assert all(NAME.fullmatch(n) and s.help for n, s in DECLARED.items())


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_in_the_readme_with_its_default(setting: config.Setting) -> None:
    documented = readme_settings()
    assert setting.name in documented, f"README.md's Settings table forgets {setting.name}"
    assert documented[setting.name] == (f"`{setting.default}`" if setting.default else "(none)")


def test_the_readme_documents_no_setting_that_does_not_exist() -> None:
    assert set(readme_settings()) <= set(DECLARED)


def test_every_environment_read_in_the_app_is_a_declared_setting() -> None:
    read = {(path, name) for path, text in app_sources().items() for name in ENV_READ.findall(text)}
    assert read, "the grep found no reads at all: has config.py stopped reading os.environ?"
    assert {(p, n) for p, n in read if n not in DECLARED} == set()


def test_every_dashboard_name_the_code_mentions_is_declared() -> None:
    """Catches reads through a constant (KEY_ENV = "DASHBOARD_...") and typos in messages."""
    mentioned = {(path, n) for path, text in app_sources().items() for n in NAME.findall(text)}
    assert {(p, n) for p, n in mentioned if n not in DECLARED} == set()


def test_only_config_reads_the_environment() -> None:
    direct = {p for p, text in app_sources().items() if re.search(r"\bos\.environ\b|getenv", text)}
    assert direct <= READS_ENV_DIRECTLY


def test_unset_or_empty_means_the_default(monkeypatch) -> None:
    monkeypatch.setenv("DASHBOARD_WORKERS", "")
    assert env_int("DASHBOARD_WORKERS") == 2
    monkeypatch.setenv("DASHBOARD_WORKERS", "3")
    assert env_int("DASHBOARD_WORKERS") == 3
    monkeypatch.delenv("DASHBOARD_APP_STATE", raising=False)
    assert env_path("DASHBOARD_APP_STATE") == PROJECT_ROOT / "data" / "app-state"
    monkeypatch.setenv("DASHBOARD_APP_STATE", "elsewhere")
    assert env_path("DASHBOARD_APP_STATE") == Path("elsewhere")


def test_an_undeclared_name_or_a_bad_number_is_a_clear_error(monkeypatch) -> None:
    with pytest.raises(KeyError, match="not a declared setting"):
        env("DASHBOARD_NOPE")
    monkeypatch.setenv("DASHBOARD_K", "eleven")
    with pytest.raises(ValueError, match="DASHBOARD_K must be a whole number"):
        Settings.from_env()
    monkeypatch.setenv("DASHBOARD_K", "1")
    with pytest.raises(ValueError, match="at least 2"):
        Settings.from_env()


def test_settings_from_env(monkeypatch, tmp_path: Path) -> None:
    for name in DECLARED:
        monkeypatch.delenv(name, raising=False)
    default = Settings.from_env()
    assert (default.warehouse, default.k, default.query_timeout_s) == (
        config.DEFAULT_WAREHOUSE,
        11,
        5.0,
    )
    assert (default.embed_origins, default.cache_dir) == ("*", PROJECT_ROOT / "data" / "cache")
    monkeypatch.setenv("DASHBOARD_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", "off")
    monkeypatch.setenv("DASHBOARD_PUBLIC_ONLY", "1")
    assert Settings.from_env().warehouse == tmp_path / "w.duckdb"
    assert Settings.from_env("given.duckdb").warehouse == Path("given.duckdb")
    assert Settings.from_env().cache_dir is None
    assert config.public_only()
