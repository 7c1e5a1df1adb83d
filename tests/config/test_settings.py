"""Settings: precedence of sources and one-line errors naming the field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scorehouse.config import Settings, SettingsError, config_file_location, example_config, load_settings
from scorehouse.jobs import cli


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch, tmp_path):
    for key in list(__import__("os").environ):
        if key.startswith("SCOREHOUSE_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def test_defaults():
    settings = load_settings()
    assert settings.warehouse_url == "duckdb:///warehouse.duckdb"
    assert settings.timezone == "UTC"
    assert settings.schedule.cron == "0 2 * * *"


def test_precedence_flags_over_env_over_dotenv_over_toml(monkeypatch, tmp_path):
    Path("scorehouse.toml").write_text('warehouse_threads = 3\nrandom_seed = 7\ntimezone = "Europe/Berlin"\n[training]\nn_cutoffs = 3\n')
    Path(".env").write_text("SCOREHOUSE_RANDOM_SEED=8\nSCOREHOUSE_TIMEZONE=Asia/Tokyo\n")
    monkeypatch.setenv("SCOREHOUSE_TIMEZONE", "America/New_York")
    settings = load_settings(warehouse_url="duckdb:///other.duckdb")
    assert settings.warehouse_threads == 3  # toml
    assert settings.training.n_cutoffs == 3  # toml, nested section
    assert settings.random_seed == 8  # .env beats toml
    assert settings.timezone == "America/New_York"  # env beats .env
    assert settings.warehouse_url == "duckdb:///other.duckdb"  # flag beats all


def test_nested_env_variable(monkeypatch):
    monkeypatch.setenv("SCOREHOUSE_TRAINING__N_CUTOFFS", "4")
    assert load_settings().training.n_cutoffs == 4


def test_explicit_config_file(tmp_path):
    path = tmp_path / "custom.toml"
    path.write_text('artifacts_dir = "models_here"\n')
    assert load_settings(path).artifacts_dir == Path("models_here")


def test_config_file_location_flag_over_variable_over_current_directory(monkeypatch, tmp_path):
    assert config_file_location() is None  # nothing in the current directory: defaults only
    Path("scorehouse.toml").write_text("random_seed = 1\n")
    Path("from_env.toml").write_text("random_seed = 2\n")
    Path("from_flag.toml").write_text("random_seed = 3\n")
    assert config_file_location() == Path("scorehouse.toml")
    assert load_settings().random_seed == 1
    monkeypatch.setenv("SCOREHOUSE_CONFIG_FILE", "from_env.toml")
    assert load_settings().random_seed == 2
    assert load_settings("from_flag.toml").random_seed == 3


def test_a_config_folder_in_the_current_directory_is_not_read():
    Path("config").mkdir()
    Path("config/scorehouse.toml").write_text("random_seed = 1\n")
    assert config_file_location() is None
    assert load_settings().random_seed == 42


def test_a_missing_file_named_by_the_variable_is_an_error(monkeypatch, tmp_path):
    Path("scorehouse.toml").write_text("random_seed = 1\n")
    monkeypatch.setenv("SCOREHOUSE_CONFIG_FILE", str(tmp_path / "absent.toml"))
    with pytest.raises(SettingsError, match=r"absent.toml \(from SCOREHOUSE_CONFIG_FILE\): not found"):
        load_settings()


def test_the_shipped_example_is_valid_and_states_the_defaults():
    assert "[training]" in example_config()
    Path("example.toml").write_text(example_config())
    assert load_settings("example.toml") == load_settings()


def test_init_config_writes_the_example_and_never_overwrites(capsys):
    assert cli.main(["init-config"]) == 0
    assert Path("scorehouse.toml").read_text() == example_config()
    assert "wrote scorehouse.toml" in capsys.readouterr().out
    Path("scorehouse.toml").write_text("random_seed = 5\n")
    assert cli.main(["init-config"]) != 0
    assert "scorehouse.toml already exists" in capsys.readouterr().err
    assert Path("scorehouse.toml").read_text() == "random_seed = 5\n"
    assert load_settings().random_seed == 5


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"warehouse_threads": 0}, "invalid setting warehouse_threads: Input should be greater than 0, got 0"),
        ({"horizon_days": 10}, "invalid settings: horizon_days is fixed at 30 days (the score columns are named _30d)"),
        ({"timezone": "Mars/Base"}, "invalid setting timezone: an IANA time zone"),
        ({"warehouse_url": "nonsense"}, "invalid setting warehouse_url: a SQLAlchemy URL"),
        ({"random_seed": -1}, "invalid setting random_seed"),
    ],
)
def test_bad_values_give_one_line_naming_the_field(overrides, expected):
    with pytest.raises(SettingsError) as caught:
        load_settings(**overrides)
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_bad_env_value_names_the_nested_field(monkeypatch):
    monkeypatch.setenv("SCOREHOUSE_TRAINING__N_CUTOFFS", "many")
    with pytest.raises(SettingsError, match=r"^invalid setting training.n_cutoffs: "):
        load_settings()


def test_bad_toml_value(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("horizon_days = -5\n")
    with pytest.raises(SettingsError, match="horizon_days"):
        load_settings(path)


def test_missing_config_file_is_an_error(tmp_path):
    with pytest.raises(SettingsError, match="not found"):
        load_settings(tmp_path / "absent.toml")


def test_unknown_setting_is_refused(tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text("horizon_dayz = 5\n")
    with pytest.raises(SettingsError, match="horizon_dayz"):
        load_settings(path)


def test_settings_can_be_built_directly():
    assert Settings(random_seed=14).random_seed == 14
    assert Settings(horizon_days=30).random_seed == 42  # the fixed horizon, as old config files say it


def test_cli_bad_setting_exits_nonzero_with_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scorehouse.jobs.cli", "features", "--warehouse", "nonsense"],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("scorehouse features: error: invalid setting warehouse_url")
    assert len([line for line in lines if "Traceback" in line]) == 0


def test_common_options_work_before_and_after_the_command_name():
    from scorehouse.jobs.cli import build_parser

    parser = build_parser()
    before = parser.parse_args(["--warehouse", "duckdb:///a.duckdb", "--log-level", "DEBUG", "train"])
    after = parser.parse_args(["train", "--warehouse", "duckdb:///b.duckdb"])
    neither = parser.parse_args(["train"])
    assert (before.warehouse, before.log_level) == ("duckdb:///a.duckdb", "DEBUG")
    assert (after.warehouse, after.log_level) == ("duckdb:///b.duckdb", "INFO")
    assert (neither.warehouse, neither.config, neither.artifacts_dir) == (None, None, None)
