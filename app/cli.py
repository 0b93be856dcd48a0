"""The ``crisisdesk`` command: serve, migrate, demo, create-user, and the operations the service needs.

Every command takes the database from ``DATABASE_URL`` / ``CRISISDESK_DATABASE_URL`` (default: a SQLite file
under ./var/).
"""

from __future__ import annotations

import getpass
import os
import shutil
import tempfile
import zlib
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.settings import get_settings

cli = typer.Typer(help="CrisisDesk: the press office's case tracker.", no_args_is_help=True, add_completion=False)
console = Console()


def _engine() -> Engine:
    from app.db import make_engine

    settings = get_settings()
    return make_engine(settings.database_url)


@cli.callback()
def _configure(ctx: typer.Context) -> None:
    """Logging is configured once, for every command, from the settings (level, JSON or text)."""
    if ctx.invoked_subcommand == "serve":
        return  # uvicorn applies the same configuration in each of its processes
    from app.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development)")] = False,
) -> None:
    """Serve the web app and the APIs with uvicorn (JSON logs on stderr, one line a request).

    With several worker processes, the Prometheus metrics of all of them are kept in PROMETHEUS_MULTIPROC_DIR
    (a fresh temporary directory unless the variable is set; emptied at start), so any worker answers /metrics
    for all.
    """
    import uvicorn

    from app.logs import logging_config
    from app.web.public.protocol import EarlyHitProtocol

    settings = get_settings()
    created: Path | None = None
    if workers > 1 or reload or settings.prometheus_multiproc_dir:
        created = _prepare_metrics_dir(settings.prometheus_multiproc_dir)
    console.print(f"CrisisDesk on [bold]http://{host}:{port}[/] ({settings.environment}, {_db_label()})")
    try:
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            reload=reload,
            # X-Forwarded-For is believed only from CRISISDESK_TRUSTED_PROXIES. Unset, it is never believed (not
            # even from 127.0.0.1, uvicorn's default): a client could otherwise rotate it past every rate limit.
            proxy_headers=bool(settings.trusted_proxies),
            forwarded_allow_ips=settings.trusted_proxies or "",
            log_config=logging_config(settings.log_level, settings.log_format),
            log_level=settings.log_level.lower(),
            access_log=False,  # the app's middleware writes the access log, with the request id and the route
            # Cached public reads answered by the protocol itself, below ASGI (app/web/public/protocol.py).
            http=EarlyHitProtocol,
        )
    finally:
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)


def _prepare_metrics_dir(configured: str | None) -> Path | None:
    """Set PROMETHEUS_MULTIPROC_DIR for the worker processes (before they import prometheus-client) and empty it.
    Returns the directory if this command created it (and so removes it at exit)."""
    if configured:
        path, created = Path(configured), None
    else:
        path = Path(tempfile.mkdtemp(prefix="crisisdesk-metrics-"))
        created = path
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return created


def _db_label() -> str:
    from sqlalchemy.engine import make_url

    from app.db import normalize_url

    url = make_url(normalize_url(get_settings().database_url))
    return url.render_as_string(hide_password=True)


@cli.command()
def migrate(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Bring the database schema up to date (Alembic)."""
    from app.migrate import upgrade

    with console.status(f"Migrating {_db_label()} to {revision}…"):
        upgrade(get_settings().database_url, revision)
    console.print("[green]Database schema is up to date.[/]")


@cli.command("recompute-clocks")
def recompute_clocks() -> None:
    """After upgrading the holidays package: a new calendar version, and every running clock counted in days or
    working days recomputed (each move logged on its case)."""
    from app.clocks.calendar import recompute_after_holidays_change
    from app.db import utcnow
    from app.workdays.rules import HOLIDAYS_VERSION

    engine = _engine()
    with console.status(f"Recomputing the clocks of {_db_label()} (holidays {HOLIDAYS_VERSION})…"):
        with Session(engine) as session:
            moved = recompute_after_holidays_change(session, now=utcnow())
            session.commit()
    console.print(f"[green]Clocks recomputed:[/] {moved} due time(s) moved.")


@cli.command()
def demo(
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing if the database has users")] = False,
) -> None:
    """Load the demo data: a realistic Sở, the demo accounts (password 'demo') and cases in every status."""
    from app.demo import load_demo
    from app.org.models import User

    settings = get_settings()
    if not settings.demo_passwords_allowed:
        console.print(
            "[red]The demo accounts use the password 'demo', which only the development environment allows.[/]"
        )
        raise typer.Exit(1)
    engine = _engine()
    with Session(engine) as session:
        if session.exec(select(User.id)).first() is not None:
            if if_empty:
                console.print("The database already has data; demo not loaded.")
                return
            console.print("[red]The database already has users; the demo loads into an empty database.[/]")
            raise typer.Exit(1)
        summary = load_demo(session, settings=settings, progress=console)
        session.commit()
    console.print(f"[green]Demo loaded:[/] {summary}")
    console.print("Accounts (password 'demo'): office, handler, head, spokesperson, director, admin")


@cli.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="Run one pass and exit")] = False,
    poll: Annotated[float | None, typer.Option(help="Seconds between passes (default: the setting)")] = None,
) -> None:
    """Deliver reminders, escalations and e-mail (the web process never sends mail). Several may run at once."""
    from app.channels.worker import jobs
    from app.crisis.paging import worker_step
    from app.notifications.worker import Worker, batched
    from app.reports.daily import refresh

    # Logging (JSON lines, CRISISDESK_LOG_LEVEL) is configured for every command by the group callback above.
    settings = get_settings()
    if poll is not None:
        settings = settings.model_copy(update={"worker_poll_seconds": poll})
    escalations = batched("crisis pages", worker_step(settings), before_mail=True)
    # The dashboard's per-day aggregates: the stale days recomputed, a batch of days a transaction.
    aggregates = batched("report aggregates", refresh, before_mail=False)
    w = Worker(settings, jobs=[escalations, *jobs(), aggregates])
    w.install_signal_handlers()
    mail = f"SMTP {settings.smtp_host}:{settings.smtp_port}" if settings.smtp_host else "in-app only (no SMTP host)"
    console.print(f"Worker {w.worker_id} on {_db_label()}, {mail}")
    w.run(once=once, max_db_retries=10 if once else None)
    console.print(
        f"Worker {w.worker_id} stopped: {w.reminders} reminder stages, {w.escalations} pages escalated, "
        f"{w.sent} e-mails sent."
    )


@cli.command()
def monitor(
    once: Annotated[bool, typer.Option("--once", help="Poll the due sources once and exit")] = False,
    all_sources: Annotated[bool, typer.Option("--all", help="With --once: poll every enabled source now")] = False,
) -> None:
    """Press monitoring: poll the sources politely, store and cluster the new items, e-mail the morning digest at
    CRISISDESK_DIGEST_TIME. Several may run at once (each source is claimed before it is fetched)."""
    from app.monitor.fetcher import Fetcher

    settings = get_settings()
    fetcher = Fetcher(settings)
    if all_sources:
        fetcher.poll_all_now()
    console.print(f"Monitor {fetcher.worker_id} on {_db_label()}, User-Agent: {settings.monitor_user_agent}")
    try:
        if once:
            with _progress_bar() as bar:
                task = bar.add_task("Nguồn tin", total=None)
                report = fetcher.run(once=True, progress=lambda done, total: bar.update(task, completed=done,
                                                                                         total=total))  # fmt: skip
            console.print(f"{report.sources} sources polled, {report.failed} with errors, "
                          f"{report.new_items} new items.")  # fmt: skip
            for source_id, error in sorted(report.errors.items()):
                console.print(f"[yellow]source {source_id}:[/] {error}")
        else:
            fetcher.install_signal_handlers()
            fetcher.run()
            console.print(f"Monitor {fetcher.worker_id} stopped.")
    finally:
        fetcher.close()


@cli.command("create-user")
def create_user(
    username: Annotated[str, typer.Argument(help="Log-in name")],
    full_name: Annotated[str, typer.Option("--name", help="Full name, with diacritics")],
    role: Annotated[list[str], typer.Option(help="role or role:UNITCODE, repeatable")],
    title: Annotated[str, typer.Option(help="Job title")] = "",
    email: Annotated[str | None, typer.Option(help="E-mail")] = None,
    password: Annotated[str | None, typer.Option(help="Password (asked for if not given)")] = None,
) -> None:
    """Create a user account with its roles (e.g. --role admin, --role handler:P.GDTrH)."""
    from pydantic import ValidationError

    from app.auth.service import password_hasher
    from app.db import utcnow
    from app.errors import DomainError
    from app.org.models import GrantIn, UserCreate
    from app.org.service import create_user as create

    settings = get_settings()
    if password is None:
        password = getpass.getpass("Password: ")
    grants = []
    for item in role:
        name, _sep, unit = item.partition(":")
        grants.append({"role": name, "unit": unit or None})
    try:
        data = UserCreate(
            username=username,
            full_name=full_name,
            title=title,
            email=email,
            password=password,
            roles=[GrantIn.model_validate(g) for g in grants],
        )
    except ValidationError as exc:
        for err in exc.errors():
            console.print(f"[red]{'.'.join(str(p) for p in err['loc'])}: {err['msg']}[/]")
        raise typer.Exit(2) from None
    if data.password == "demo" and not settings.demo_passwords_allowed:
        console.print("[red]The password 'demo' is refused outside the development environment.[/]")
        raise typer.Exit(2)
    engine = _engine()
    with Session(engine) as session:
        try:
            hasher = password_hasher(settings.argon2_time_cost, settings.argon2_memory_cost)
            user = create(session, data=data, now=utcnow(), hasher=hasher, actor=None)
            username = user.username
            session.commit()
        except DomainError as exc:
            session.rollback()
            console.print(f"[red]{exc.message}[/]")
            raise typer.Exit(2) from None
    console.print(f"[green]Created user {username}.[/]")


class _RichProgress:
    """Shows the backup's progress: one bar a table."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def table(self, name: str, rows: int) -> None:
        self.task = self.progress.add_task(name, total=rows or 1, completed=0 if rows else 1)

    def advance(self, rows: int) -> None:
        if self.task is not None and rows:
            self.progress.advance(self.task, rows)


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


@cli.command("export")
def export_(
    file: Annotated[Path, typer.Argument(help="The backup file to write (.jsonl, or .jsonl.gz to compress)")],
    gzip: Annotated[
        bool | None, typer.Option("--gzip/--no-gzip", help="Compress (default: when the name ends in .gz)")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists")] = False,
) -> None:
    """Write the whole database to a portable file (JSON lines): every table, every row, one consistent snapshot,
    and the bytes of every attachment (from CRISISDESK_STORAGE_URL).

    Restore it with `crisisdesk import` into an empty database at the same schema revision, on SQLite or
    PostgreSQL (this is how data moves from the embedded SQLite file to PostgreSQL).
    """
    from app.backup.service import BackupError, export_database
    from app.db import utcnow
    from app.files.storage import storage_from_settings

    if file.exists() and not force:
        console.print(f"[red]{file} exists; use --force to overwrite it.[/]")
        raise typer.Exit(1)
    partial_file = file.with_name(file.name + ".partial")
    engine = _engine()
    console.print(f"Exporting {_db_label()} to {file}")
    try:
        with _progress_bar() as bar:
            summary = export_database(engine, partial_file, now=utcnow(), compress=gzip if gzip is not None
                                      else file.suffix == ".gz", progress=_RichProgress(bar),
                                      storage=storage_from_settings(get_settings()))  # fmt: skip
        partial_file.replace(file)
    except BackupError as exc:
        partial_file.unlink(missing_ok=True)
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    except BaseException:
        partial_file.unlink(missing_ok=True)
        raise
    finally:
        engine.dispose()
    console.print(
        f"[green]Exported {summary.rows} rows of {len(summary.tables)} tables and {summary.files} files[/] "
        f"(schema revision {summary.revision})."
    )


@cli.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A file written by `crisisdesk export` (.jsonl or .jsonl.gz)")],
) -> None:
    """Load a backup into this database, which must be empty and migrated to the file's schema revision; the
    attachments' bytes go to this installation's storage (CRISISDESK_STORAGE_URL).

    All or nothing: one transaction. On PostgreSQL the id sequences are moved past the imported ids.
    """
    from app.backup.service import BackupError, import_database, read_header
    from app.files.storage import storage_from_settings

    if not file.is_file():
        console.print(f"[red]{file} does not exist.[/]")
        raise typer.Exit(1)
    engine = _engine()
    try:
        header = read_header(file)
        console.print(
            f"Importing {file} (made {header.get('created_at')} from {header.get('source_dialect')}, "
            f"schema revision {header.get('alembic_revision')}) into {_db_label()}"
        )
        with _progress_bar() as bar:
            summary = import_database(
                engine, file, progress=_RichProgress(bar), storage=storage_from_settings(get_settings())
            )
    except BackupError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    except (EOFError, OSError, zlib.error, UnicodeDecodeError) as exc:
        # A truncated or damaged file (EOFError would otherwise print only "Aborted."): nothing was imported.
        console.print(f"[red]{file} is damaged or truncated ({type(exc).__name__}: {exc}); nothing was imported.[/]")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    console.print(
        f"[green]Imported {summary.rows} rows into {len(summary.tables)} tables, and {summary.files} files.[/]"
    )


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
