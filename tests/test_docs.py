"""The model description stays in step with the code: every config key is documented."""

import contextlib
import io
from pathlib import Path

from sim.cli import cmd_keys_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_odd_parameter_table_matches_the_schema():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        cmd_keys_markdown()
    rows = [ln for ln in out.getvalue().splitlines() if ln.startswith("| `")]
    odd = (DOCS / "ODD.md").read_text()
    missing = [row.split("|")[1].strip() for row in rows if row not in odd]
    assert not missing, f"docs/ODD.md is out of date for {missing}; regenerate with funnelsim keys --markdown"


def test_every_policy_key_is_explained_in_the_lever_guide():
    from sim.config import HandoffConfig, PolicyConfig, StaffingConfig

    levers = (DOCS / "levers.md").read_text()
    keys = [f"policy.{k}" for k in PolicyConfig.__dataclass_fields__ if k != "handoff"]
    keys += [f"policy.handoff.{k}" for k in HandoffConfig.__dataclass_fields__]
    keys += [f"staffing.{k}" for k in StaffingConfig.__dataclass_fields__]
    assert [k for k in keys if f"`{k}`" not in levers] == []


def test_every_image_the_readme_shows_is_in_the_repository():
    import re

    readme = (DOCS.parent / "README.md").read_text()
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme)
    assert len(images) >= 2
    assert [p for p in images if not (DOCS.parent / p).is_file()] == []
