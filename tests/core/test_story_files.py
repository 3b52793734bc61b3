"""Story files: unique names, cleanup that only removes old files inside its own directory, bundles."""
import io
import os
import time
import zipfile

from hflab.story import bundle, files


def _touch(path, age_days: float):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    old = time.time() - age_days * 86400
    os.utime(path, (old, old))
    return path


def test_unique_names_do_not_collide():
    names = {files.unique_path("bundles", "story", "zip") for _ in range(200)}
    assert len(names) == 200 and all(files.story_dir() in p.parents for p in names)


def test_cleanup_deletes_only_old_files_in_its_own_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HFLAB_DATA_DIR", str(tmp_path / "data"))
    root = files.story_dir()
    old_inside = _touch(root / "speech" / "speech-old.mp3", 5)
    new_inside = _touch(root / "bundles" / "story-new.zip", 1)
    old_outside = _touch(tmp_path / "data" / "models" / "precious.bin", 30)
    old_elsewhere = _touch(tmp_path / "elsewhere" / "old.wav", 30)
    (root / "link-to-elsewhere.wav").symlink_to(old_elsewhere)
    (root / "linked-dir").symlink_to(old_elsewhere.parent, target_is_directory=True)
    removed = files.cleanup_old_files(days=3)
    assert removed == [old_inside]
    assert not old_inside.exists()
    assert new_inside.exists() and old_outside.exists() and old_elsewhere.exists()
    assert (root / "link-to-elsewhere.wav").is_symlink()


def test_cleanup_uses_the_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("HFLAB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HFLAB_CLEANUP_DAYS", "10")
    five = _touch(files.story_dir() / "speech" / "five-days.wav", 5)
    assert files.cleanup_old_files() == [] and five.exists()


def test_bundle_holds_everything_and_never_the_token(monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_secretTOKEN123456")
    params = {"story": {"settings": {"seed": 3}, "note": "copied hf_secretTOKEN123456 by mistake"}}
    data = bundle.build_bundle(b"png", "a cat", "一只猫", "故事。", params, (b"RIFF", "wav"))
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert set(archive.namelist()) == {"image.png", "caption_en.txt", "caption_zh.txt", "story.txt", "speech.wav",
                                       "params.json"}
    assert not [n for n in archive.namelist() if b"hf_secretTOKEN123456" in archive.read(n)]
    read = bundle.read_params(data)
    assert read["story"]["settings"]["seed"] == 3 and "transformers" in read["versions"]
    path = bundle.save_bundle(data)
    assert path.read_bytes() == data and files.story_dir() in path.parents
