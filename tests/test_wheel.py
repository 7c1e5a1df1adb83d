"""The built wheel installs one top-level name, ``scorehouse``, and works from any directory.

The wheel is built from a copy of the source tree (no stale ``build/``), installed with pip into a
fresh virtual environment (its modules and its ``scorehouse`` console script), and run from a
directory holding the user's own ``config.py`` and ``models/``, which must neither shadow nor be
shadowed by scorehouse. The dependencies are not downloaded again: a ``.pth`` file makes the test
environment's site-packages importable after the fresh environment's own (a ``.pth`` line adds a
path but runs no ``.pth`` file in it, so the test environment's editable scorehouse stays out).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis",
    "artifacts", "exports", "*.duckdb", "*.duckdb.*", "tests", "benchmarks",
)


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def built_wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(work / "dist"), str(source)],
         cwd=work, env=dict(os.environ))
    (wheel,) = (work / "dist").glob("scorehouse-*.whl")
    return wheel


@pytest.mark.slow
def test_the_wheel_holds_only_scorehouse_and_its_package_data(built_wheel):
    with zipfile.ZipFile(built_wheel) as archive:
        names = archive.namelist()
        dist_info = next(name.split("/")[0] for name in names if name.endswith(".dist-info/RECORD"))
        record = archive.read(f"{dist_info}/RECORD").decode()
        entry_points = archive.read(f"{dist_info}/entry_points.txt").decode()
    assert {name.split("/")[0] for name in names} == {"scorehouse", dist_info}
    assert {line.split(",")[0].split("/")[0] for line in record.splitlines() if line} == {"scorehouse", dist_info}
    assert "scorehouse/__init__.py" not in names  # a namespace package: the folders keep their place
    assert "scorehouse/config/scorehouse.example.toml" in names
    assert "scorehouse/sql/features/customer_rfm.sql" in names
    assert "scorehouse = scorehouse.jobs.cli:main" in entry_points


@pytest.mark.slow
def test_the_installed_wheel_runs_next_to_a_users_config_and_models(built_wheel, tmp_path):
    fresh = tmp_path / "fresh-venv"
    venv.create(fresh, with_pip=False, clear=True)
    python = fresh / "bin" / "python"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("SCOREHOUSE_", "PYTHON", "VIRTUAL_ENV"))}
    env["PYTHONNOUSERSITE"] = "1"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index",
          str(built_wheel)], cwd=tmp_path, env=env)
    fresh_site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           cwd=tmp_path, env=env).stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (fresh_site / "zz_test_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")

    user = tmp_path / "user-project"
    (user / "models").mkdir(parents=True)
    (user / "config.py").write_text('WHO = "the user\'s config.py"\n')
    (user / "models" / "__init__.py").write_text('WHO = "the user\'s models/"\n')

    help_text = _run([str(fresh / "bin" / "scorehouse"), "--help"], cwd=user, env=env).stdout
    assert help_text.startswith("usage: scorehouse") and "init-config" in help_text

    imported = _run([str(python), "-c", (
        "import scorehouse.models, scorehouse.config, config, models; "
        "print(scorehouse.models.__file__); print(scorehouse.config.__file__); print(config.WHO); print(models.WHO)"
    )], cwd=user, env=env).stdout.splitlines()
    assert all(Path(path).is_relative_to(fresh_site / "scorehouse") for path in imported[:2]), imported
    assert imported[2:] == ["the user's config.py", "the user's models/"]

    _run([str(fresh / "bin" / "scorehouse"), "init-config"], cwd=user, env=env)
    assert "[training]" in (user / "scorehouse.toml").read_text()
