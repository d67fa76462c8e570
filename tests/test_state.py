"""The build cache: folders pickled by read workers and the rest round-trip through the shards."""

from __future__ import annotations

from pathlib import Path

from digest import state
from digest.build import build_site, code_version


def files_of(folders: int) -> dict:
    return {f"content/d{n}/{name}.yaml": (f"key-{n}-{name}", {"n": n, "name": name}, [])
            for n in range(folders) for name in ("digest", "a", "b")}


def test_packed_folders_and_the_rest_load_back_as_saved(tmp_path):
    output = tmp_path / "site"
    output.mkdir()
    files = files_of(100)
    files["content/d0/digest.yaml#themes"] = ("k", None, [])  # read by the parent, not in a worker's record
    packed = state.PackedFolders(output)
    for n in range(0, 100, 2):  # half the folders as workers send them
        part = {path: value for path, value in files.items() if path.startswith(f"content/d{n}/") and "#" not in path}
        packed.add(f"content/d{n}", state.pack_folder(part, "result", [], {}), frozenset(part))
    state.save_files(output, files, None, packed)
    state.save(output, state.BuildState(code="c", pages={"index.html": ("q", "f")}), changed=set())
    loaded = state.load(output, "c")
    assert loaded.files == files
    assert loaded.pages == {"index.html": ("q", "f")}
    assert not list(state.cache_folder(output).glob(".shards-*"))  # the scratch folder is gone


def test_saving_changed_files_rewrites_only_their_shards(tmp_path):
    output = tmp_path / "site"
    output.mkdir()
    files = files_of(100)
    state.save_files(output, files)
    state.save(output, state.BuildState(code="c"), changed=set())
    shards = state.cache_folder(output) / "files"
    before = {p.name: p.stat().st_mtime_ns for p in shards.iterdir()}
    files["content/d7/a.yaml"] = ("changed", {"n": 7}, [])
    state.save(output, state.BuildState(code="c", files=files), {"content/d7/a.yaml"})
    after = {p.name: p.stat().st_mtime_ns for p in shards.iterdir()}
    assert [name for name in before if before[name] != after[name]] == [f"{state._shard_of('content/d7')}.pickle"]
    assert state.load(output, "c").files == files


def test_a_lost_shard_means_a_full_render_not_a_half_cache(tmp_path):
    content = Path(__file__).resolve().parent.parent / "content"
    output = tmp_path / "site"
    build_site(content, output, search=False)
    (state.cache_folder(output) / "files" / "3.pickle").write_bytes(b"\x80\x05broken")
    loaded = state.load(output, code_version())
    assert loaded.pages == {}
