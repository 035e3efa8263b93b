"""The Jinja environment every page and document of the hub is written with: autoescaped
HTML, undefined names refused, and the French formatting of numbers, dates and periods."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from cae_contract import format as fmt


def french_environment(folder: Path) -> Environment:
    """An environment reading the templates of ``folder``, with the French filters."""
    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(
        fr_int=fmt.fr_int,
        fr_decimal=fmt.fr_decimal,
        fr_eur=fmt.fr_eur,
        fr_percent=fmt.fr_percent,
        fr_period=fmt.fr_period,
        fr_period_html=fmt.fr_period_html,
        fr_date=fmt.fr_date,
        fr_datetime=fmt.fr_datetime,
        fr_signed_change=fmt.fr_signed_change,
        majuscule=lambda text: str(text)[:1].upper() + str(text)[1:],
    )
    env.tests["en_cours"] = fmt.is_running  # a semester not ended yet: partial figures
    return env
