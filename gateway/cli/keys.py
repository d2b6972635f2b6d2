"""``roi keys``: the access-token keyring (docs/decisions/0003-access-tokens.md).

Only kids, purposes and dates are shown; a secret is printed only by ``rotate --print``, which
is for keyrings kept in a secret store (``ROI_SECURITY__TOKEN_KEYRING``).
"""

from __future__ import annotations

import click

from gateway.settings import load_settings

EXIT_REFUSED = 2


@click.group()
def keys() -> None:
    """Signing keys of links and link codes."""


@keys.command("list")
def list_keys() -> None:
    """Each key: purpose, kid, state (active, retired: verifies until, expired), created."""
    from gateway.access_tokens import RETIRED_KEY_GRACE, build_key_source
    from kernel.clock import SystemClock

    clock = SystemClock()
    keyring = build_key_source(load_settings(), clock=clock).keyring()
    now = clock.now()
    for key in sorted(keyring.keys, key=lambda k: (k.purpose.value, k.created_at)):
        if key.retired_at is None:
            state = "active"
        elif key.verifies_at(now):
            state = f"retired, verifies until {(key.retired_at + RETIRED_KEY_GRACE).isoformat()}"
        else:
            state = "expired"
        click.echo(f"{key.purpose.value}\t{key.kid}\t{state}\tcreated {key.created_at.isoformat()}")


@keys.command()
@click.option(
    "--purpose",
    "purposes",
    multiple=True,
    type=click.Choice(["download_link", "link_code"]),
    help="Rotate only this purpose's key (repeatable); default: every purpose.",
)
@click.option(
    "--print",
    "print_only",
    is_flag=True,
    help="Write the rotated keyring (with secrets) to standard output instead of the key file: "
    "for a keyring kept in a secret store.",
)
def rotate(purposes: tuple[str, ...], print_only: bool) -> None:
    """Retire the active key (it still verifies its tokens for 7 days and 30 s) and make a new
    one. Running processes sign with the new key at their next token."""
    from gateway.access_tokens import Purpose, build_key_source, key_file_path, keyfile
    from kernel.clock import SystemClock

    settings = load_settings()
    chosen = [Purpose(p) for p in purposes] or list(Purpose)
    now = SystemClock().now()
    if print_only:
        current = build_key_source(settings, clock=SystemClock()).keyring()
        click.echo(current.rotated(now, chosen).to_json().decode(), nl=False)
        return
    if settings.security.token_keyring is not None:
        click.echo(
            "keys come from ROI_SECURITY__TOKEN_KEYRING: use `roi keys rotate --print` and store "
            "its output in the secret store",
            err=True,
        )
        raise SystemExit(EXIT_REFUSED)
    path = key_file_path(settings)
    rotated = keyfile.rotate(path, now=now, purposes=chosen)
    for purpose in chosen:
        click.echo(f"{purpose.value}: new active key {rotated.active(purpose).kid}")
