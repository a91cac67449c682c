import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["FOLIOSCOPE_STRICT"] = "1"  # unexpected errors raise instead of becoming a failed file
os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("FOLIOSCOPE_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def data() -> Path:
    """The shared evaluation data. Absent, the tests that need it are skipped, except under
    CI (FOLIOSCOPE_REQUIRE_DATA=1), where that is a failure."""
    if not DATA.is_dir():
        if os.environ.get("FOLIOSCOPE_REQUIRE_DATA") == "1":
            pytest.fail(f"the shared data folder {DATA} is missing")
        pytest.skip(f"shared data folder not found at {DATA}")
    return DATA


@pytest.fixture
def library(tmp_path):
    from folioscope.index import Store
    lib = Store(tmp_path / "lib")
    yield lib
    lib.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """A library holding the sample document, read once per test module: (store, doc_id)."""
    from folioscope.index import Store
    from folioscope.models import sample_document
    from folioscope.pipeline import ingest_paths
    store = Store(tmp_path_factory.mktemp("sample"))
    [result] = list(ingest_paths(store, [sample_document()]))
    assert result.ok, result.message
    yield store, result.doc_id
    store.close()


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Never touch the developer's own library or settings."""
    monkeypatch.setenv("FOLIOSCOPE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
