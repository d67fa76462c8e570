"""The build cache: content cache records round-trip through the shards; a lost shard means a full build."""

from __future__ import annotations

from pathlib import Path

from digest.build import build_site, cache
from digest.build.changes import code_version
from digest.build.output import Output
from digest.build.place import place_of


def files_of(folders: int) -> dict:
    return {f"content/d{n}/{name}.yaml": (f"key-{n}-{name}", {"n": n, "name": name}, [])
            for n in range(folders) for name in ("digest", "a", "b")}


def test_the_state_loads_back_as_saved(tmp_path):
    files = files_of(100)
    files["content/d0/digest.yaml#themes"] = ("k", None, [])
    cache.save(tmp_path, cache.BuildState(code="c", output="v1", files=files, pages={"index.html": "q"}), None)
    loaded = cache.load(tmp_path, "c", "v1")
    assert loaded.files == files and loaded.pages == {"index.html": "q"}
    assert cache.load(tmp_path, "other code", "v1").files == {}
    assert cache.load(tmp_path, "c", "another version of the output").files == {}


def test_saving_changed_files_rewrites_only_their_shards(tmp_path):
    files = files_of(100)
    cache.save(tmp_path, cache.BuildState(code="c", output="v1", files=files), None)
    shards = tmp_path / "files"
    before = {p.name: p.stat().st_mtime_ns for p in shards.iterdir()}
    files["content/d7/a.yaml"] = ("changed", {"n": 7}, [])
    cache.save(tmp_path, cache.BuildState(code="c", output="v1", files=files), {"content/d7/a.yaml"})
    after = {p.name: p.stat().st_mtime_ns for p in shards.iterdir()}
    assert [name for name in before if before[name] != after[name]] == [f"{cache._shard_of('content/d7/a.yaml')}.pickle"]
    assert cache.load(tmp_path, "c", "v1").files == files


def test_a_lost_shard_means_a_full_render_not_a_half_cache(tmp_path):
    content = Path(__file__).resolve().parent.parent / "content"
    output = tmp_path / "site"
    build_site(content, output, search=False)
    folder = place_of(content, output).cache
    version = Output.open(output).version
    assert cache.load(folder, code_version(), version).pages
    (folder / "files" / "3.pickle").write_bytes(b"\x80\x05broken")
    assert cache.load(folder, code_version(), version).pages == {}
