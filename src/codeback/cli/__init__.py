"""The command line: thin commands over the stages. Data goes to stdout, status to stderr.

Heavy modules are imported inside commands so `codeback --help` stays instant.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

def Flag(*names: str, **kw):  # noqa: N802 - used like typer.Option
    """A boolean option; typer would print `<bool>` after it, as if it took a value."""
    return typer.Option(*names, metavar="", **kw)


app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Back-translate a repository into grounded instruction-tuning data.")
specs_app = typer.Typer(add_completion=False, help="List and print agent specs.")
app.add_typer(specs_app, name="specs")

DEFAULT_SPEC = "svix-backoff-jitter"


def sample_repo() -> Path:
    from importlib import resources

    return Path(str(resources.files("codeback").joinpath("sample", "webhook-delivery")))


def main() -> None:
    from ..errors import CodebackError

    try:
        app()
    except CodebackError as e:
        print(f"codeback: error: {e}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("codeback: interrupted; every line written so far is whole, re-run to resume",
              file=sys.stderr)
        sys.exit(130)


Repo = Annotated[Optional[str], typer.Option("--repo", "-r", help="Local checkout or git URL (default: the bundled sample).")]
Specs = Annotated[Optional[list[str]], typer.Option("--spec", "-s", help="Built-in spec name or TOML path; repeat for sibling agents.")]


@app.command()
def run(
    repo: Repo = None,
    spec: Specs = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Output JSONL (default: the spec's).")] = None,
    discover: Annotated[bool, Flag("--discover/--no-discover", help="Search the repository when the seed files hold nothing for the topic.")] = True,
    seed: Annotated[Optional[int], typer.Option(help="Seed for phrasing and style choices.")] = None,
    backend: Annotated[str, typer.Option(help="offline (default) or openai.")] = "offline",
    model: Annotated[Optional[str], typer.Option(help="Model name (openai backend).")] = None,
    base_url: Annotated[Optional[str], typer.Option(help="Endpoint URL (openai backend; or OPENAI_BASE_URL).")] = None,
    concurrency: Annotated[int, typer.Option(help="Requests in flight (openai backend).")] = 8,
    max_tokens_total: Annotated[Optional[int], typer.Option(help="Token budget for the run's drafts (openai backend); with --judge, the judge has a budget of the same size of its own.")] = None,
    timeout: Annotated[Optional[float], typer.Option(help="Seconds per request before it is retried (openai backend; default 120).")] = None,
    max_fix_rounds: Annotated[Optional[int], typer.Option(help="Times a failing answer is sent back with its problems before the job is rejected (openai backend; default 2).")] = None,
    temperature: Annotated[Optional[float], typer.Option(help="Sampling temperature (openai backend; default 0.7).")] = None,
    no_llm_cache: Annotated[bool, Flag("--no-llm-cache", help="Neither read nor write the answer cache (openai backend).")] = False,
    dry_run: Annotated[bool, Flag("--dry-run", help="Print what would be sent for one unit, send nothing.")] = False,
    workers: Annotated[Optional[int], typer.Option(help="Processes for scanning (default: all cores).")] = None,
    judge: Annotated[bool, Flag("--judge", help="Have the model (--model, --base-url) settle the routing the signals are unsure of, with either backend.")] = False,
) -> None:
    """Write examples for one agent (its siblings only take part in routing)."""
    from .render import run_command

    llm = {"model": model, "base_url": base_url, "concurrency": concurrency,
           "max_tokens_total": max_tokens_total, "timeout": timeout,
           "max_fix_rounds": max_fix_rounds, "temperature": temperature,
           "cache": False if no_llm_cache else None}
    run_command(repo or str(sample_repo()), spec or [DEFAULT_SPEC], out, discover, seed, backend,
                llm, dry_run, workers,
                judge={k: llm[k] for k in ("model", "base_url", "concurrency", "timeout", "cache",
                                           "max_tokens_total")} if judge else None)


@app.command()
def scan(
    repo: Repo = None,
    spec: Specs = None,
    json: Annotated[bool, Flag("--json", help="One JSON object per unit on stdout.")] = False,
    explain: Annotated[Optional[str], typer.Option(help="PATH:LINE — every signal for the unit at that line.")] = None,
    include_tests: Annotated[bool, Flag("--include-tests", help="Keep test code.")] = False,
    workers: Annotated[Optional[int], typer.Option(help="Processes (default: all cores).")] = None,
    coverage: Annotated[bool, Flag("--coverage", help="Per agent: units, files, languages, and the seed files that held nothing for it (with --json: as one JSON object).")] = False,
    everything: Annotated[bool, Flag("--all", help="Also parse (and list) files that use none of the topics' words; their units can reach no agent.")] = False,
    judge: Annotated[bool, Flag("--judge", help="Ask a model (OpenAI-compatible endpoint) to settle the units the signals cannot: near misses, their neighbours, close calls.")] = False,
    model: Annotated[Optional[str], typer.Option(help="Model name (--judge).")] = None,
    base_url: Annotated[Optional[str], typer.Option(help="Endpoint URL (--judge; or OPENAI_BASE_URL).")] = None,
    concurrency: Annotated[int, typer.Option(help="Requests in flight (--judge).")] = 8,
    timeout: Annotated[Optional[float], typer.Option(help="Seconds per request before it is retried (--judge; default 120).")] = None,
    no_llm_cache: Annotated[bool, Flag("--no-llm-cache", help="Neither read nor write the answer cache (--judge).")] = False,
) -> None:
    """Extract and route units; no generation. Files that use none of any topic's words are
    read but not parsed, unless --all."""
    from .render import scan_command

    if not judge and (model or base_url):
        from ..errors import CodebackError

        raise CodebackError("--model and --base-url are for --judge: add --judge, or leave them out")
    llm = {"model": model, "base_url": base_url, "concurrency": concurrency, "timeout": timeout,
           "cache": False if no_llm_cache else None}
    scan_command(repo or str(sample_repo()), spec or [DEFAULT_SPEC], json, explain,
                 not include_tests, workers, coverage=coverage, everything=everything,
                 judge=llm if judge else None)


@app.command()
def validate(
    file: Annotated[Path, typer.Argument(help="A JSONL dataset written by codeback.")],
    repo: Annotated[Optional[Path], typer.Option("--repo", "-r", help="Re-check code pieces and grounding against this checkout.")] = None,
) -> None:
    """Check every line; exit 1 with a reason per bad line."""
    from ..verify import checkout_mismatch, validate_file

    if repo is not None and file.is_file() and (note := checkout_mismatch(file, repo)):
        print(f"{file}: note: {note}", file=sys.stderr)
    bad = total = 0
    for no, problems in validate_file(file, repo):
        total += 1
        if problems:
            bad += 1
            for p in problems:
                print(f"{file}:{no}: {p}", file=sys.stderr)
    print(f"{total - bad} valid, {bad} invalid" + (
        " (checked against the source)" if repo else
        " (format only: code pieces and grounding are checked with --repo)"), file=sys.stderr)
    raise typer.Exit(1 if bad else 0)


@app.command()
def show(
    file: Annotated[Path, typer.Argument(help="A JSONL dataset written by codeback.")],
    n: Annotated[int, typer.Option("-n", help="How many examples.")] = 3,
    seed: Annotated[int, typer.Option(help="Which random sample.")] = 0,
    repo: Annotated[Optional[Path], typer.Option("--repo", "-r", help="Checkout, to show the facts behind each sentence.")] = None,
) -> None:
    """Render examples for a person to read."""
    from .render import show_command

    show_command(file, n, seed, repo)


@specs_app.callback(invoke_without_command=True)
def specs_list(ctx: typer.Context) -> None:
    """List the built-in specs and topics."""
    if ctx.invoked_subcommand:
        return
    from ..spec import builtin_names, load_spec

    for name in builtin_names("specs"):
        s = load_spec(name)
        print(f"{name}\ttopic={s.topic}\toutput={s.output}\ttarget={s.target.min}-{s.target.max}")
    for name in builtin_names("topics"):
        print(f"topic:{name}")


@specs_app.command("show")
def specs_show(name: str) -> None:
    """Print a spec as TOML to copy and edit."""
    from ..spec import spec_text

    sys.stdout.write(spec_text(name))
