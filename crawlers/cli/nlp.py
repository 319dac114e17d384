"""``regwatch nlp train|evaluate``: build the shipped classifiers and score them."""

from __future__ import annotations

import json
from pathlib import Path

import typer

nlp_app = typer.Typer(help="Train and evaluate the extraction models.", no_args_is_help=True)


@nlp_app.command("train")
def train(
    output: Path | None = typer.Option(
        None, "--output", help="Where to write <lang>/ (default: the package's trained/)."
    ),
    data: Path | None = typer.Option(None, "--data", help="Training data folder (en/, zh/)."),
    lang: list[str] = typer.Option([], "--lang", help="Only this language (repeatable)."),
    seed: int = typer.Option(7, "--seed"),
    epochs: int = typer.Option(12, "--epochs", min=1),
) -> None:
    """Train the modality and topic classifiers on the train splits (seeded) and package them."""
    from obligations.errors import ConfigError
    from obligations.nlp.pipeline import TRAINED_DIR
    from obligations.nlp.training import DATA_DIR, LANGUAGES, TrainingSettings, package_models

    unknown = [language for language in lang if language not in LANGUAGES]
    if unknown:
        raise ConfigError(f"--lang must be en or zh, not {unknown[0]!r}")
    settings = TrainingSettings(seed=seed, epochs=epochs)
    target = output or TRAINED_DIR
    trained = package_models(target, settings, lang or LANGUAGES, data or DATA_DIR)
    for language, sentences in trained.items():
        typer.echo(f"{language}: trained on {sentences} sentences -> {target / language}", err=True)


def _table(metrics: dict[str, dict]) -> str:
    lines = []
    for language, scores in metrics.items():
        lines.append(
            f"[{language}] sentences={scores['sentences']} "
            f"normative_f1={scores['normative_f1']:.3f} "
            f"modality_accuracy={scores['modality_accuracy']:.3f} "
            f"topic_micro_f1={scores['topic_micro_f1']:.3f}"
        )
        lines.append(f"  {'label':<34}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>9}")
        groups = [
            ("", {"normative": scores["normative"]}),
            ("modality:", scores["modality"]),
            ("topic:", scores["topics"]),
        ]
        for prefix, rows in groups:
            for label, row in rows.items():
                lines.append(
                    f"  {prefix + label:<34}{row['precision']:>10.3f}{row['recall']:>10.3f}"
                    f"{row['f1']:>10.3f}{row['support']:>9}"
                )
    return "\n".join(lines)


@nlp_app.command("evaluate")
def evaluate(
    files: list[Path] = typer.Argument(
        None, metavar="[FILE]...", help="Labelled JSONL (default: the held-out splits)."
    ),
    model: Path | None = typer.Option(
        None, "--model", help="Folder with en/ and zh/ (default: the shipped models)."
    ),
    rules_only: bool = typer.Option(False, "--rules-only", help="Score the rules alone."),
    json_path: Path | None = typer.Option(None, "--json", help="Also write the metrics here."),
) -> None:
    """Precision/recall/F1 per modality and topic, normative F1, modality accuracy."""
    from obligations.errors import ConfigError
    from obligations.nlp.evaluation import evaluate as score
    from obligations.nlp.pipeline import TRAINED_DIR, default_classifier
    from obligations.nlp.training import LANGUAGES, read_labelled, read_split

    if files:
        rows = [row for path in files for row in read_labelled(path)]
    else:
        rows = [row for language in LANGUAGES for row in read_split(language, "heldout")]
    if not rows:
        raise ConfigError("no labelled sentences to evaluate")
    classifier = None
    if not rules_only:
        classifier = default_classifier(model or TRAINED_DIR)
        if classifier is None:
            raise ConfigError(f"no trained model in {model or TRAINED_DIR}; run regwatch nlp train")
    metrics = score(classifier, rows)
    typer.echo(_table(metrics))
    if json_path is not None:
        json_path.write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n", "utf-8")
