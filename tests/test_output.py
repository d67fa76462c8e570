"""The journal's streamed write (the site's open data): the same file and hash as a plain write, no
write when the bytes are already there, nothing changed when the parts fail before writing, and a
rolled-back build gets the old bytes back."""

from __future__ import annotations

import time

import pytest

from digest.build.output import Output, hash_of


def committed(folder, files: dict[str, bytes]) -> Output:
    out = Output.open(folder)
    with out.journal() as journal:
        for path, data in files.items():
            journal.write(path, data)
        journal.commit(journal.hashes)
    return Output.open(folder)


def pieces_of(data: bytes, size: int = 7):
    return lambda: (memoryview(data)[at:at + size] for at in range(0, len(data), size))


def test_a_streamed_write_makes_the_file_and_hash_a_plain_write_makes(tmp_path):
    data = "南京,苏州\r\n".encode() * 50
    out = Output.open(tmp_path / "site")
    with out.journal() as journal:
        assert journal.write_parts("data/a.csv", pieces_of(data))
        assert journal.hashes["data/a.csv"] == hash_of(data)
        journal.commit(journal.hashes)
    assert (tmp_path / "site/data/a.csv").read_bytes() == data


def test_the_same_bytes_are_not_written_again_and_new_ones_replace_the_old(tmp_path):
    old, new = b"x" * 500, b"y" * 300
    out = committed(tmp_path / "site", {"a.json": old})
    with out.journal() as journal:
        assert not journal.write_parts("a.json", pieces_of(old))
        assert journal.write_parts("a.json", pieces_of(new))
        journal.commit({"a.json": journal.hashes["a.json"]})
    assert (tmp_path / "site/a.json").read_bytes() == new


def test_parts_that_fail_before_writing_change_nothing(tmp_path):
    out = committed(tmp_path / "site", {"a.json": b"old"})

    def failing():
        yield b"new"
        raise ValueError("a part is not digest's")

    with out.journal() as journal, pytest.raises(ValueError):
        journal.write_parts("a.json", failing)
    assert (tmp_path / "site/a.json").read_bytes() == b"old"


def test_a_build_that_fails_after_a_streamed_write_gets_the_old_bytes_back(tmp_path):
    old = bytes(range(256)) * 5000  # over a MiB: logged a block at a time
    out = committed(tmp_path / "site", {"big.bin": old})
    with pytest.raises(RuntimeError), out.journal() as journal:
        journal.write_parts("big.bin", pieces_of(b"short", 2))
        raise RuntimeError("the build fails later")
    assert (tmp_path / "site/big.bin").read_bytes() == old


def test_parts_are_hashed_on_the_first_pass_and_any_change_after_it_is_refused(tmp_path, monkeypatch):
    from digest import build

    parts = {"a/entries.json": b"[\n{\"x\":1}\n]\n", "b/entries.json": b"[\n{\"x\":2}\n]\n"}
    out = committed(tmp_path / "site", parts)
    with out.journal() as journal:
        checked = build.CheckedParts(list(parts), journal)
        assert list(checked()) == list(parts.values())
        monkeypatch.setattr(build, "hash_of", lambda data: pytest.fail("hashed again"))
        assert list(checked()) == list(parts.values())  # unchanged: known by identity, not hashed again
        time.sleep(0.05)  # file times move by the kernel's clock tick (a few ms)
        (tmp_path / "site/b/entries.json").write_bytes(b"[\n{\"x\":3}\n]\n")  # same size, other bytes
        with pytest.raises(ValueError, match="b/entries.json"):
            list(checked())


def test_a_part_changed_by_hand_before_the_first_pass_is_refused(tmp_path):
    from digest import build

    out = committed(tmp_path / "site", {"a/entries.json": b"[\n{\"x\":1}\n]\n"})
    (tmp_path / "site/a/entries.json").write_bytes(b"[\n{\"x\":9}\n]\n")
    with out.journal() as journal, pytest.raises(ValueError):
        list(build.CheckedParts(["a/entries.json"], journal)())
