"""One day schedule for both drivers, and a Numba cache keyed to every compiled source."""

import shutil

from sim import numba_cache, schedule


def test_both_drivers_implement_every_phase_of_the_schedule():
    from sim.kernels import FastDriver
    from sim.model import FunnelModel

    assert schedule.NAMES == ("market", "marketing", "handoff", "sales", "closing")
    assert schedule.missing_phases(FastDriver(1)) == []
    assert schedule.missing_phases(FunnelModel.__new__(FunnelModel)) == []


def test_run_day_calls_the_phases_in_order():
    calls = []

    class Recorder:
        def __getattr__(self, name):
            return lambda S, P, d: calls.append((name, d))

    schedule.run_day(Recorder(), None, None, 3)
    assert calls == [(n, 3) for n in schedule.NAMES]


def _copy_sources(tmp_path):
    root = tmp_path / "sim"
    shutil.copytree(numba_cache.ROOT, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_editing_any_compiled_source_changes_the_cache_key(tmp_path):
    root = _copy_sources(tmp_path)
    key = numba_cache.cache_key(root)
    assert key == numba_cache.cache_key(root), "the key is stable"
    for rel in ("processes/sales.py", "policies/routing.py", "rng.py", "state.py", "kernels.py"):
        f = root / rel
        original = f.read_bytes()
        f.write_bytes(original + b"\n# edited\n")
        assert numba_cache.cache_key(root) != key, rel
        f.write_bytes(original)
    assert numba_cache.cache_key(root) == key
    (root / "report.py").write_text("# not compiled\n")
    assert numba_cache.cache_key(root) == key, "sources no kernel calls do not matter"


def test_a_plugin_module_is_part_of_the_key(tmp_path, monkeypatch):
    root = _copy_sources(tmp_path)
    pkg = tmp_path / "plugs"
    pkg.mkdir()
    (pkg / "my_rules.py").write_text("x = 1\n")
    monkeypatch.syspath_prepend(str(pkg))
    key = numba_cache.cache_key(root, ["my_rules"])
    assert key != numba_cache.cache_key(root)
    (pkg / "my_rules.py").write_text("x = 2\n")
    assert numba_cache.cache_key(root, ["my_rules"]) != key


def test_the_cache_folder_is_named_by_the_key():
    import os

    import numba

    path = numba_cache.cache_dir()
    assert path.name == numba_cache.cache_key(numba_cache.ROOT, numba_cache.plugin_modules() + numba_cache._extra)
    assert numba.config.CACHE_DIR == str(path) == os.environ["NUMBA_CACHE_DIR"]


def test_a_cache_folder_set_by_the_user_is_the_parent_of_the_keyed_folders(tmp_path, monkeypatch):
    monkeypatch.setenv(numba_cache.BASE_ENV, str(tmp_path / "inherited"))
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    assert numba_cache.base_dir() == tmp_path / "mine"
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "inherited" / "0123456789abcdef"))
    assert numba_cache.base_dir() == tmp_path / "inherited", "a folder funnelsim passed on keeps its parent"


def test_every_module_with_compiled_functions_is_part_of_the_key():
    """A new module of Numba functions must join the cache key, or editing it could run stale code."""
    from sim.numba_cache import ROOT, compiled_files

    keyed = set(compiled_files())
    with_kernels = {p for p in ROOT.rglob("*.py") if "@njit" in p.read_text() or "njit(" in p.read_text()}
    with_kernels -= {ROOT / "numba_cache.py"}
    missing = sorted(str(p.relative_to(ROOT)) for p in with_kernels - keyed)
    assert not missing, f"modules with compiled functions outside the cache key: {missing}"
