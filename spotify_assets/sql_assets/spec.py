"""What a SQL-built table is: its grain, its columns, and the expectations its checks enforce.

A ``TableSpec`` is the one place a silver or gold table's columns are described. The asset factory
turns it into Dagster's ``dagster/column_schema`` metadata and ``COMMENT ON`` statements; the
DataHub export and the Markdown catalog read the same objects, so they stay importable and plain.
"""

from dataclasses import dataclass

from dagster import AssetKey, TableColumn, TableColumnConstraints, TableSchema

# PostgreSQL spellings a spec may use, mapped to what format_type() prints.
_TYPE_ALIASES = {
    "int": "integer",
    "int4": "integer",
    "int8": "bigint",
    "int2": "smallint",
    "float8": "double precision",
    "float4": "real",
    "bool": "boolean",
    "timestamptz": "timestamp with time zone",
    "timestamp": "timestamp without time zone",
    "varchar": "character varying",
}


def canonical_type(pg_type: str) -> str:
    """A type as PostgreSQL's ``format_type`` prints it (``timestamptz`` -> ``timestamp with time zone``)."""
    lowered = " ".join(pg_type.lower().split())
    return _TYPE_ALIASES.get(lowered, lowered)


def column(name: str, pg_type: str, description: str, *, nullable: bool = True) -> TableColumn:
    """A described, typed column; ``nullable=False`` is enforced by the table's checks."""
    return TableColumn(
        name=name,
        type=canonical_type(pg_type),
        description=description,
        constraints=TableColumnConstraints(nullable=nullable),
    )


@dataclass(frozen=True)
class ForeignKey:
    """``columns`` of this table must match ``referenced_columns`` of ``table`` (same layer)."""

    columns: tuple[str, ...]
    table: str
    referenced_columns: tuple[str, ...]


@dataclass(frozen=True)
class ValueRange:
    """Non-null values of ``column`` lie within the bounds (``exclusive_minimum``: strictly above)."""

    column: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False


@dataclass(frozen=True)
class AcceptedValues:
    """Non-null values of ``column`` are among ``values`` (the API adds enum values: a warning)."""

    column: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class TableSpec:
    """A table built by one SQL file: what one row is, its columns, keys and expectations.

    Attributes:
        layer: The schema layer (``silver``, ``gold``); also the asset group and key prefix.
        name: The table name; the asset key is ``[layer, name]``.
        description: One sentence stating the grain ("One row per ...").
        columns: The columns in table order, typed as PostgreSQL prints them, each described.
        primary_key: Columns whose values are unique; the non-nullable ones must also be set.
        foreign_keys: References to other tables of the same layer.
        value_ranges: Numeric bounds on columns (nulls pass).
        accepted_values: Known values of enum-like text columns (unknown ones warn).
        optional_fields: Columns fed by API fields that development-mode apps do not receive;
            their non-null share is tracked and a field that stops arriving warns.
        dates_not_in_future: Date or timestamp columns expected not to lie in the future (warns:
            Spotify lists pre-releases).
        accounted: Silver tables: the rows of the sources must equal rows out plus rows
            quarantined (the setup views provide both sides).
        count_by: Columns whose value combinations are counted into the materialization metadata.
        min_row_ratio: A materialization with fewer rows than this share of the previous one warns;
            None for tables whose shrinking is good news (the quarantine).
    """

    layer: str
    name: str
    description: str
    columns: tuple[TableColumn, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    value_ranges: tuple[ValueRange, ...] = ()
    accepted_values: tuple[AcceptedValues, ...] = ()
    optional_fields: tuple[str, ...] = ()
    dates_not_in_future: tuple[str, ...] = ()
    accounted: bool = False
    count_by: tuple[str, ...] = ()
    min_row_ratio: float | None = 0.5

    def __post_init__(self) -> None:
        names = [col.name for col in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.layer}.{self.name}: duplicate column names in {names}.")
        if not self.primary_key:
            raise ValueError(f"{self.layer}.{self.name}: a primary key is required.")
        referenced = [
            *self.primary_key,
            *(name for fk in self.foreign_keys for name in fk.columns),
            *(rule.column for rule in self.value_ranges),
            *(rule.column for rule in self.accepted_values),
            *self.optional_fields,
            *self.dates_not_in_future,
            *self.count_by,
        ]
        unknown = sorted({name for name in referenced if name not in names})
        if unknown:
            raise ValueError(
                f"{self.layer}.{self.name}: {unknown} are not columns of the spec ({names})."
            )
        for fk in self.foreign_keys:
            if len(fk.columns) != len(fk.referenced_columns):
                raise ValueError(
                    f"{self.layer}.{self.name}: foreign key {fk.columns} -> {fk.table}"
                    f"{fk.referenced_columns} pairs columns of different counts."
                )
        undescribed = [col.name for col in self.columns if not col.description]
        if undescribed or not self.description:
            raise ValueError(
                f"{self.layer}.{self.name}: the table and every column need a description "
                f"(missing for {undescribed or 'the table'})."
            )

    @property
    def key(self) -> AssetKey:
        return AssetKey([self.layer, self.name])

    @property
    def column_schema(self) -> TableSchema:
        return TableSchema(columns=list(self.columns))

    @property
    def column_types(self) -> list[tuple[str, str]]:
        return [(col.name, col.type) for col in self.columns]

    @property
    def column_descriptions(self) -> dict[str, str]:
        return {col.name: col.description for col in self.columns if col.description}

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Columns declared non-nullable, in table order."""
        return tuple(col.name for col in self.columns if not col.constraints.nullable)

    def column_named(self, name: str) -> TableColumn:
        return next(col for col in self.columns if col.name == name)

    def predicate(self, plural: str, singular: str) -> str:
        """A check name reading as a sentence: ``tracks_have``, ``artist_summary_has``."""
        return f"{self.name}_{plural if self.name.endswith('s') else singular}"
