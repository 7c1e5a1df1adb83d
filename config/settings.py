"""Typed settings for every scorehouse command.

Precedence, highest first: CLI flags (passed as keyword arguments), ``SCOREHOUSE_*`` environment
variables, a ``.env`` file, one TOML file, then the defaults below. Nested sections are plain
``BaseModel``s (a nested ``BaseSettings`` would ignore ``.env``); in the environment they use ``__``,
e.g. ``SCOREHOUSE_TRAINING__N_CUTOFFS=4``.

The TOML file is the first of: ``--config FILE``, the file named by ``SCOREHOUSE_CONFIG_FILE``, and
``scorehouse.toml`` in the current directory (used only if it exists). A file named by the flag or the
variable must exist. The package ships a commented example (:func:`example_config`), which
``scorehouse init-config`` copies to ``./scorehouse.toml``.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, PositiveInt, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from scorehouse.config.errors import ScorehouseError

DEFAULT_CONFIG_FILE = Path("scorehouse.toml")  # relative: the directory scorehouse runs in
CONFIG_FILE_VARIABLE = "SCOREHOUSE_CONFIG_FILE"
EXAMPLE_CONFIG = "scorehouse.example.toml"  # package data of scorehouse.config
# The file ``load_settings`` chose for the ``Settings`` it is building (``None``: not chosen by it).
_chosen_config_file: ContextVar[Path | None] = ContextVar("_chosen_config_file", default=None)
#: The prediction window: days D+1 .. D+30 after the as-of day D. Fixed, not a setting: the score
#: columns analysts query are named for it (``predicted_spend_30d``, ``purchase_probability_30d``).
HORIZON_DAYS = 30
#: URL backends a warehouse can be opened with (``duckdb:///...``, ``postgresql[+driver]://...``)
SUPPORTED_WAREHOUSES = ("duckdb", "postgresql")
_MEMORY_SIZE = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)


class SettingsError(ScorehouseError, ValueError):
    """A setting has a value scorehouse cannot use; the message is one line naming the field."""

    exit_code = 2


class TrainingSettings(BaseModel):
    """How training sets are cut and how champions are chosen."""

    n_cutoffs: PositiveInt = Field(6, description="training cutoffs (as-of dates) in the spine")
    cutoff_spacing_days: PositiveInt = Field(30, description="days between consecutive cutoffs")
    n_validation_cutoffs: PositiveInt = Field(2, description="latest cutoffs held out for validation")
    max_training_rows: PositiveInt = Field(
        200_000, description="sample the spine down to this many rows (deterministic)"
    )
    max_comparison_rows: PositiveInt = Field(
        100_000, description="candidates are compared on at most this many training rows per validation "
        "cutoff (a seeded sample); the winner is then fitted on the whole spine",
    )
    parallel_candidates: PositiveInt = Field(
        2, description="candidates evaluated at the same time (threads; results do not depend on it)"
    )
    spend_metric: Literal["rmse", "mae", "r2", "spearman", "top_decile_capture"] = "rmse"
    category_metric: Literal["log_loss", "accuracy", "top3_accuracy", "macro_f1"] = "log_loss"
    retrain_every_days: PositiveInt = Field(7, description="retrain cadence of the nightly run")
    drift_threshold: float = Field(
        0.25, gt=0, description="population stability index that forces a retrain"
    )


class ScheduleSettings(BaseModel):
    """When the nightly job fires and how it catches up."""

    cron: str = Field("0 2 * * *", description="crontab expression (minute hour day month weekday)")
    misfire_grace_hours: PositiveInt = 6
    max_catch_up_days: PositiveInt = 7


class ScoringSettings(BaseModel):
    """How the nightly scoring streams and exports."""

    batch_size: PositiveInt = Field(200_000, description="customers scored per batch")
    export_dir: Path | None = Field(None, description="write each run's scores as Parquet here")
    serving_copy: bool = Field(
        True, description="after each successful nightly run, publish a read-only copy for readers "
        "beside a DuckDB warehouse (warehouse.serving.duckdb next to warehouse.duckdb; none for :memory:)",
    )


class IngestSettings(BaseModel):
    """Validation rules for incoming rows."""

    categories: list[str] | None = Field(
        None, description="allowed product categories; rows with another category are rejected"
    )


class Settings(BaseSettings):
    """Everything a scorehouse command needs to know, validated at start-up."""

    model_config = SettingsConfigDict(
        env_prefix="SCOREHOUSE_",
        env_file=".env",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    warehouse_url: str = Field(
        "duckdb:///warehouse.duckdb", description="SQLAlchemy URL of the warehouse"
    )
    warehouse_memory_limit: str | None = Field(
        None,
        description="DuckDB memory_limit of the warehouse connection, e.g. '1GB' (None: DuckDB's "
        "default, a buffer pool that may grow to 80% of RAM); above it DuckDB spills to disk",
    )
    warehouse_threads: PositiveInt | None = Field(
        None, description="DuckDB threads of the warehouse connection (None: one per core)"
    )
    artifacts_dir: Path = Field(Path("artifacts"), description="where trained models are saved")
    random_seed: int = Field(42, ge=0, description="seed for every random choice")
    timezone: str = Field("UTC", description="IANA zone deciding what 'yesterday' is")
    training: TrainingSettings = TrainingSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    scoring: ScoringSettings = ScoringSettings()
    ingest: IngestSettings = IngestSettings()

    @model_validator(mode="before")
    @classmethod
    def _fixed_horizon(cls, data: Any) -> Any:
        if isinstance(data, dict) and "horizon_days" in data:
            if str(data["horizon_days"]) != str(HORIZON_DAYS):
                raise ValueError(
                    f"horizon_days is fixed at {HORIZON_DAYS} days (the score columns are named _30d), "
                    f"got {data['horizon_days']!r}"
                )
            data = {key: value for key, value in data.items() if key != "horizon_days"}
        return data

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"an IANA time zone such as 'Europe/Berlin', got {value!r}") from None
        return value

    @field_validator("warehouse_memory_limit")
    @classmethod
    def _memory_size(cls, value: str | None) -> str | None:
        if value is not None and not _MEMORY_SIZE.match(value):
            raise ValueError(f"a memory size such as '1GB' or '512MiB', got {value!r}")
        return value

    @field_validator("warehouse_url")
    @classmethod
    def _supported_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(f"a SQLAlchemy URL such as 'duckdb:///warehouse.duckdb', got {value!r}") from None
        if url.get_backend_name() not in SUPPORTED_WAREHOUSES:
            shown = url.render_as_string(hide_password=True)
            raise ValueError(
                f"a duckdb:///path or postgresql+psycopg://user@host:port/db URL, got {shown!r}"
            )
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = _chosen_config_file.get() or config_file_location()
        sources = [init_settings, env_settings, dotenv_settings]
        if toml_file is not None and toml_file.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)


def config_file_location(config_file: str | Path | None = None) -> Path | None:
    """The TOML file to read: ``config_file`` (``--config``), else ``$SCOREHOUSE_CONFIG_FILE``, else
    ``./scorehouse.toml`` if it exists, else ``None`` (defaults, environment and flags only)."""
    if config_file is not None:
        return Path(config_file)
    if os.environ.get(CONFIG_FILE_VARIABLE):
        return Path(os.environ[CONFIG_FILE_VARIABLE])
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def example_config() -> str:
    """The commented example settings file shipped with the package."""
    return resources.files("scorehouse.config").joinpath(EXAMPLE_CONFIG).read_text(encoding="utf-8")


def write_example_config(path: str | Path = DEFAULT_CONFIG_FILE) -> Path:
    """Write :func:`example_config` to ``path``; refuse (``SettingsError``) if ``path`` exists."""
    path = Path(path)
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(example_config())
    except FileExistsError:
        raise SettingsError(f"{path} already exists; not overwriting it (edit it, or remove it first)") from None
    except OSError as error:
        raise SettingsError(f"cannot write {path}: {error.strerror}") from None
    return path


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Build validated settings, turning any bad value into one ``SettingsError`` line.

    ``config_file`` (``--config``) names the TOML file to read, see :func:`config_file_location`; a
    file named by it or by ``SCOREHOUSE_CONFIG_FILE`` that does not exist is an error (a silently
    ignored config file is worse than none). ``overrides`` are CLI flags; ``None`` values mean "flag
    not given" and are dropped.
    """
    overrides = {key: value for key, value in overrides.items() if value is not None}
    toml_file = config_file_location(config_file)
    if toml_file is not None and not toml_file.is_file():
        named_by = "--config" if config_file is not None else CONFIG_FILE_VARIABLE
        raise SettingsError(f"config file {toml_file} (from {named_by}): not found (expected a TOML file)")
    token = _chosen_config_file.set(toml_file)
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error)) from None
    except Exception as error:  # a TOML syntax error surfaces here
        where = f" in {toml_file}" if toml_file is not None else ""
        raise SettingsError(f"settings{where}: {error}") from None
    finally:
        _chosen_config_file.reset(token)


def describe_validation_error(error: ValidationError) -> str:
    """One line: which field is wrong, what was expected, what was given."""
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    extra = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    given = first.get("input")
    shown = "" if isinstance(given, dict) or "got" in message else f", got {given!r}"
    where = f"setting {field}" if field else "settings"
    return f"invalid {where}: {message}{shown}{extra}"
