"""``regwatch controls …``, ``regwatch obligations map|suggest`` and ``regwatch gaps``."""

from __future__ import annotations

from pathlib import Path

import typer

from crawlers.cli.common import DatabaseUrlOption, LocalActorOption, open_database, optional_actor
from crawlers.cli.output import FormatOption, OutputFormat, emit
from obligations import db

controls_app = typer.Typer(help="The control library.", no_args_is_help=True)
CONTROL_COLUMNS = ["id", "title", "owner", "topics", "status", "obligations"]
GAP_LIST_COLUMNS = [
    "id", "source_id", "jurisdiction", "status", "owner", "topics", "gap", "controls", "text",
]  # fmt: skip
SUGGESTION_COLUMNS = ["rank", "control_id", "title", "owner", "score", "reasons", "decision"]


@controls_app.command("import")
def controls_import(
    file: Path = typer.Argument(..., help="A CSV, XLSX or OSCAL catalog JSON file."),
    acting_user: str | None = LocalActorOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Import a control library; all-or-nothing; an existing id is updated."""
    from obligations.services.controls import import_controls

    open_database(database_url)
    with db.session_scope() as session:
        summary = import_controls(session, file, optional_actor(session, acting_user))
    typer.echo(
        f"imported {summary.total} controls from {file}: {len(summary.created)} created, "
        f"{len(summary.updated)} updated, {len(summary.unchanged)} unchanged"
    )


@controls_app.command("list")
def controls_list(
    status: str | None = typer.Option(None, "--status", help="active, draft or retired"),
    topic: str | None = typer.Option(None, "--topic"),
    owner: str | None = typer.Option(None, "--owner"),
    output_format: OutputFormat = FormatOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """The control library, with how many obligations each control covers."""
    from obligations.services.controls import list_controls

    open_database(database_url)
    with db.session_scope() as session:
        rows = list_controls(session, status=status, topic=topic, owner=owner)
    emit(rows, output_format, CONTROL_COLUMNS)


@controls_app.command("export")
def controls_export(
    file: Path = typer.Argument(..., help="Where to write: FILE.csv or FILE.xlsx."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Write the control library to a CSV or XLSX file (re-importable)."""
    from obligations.services.controls import export_controls

    open_database(database_url)
    with db.session_scope() as session:
        count = export_controls(session, file)
    typer.echo(f"exported {count} controls to {file}")


@controls_app.command("evaluate-mapping")
def controls_evaluate_mapping(
    pairs: Path | None = typer.Option(None, "--pairs", help="Labelled pairs JSONL."),
    controls: Path | None = typer.Option(None, "--controls", help="Control library file."),
    report: Path | None = typer.Option(None, "--report", help="Also write the report as JSON."),
) -> None:
    """Rank controls for each labelled obligation; print top-1/top-3 hit rates."""
    import json

    from obligations.mapping_eval import DEFAULT_CONTROLS, DEFAULT_PAIRS, evaluate_mapping

    result = evaluate_mapping(pairs or DEFAULT_PAIRS, controls or DEFAULT_CONTROLS)
    if report:
        report.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    summary = {key: value for key, value in result.items() if key != "misses_top3"}
    typer.echo(json.dumps(summary, ensure_ascii=False))


def obligations_map(
    obligation_id: int = typer.Argument(..., metavar="OBLIGATION_ID"),
    control_id: str = typer.Argument(..., metavar="CONTROL_ID"),
    partial: bool = typer.Option(False, "--partial", help="The control covers it only in part."),
    reject: bool = typer.Option(False, "--reject", help="Record that the control does not fit."),
    acting_user: str | None = LocalActorOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Map a control to an obligation (accept, or --reject a suggestion)."""
    from obligations.services.mapping import map_control

    open_database(database_url)
    with db.session_scope() as session:
        decision = map_control(
            session,
            optional_actor(session, acting_user),
            obligation_id,
            control_id,
            "partial" if partial else "full",
            accept=not reject,
        )
        typer.echo(
            f"obligation {obligation_id}: control {control_id} {decision.state}"
            + (f" ({decision.coverage} coverage)" if decision.state == "accepted" else "")
        )


def obligations_suggest(
    obligation_id: int = typer.Argument(..., metavar="ID"),
    limit: int = typer.Option(5, "--limit", min=1, max=50),
    output_format: OutputFormat = FormatOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Ranked control suggestions for an obligation, with the reasons."""
    from obligations.services.mapping import suggest_controls

    open_database(database_url)
    with db.session_scope() as session:
        rows = [
            s.as_row(rank)
            for rank, s in enumerate(suggest_controls(session, obligation_id, limit), 1)
        ]
    emit(rows, output_format, SUGGESTION_COLUMNS)


def gaps(
    by: list[str] = typer.Option(
        ["topic"], "--by", help="topic, source, jurisdiction or owner; repeat for a cross-tab."
    ),
    list_obligations: bool = typer.Option(
        False, "--list", help="List the obligations with gaps instead of counting them."
    ),
    topic: str | None = typer.Option(None, "--topic"),
    source: str | None = typer.Option(None, "--source"),
    jurisdiction: str | None = typer.Option(None, "--jurisdiction"),
    owner: str | None = typer.Option(None, "--owner"),
    kind: str | None = typer.Option(None, "--kind", help="unmapped or partial"),
    limit: int = typer.Option(1000, "--limit", min=1, help="Rows of --list."),
    export: Path | None = typer.Option(None, "--export", help="Also write FILE.csv or FILE.xlsx."),
    output_format: OutputFormat = FormatOption,
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Obligations with no accepted control, or only partial coverage, per topic, source,
    jurisdiction or owner (not-applicable and superseded obligations are left out)."""
    from obligations.exports import write_table
    from obligations.services.gaps import DIMENSIONS, GapFilter, gap_summary, list_gaps

    open_database(database_url)
    filters = GapFilter(topic, source, jurisdiction, owner, kind)
    with db.session_scope() as session:
        if list_obligations:
            rows = list_gaps(session, filters, limit=limit)
            columns = GAP_LIST_COLUMNS
        else:
            rows = gap_summary(session, by, filters)
            columns = [DIMENSIONS[d] for d in dict.fromkeys(by)] + ["unmapped", "partial", "gaps"]
    if export:
        count = write_table(export, columns, rows)
        typer.echo(f"wrote {count} rows to {export}", err=True)
    emit(rows, output_format, columns)


def register(app: typer.Typer, obligations_app: typer.Typer) -> None:
    """Add the control, mapping and gap commands to the ``regwatch`` app."""
    app.add_typer(controls_app, name="controls")
    obligations_app.command("map")(obligations_map)
    obligations_app.command("suggest")(obligations_suggest)
    app.command("gaps")(gaps)
