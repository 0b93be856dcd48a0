"""The ``crisisdesk`` command: serve, migrate, demo, create-user, and the operations the service needs.

Every command takes the database from ``DATABASE_URL`` / ``CRISISDESK_DATABASE_URL`` (default: a SQLite file
under ./var/).
"""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.settings import get_settings

cli = typer.Typer(help="CrisisDesk: the press office's case tracker.", no_args_is_help=True, add_completion=False)
console = Console()


def _engine() -> Engine:
    from app.db import make_engine

    settings = get_settings()
    return make_engine(settings.database_url)


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development)")] = False,
) -> None:
    """Serve the web app and the APIs with uvicorn."""
    import uvicorn

    settings = get_settings()
    console.print(f"CrisisDesk on [bold]http://{host}:{port}[/] ({settings.environment}, {_db_label()})")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
        log_level="info",
    )


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
    import logging

    from app.notifications.worker import Worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    if poll is not None:
        settings = settings.model_copy(update={"worker_poll_seconds": poll})
    w = Worker(settings)
    w.install_signal_handlers()
    mail = f"SMTP {settings.smtp_host}:{settings.smtp_port}" if settings.smtp_host else "in-app only (no SMTP host)"
    console.print(f"Worker {w.worker_id} on {_db_label()}, {mail}")
    w.run(once=once, max_db_retries=10 if once else None)
    console.print(f"Worker {w.worker_id} stopped: {w.reminders} reminder stages, {w.sent} e-mails sent.")


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


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
