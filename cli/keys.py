"""`govassist keys generate|status|rotate`: field-encryption keys and re-encrypting under a new one."""

from __future__ import annotations

import base64
import secrets
from typing import TYPE_CHECKING

import click

from cli.common import services
from settings import Settings

if TYPE_CHECKING:
    from assistant.proactive.applicant_links import RelinkReport
    from assistant.services import Services


@click.group("keys")
def keys() -> None:
    """Field-encryption keys (docs/security.md: key rotation)."""


@keys.command("generate")
def generate() -> None:
    """Print a new random key (base64 of 32 bytes) for GOVASSIST_ENCRYPTION_KEY."""
    from assistant.privacy.crypto import KEY_BYTES

    click.echo(base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii"))


@keys.command("status")
@click.pass_obj
def status(settings: Settings) -> None:
    """How many stored values each key wrote (an old key may be removed once it wrote none)."""
    from assistant.privacy.key_rotation import census

    parts = services(settings)
    cipher = parts.cipher
    click.echo(f"current key {cipher.current_key_id}; readable: {', '.join(cipher.key_ids)}")
    for column, counts in census(parts.database).items():
        shown = ", ".join(f"{kid}{'' if kid in cipher.key_ids else ' (no key)'}: {n}" for kid, n in sorted(counts.items()))
        click.echo(f"  {column}: {shown or 'no values'}")


@keys.command("rotate")
@click.option("--batch-size", default=200, show_default=True, type=click.IntRange(1, 10_000),
              help="Rows per transaction.")
@click.pass_obj
def rotate(settings: Settings, batch_size: int) -> None:
    """Re-encrypt every stored value under the current key; safe to interrupt and run again."""
    from assistant.privacy.key_rotation import rotate as rotate_values

    parts = services(settings)
    report = rotate_values(parts.database, parts.cipher, batch=batch_size,
                           progress=lambda name, c: click.echo(f"  {name}: {c.rows} rows read…", err=True))
    click.echo(f"re-encrypted under key {report.key_id}:")
    for name, c in report.columns.items():
        click.echo(f"  {name}: {c.rows} rows, {c.rewritten} rewritten, {c.values} values re-encrypted, "
                   f"{c.unreadable} unreadable")
    # The applicant digests (服务找人) are keyed by the current key too: derive them again.
    links = relink_applicants(parts, batch_size)
    click.echo(f"  applicant_links: {links.links} links, {links.rewritten} derived anew, {links.unreadable} unreadable")
    if report.unreadable:
        raise click.ClickException(f"{report.unreadable} value(s) could not be read with the configured keys "
                                   "and were left as they are (`govassist keys status` shows their key ids)")


def relink_applicants(parts: Services, batch_size: int) -> RelinkReport:
    """The knowledge base's eligibility rules say which slots hold the applicant's ID number."""
    from assistant.proactive.applicant_links import RelinkReport
    from knowledge.eligibility import ELIGIBILITY_FILE, EligibilityRules
    from knowledge.loader import parse_file

    path = parts.settings.kb_dir / ELIGIBILITY_FILE
    rules = parse_file(path, EligibilityRules, named_by_file=False)[0] if path.is_file() else None
    if rules is None:
        return RelinkReport()  # no rules: no link was ever made
    return parts.applicant_links.relink(rules.identity_slots, batch=batch_size)
