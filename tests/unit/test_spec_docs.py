# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The texts that state the clouds' DPD numbers say what the specs say (scripts/spec_docs.py):
module docs, READMEs, a role's argument spec. A drifted text fails naming the file and the
script that rewrites it."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from ansible_collections.multicloud.vpnlab.plugins.module_utils._azure.spec import DPD_DEFAULT_SECONDS

ROOT = Path(__file__).resolve().parents[2]


def load():
    spec = importlib.util.spec_from_file_location("spec_docs", ROOT / "scripts" / "spec_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_texts_state_the_specs_numbers():
    assert load().drift() == []


def test_a_drifted_text_is_named_and_rewritten(tmp_path):
    spec_docs = load()
    for path in {path for path, dummy, dummy2 in spec_docs.TEXTS}:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / path, tmp_path / path)
    readme = tmp_path / "roles" / "azure_tunnels" / "README.md"
    wanted = "(`vpnlab_dpd_timeout_seconds`, %d s)" % DPD_DEFAULT_SECONDS
    readme.write_text(readme.read_text().replace(wanted, "(`vpnlab_dpd_timeout_seconds`, 99 s)"))
    problems = spec_docs.drift(tmp_path)
    assert len(problems) == 1 and problems[0].startswith("roles/azure_tunnels/README.md: states 99 ")
    assert "run scripts/spec_docs.py" in problems[0]
    assert spec_docs.write(tmp_path) == ["roles/azure_tunnels/README.md"]
    assert wanted in readme.read_text() and spec_docs.drift(tmp_path) == []


def test_a_reworded_text_is_named(tmp_path):
    spec_docs = load()
    for path in {path for path, dummy, dummy2 in spec_docs.TEXTS}:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / path, tmp_path / path)
    doc = tmp_path / "docs" / "cloud-internals.md"
    doc.write_text(doc.read_text().replace("with PFS, DPD", "with PFS, dead peer detection"))
    assert [p.split(":")[0] for p in spec_docs.drift(tmp_path)] == ["docs/cloud-internals.md"]
