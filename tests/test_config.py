"""Bad configuration stops with exit 2 and the field's path; nothing is attempted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

GOOD_ACCOUNT = {"name": "cfa-paris", "portal": "atlas", "username": "a@cfa.fr",
                "password_env": "KR_TEST_PASSWORD"}


def run(tmp_path: Path, config: dict, *args: str, env: dict | None = None):
    path = tmp_path / "key-retriever.yaml"
    path.write_text(yaml.safe_dump(config))
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("KEY_RETRIEVER_")}
    full_env.update({"KR_TEST_PASSWORD": "pw", **(env or {})})
    return subprocess.run([sys.executable, "-m", "retrievers", *(args or ("run",)),
                           "--config", str(path)],
                          env=full_env, capture_output=True, text=True, timeout=60, cwd=tmp_path)


@pytest.mark.parametrize(
    ("accounts", "where", "what"),
    [
        ([{**GOOD_ACCOUNT, "portal": "opco-nope"}], "accounts[0].portal", "unknown portal"),
        ([GOOD_ACCOUNT, GOOD_ACCOUNT], "accounts[1].name", "duplicate account"),
        ([{**GOOD_ACCOUNT, "password_env": "KR_UNSET_VARIABLE"}], "accounts[0].password_env",
         "KR_UNSET_VARIABLE is not set"),
        ([{**GOOD_ACCOUNT, "siret": "1234 5678"}], "accounts[0].siret", "14 digits"),
        ([{**GOOD_ACCOUNT, "pasword_env": "X"}], "accounts[0].pasword_env", "not permitted"),
        ([{**GOOD_ACCOUNT, "portal": "ocapiat", "options": {"lifetime_months": 9}}],
         "accounts[0].options.lifetime_months", "less than or equal to 6"),
    ],
)
def test_bad_configuration_exits_2_naming_the_field(
    tmp_path: Path, accounts: list, where: str, what: str
) -> None:
    done = run(tmp_path, {"accounts": accounts,
                          "browser": {"executable_path": "/nonexistent/chromium-never-used"}})

    assert done.returncode == 2, done.stderr
    assert where in done.stderr and what in done.stderr
    assert str(tmp_path / "key-retriever.yaml") in done.stderr
    assert not (tmp_path / "key-retriever.state.sqlite").exists()  # nothing attempted


def test_environment_overrides_the_file_with_its_path(tmp_path: Path) -> None:
    done = run(tmp_path, {"accounts": [GOOD_ACCOUNT]}, "status",
               env={"KEY_RETRIEVER_STORE__BACKEND": "floppy"})
    assert done.returncode == 2
    assert "store.backend" in done.stderr


def test_unknown_portal_argument_is_bad_usage(tmp_path: Path) -> None:
    done = run(tmp_path, {"accounts": [GOOD_ACCOUNT]}, "run", "nope")
    assert done.returncode == 2
    assert "nope" in done.stderr


def test_missing_configuration_file_is_bad_usage(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "retrievers", "run", "--config",
                           str(tmp_path / "absent.yaml")], capture_output=True, text=True)
    assert done.returncode == 2
    assert "absent.yaml" in done.stderr
