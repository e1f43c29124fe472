"""Faults a learner meets, caused for real: a killed run, a broken checkpoint, NaN, a bad folder."""

import contextlib
import errno
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import REPOSITORY
from ganlib import models
from ganlib.core.files import atomic_write, check_writable, load_generator
from ganlib.training import checkpoints

# A run with every piece of state a resume must restore: both networks and optimizers, the
# generator's average, a lazy penalty's step count, augmentation's and the noise's random state.
RESUMABLE = ("--deterministic", "--penalty", "r1", "--penalty-weight", "0.5",
             "--penalty-interval", "3", "--ema", "300", "--augment", "translation,cutout")


def train_command(out, data, epochs, *extra):
    return [sys.executable, "-m", "ganlib", "train", "--out", str(out), "--data", str(data),
            "--epochs", str(epochs), "--batch-size", "16", *map(str, extra)]


def descendants(pid):
    """Every process below `pid`, found through /proc (a kernel may sit in its own session)."""
    children = {}
    for stat in os.listdir("/proc"):
        if stat.isdigit():
            try:
                fields = open(f"/proc/{stat}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(stat))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(process):
    """SIGKILL `process` and everything below it, and wait until every one of them is gone."""
    victims = [process.pid] + descendants(process.pid)
    for pid in victims:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 30
    while any(os.path.exists(f"/proc/{pid}") and "Z" not in open(f"/proc/{pid}/stat").read()
              .rsplit(")", 1)[1].split()[0] for pid in victims[1:] if os.path.exists(f"/proc/{pid}")):
        assert time.monotonic() < deadline, "a killed process is still running"
        time.sleep(0.05)
    return victims


def wait_for(path, process, seconds=300):
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, f"no {path.name} after {seconds} s"
        time.sleep(0.05)


def test_sigkill_mid_epoch_then_resume_gives_the_uninterrupted_run_bit_for_bit(tiny_npz, tmp_path,
                                                                                cli):
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    assert cli(*train_command(whole, tiny_npz, 4, *RESUMABLE)[3:]).returncode == 0

    process = subprocess.Popen(train_command(killed, tiny_npz, 4, *RESUMABLE), cwd=REPOSITORY,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    wait_for(killed / "checkpoints" / "epoch_0002.npz", process)
    time.sleep(0.3)  # Into the next epoch (20 steps of 16 images each).
    kill_tree(process)
    killed_epoch = int(checkpoints.list_checkpoints(killed / "checkpoints")[-1].stem.split("_")[1])
    assert 2 <= killed_epoch < 4, "the kill came after the run had finished"

    resumed = cli(*train_command(killed, tiny_npz, 4, *RESUMABLE)[3:])
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"epoch {killed_epoch} done" in resumed.stdout
    # Every weight, optimizer moment, average, counter and random state is what the run that
    # was never stopped ended with, and so are its losses and its last sample grid.
    final = [checkpoints.read_checkpoint(folder / "checkpoints" / "epoch_0004.npz")
             for folder in (whole, killed)]
    assert set(final[0]) == set(final[1]) and any(key.startswith("generator_average/")
                                                  for key in final[0])
    for key in final[0]:
        np.testing.assert_array_equal(final[0][key], final[1][key], err_msg=key)
    histories = [json.loads((folder / "history.json").read_text()) for folder in (whole, killed)]
    assert [entry["epoch"] for entry in histories[1]] == [1, 2, 3, 4]
    for ours, theirs in zip(*histories):
        assert {k: v for k, v in ours.items() if k != "seconds"} == \
            {k: v for k, v in theirs.items() if k != "seconds"}
    assert (whole / "samples" / "epoch_004.png").read_bytes() == \
        (killed / "samples" / "epoch_004.png").read_bytes()
    assert not list((killed / "checkpoints").glob("*.tmp"))


def run_notebook_command(notebook, output, parameters, cwd):
    """papermill on the command line, as a learner (or CI) runs a notebook headless."""
    command = [sys.executable, "-m", "papermill", str(notebook), str(output), "--cwd", str(cwd),
               "-k", "python3", "--no-progress-bar"]
    for name, value in parameters.items():
        command += ["-p", name, str(value)]
    return command


def test_sigkill_during_a_notebook_run_then_rerun_resumes_it(mnist_path, tmp_path):
    """06_training killed mid-training (papermill and its kernel), then run again: it resumes."""
    notebook = REPOSITORY / "notebooks" / "06_training.ipynb"
    out = tmp_path / "runs"
    main_dir = out / "main"
    # 50 steps of 32 images an epoch: long enough to kill the kernel part-way through the run.
    parameters = {"EPOCHS": 4, "IMAGES": 1600, "OUT_DIR": out}
    env = dict(os.environ, GANLIB_QUICK="1", GANLIB_DATA=str(mnist_path))
    process = subprocess.Popen(
        run_notebook_command(notebook, tmp_path / "killed.ipynb", parameters, tmp_path),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        wait_for(main_dir / "checkpoints" / "epoch_0001.npz", process, 600)
        time.sleep(0.5)  # Into epoch 2.
    finally:
        # papermill, and the kernel it started (in a session of its own), all gone before the
        # snapshot below, so nothing writes into the run folder behind the test's back.
        victims = kill_tree(process)
    assert len(victims) >= 2, "the kernel was not found below papermill"
    killed_at = checkpoints.read_checkpoint(checkpoints.list_checkpoints(main_dir / "checkpoints")[-1])
    killed_epoch = int(killed_at["epoch"])
    assert 1 <= killed_epoch < 4, "the kill came after the main run had finished"
    # A kill between writing the history and the checkpoint leaves one epoch more in the
    # history; it is trained again.
    killed_history = json.loads((main_dir / "history.json").read_text())[:killed_epoch]
    grid_before = (main_dir / "samples" / "epoch_001.png").read_bytes()

    rerun = subprocess.run(
        run_notebook_command(notebook, tmp_path / "resumed.ipynb", parameters, tmp_path),
        capture_output=True, text=True, env=env, timeout=900)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    executed = json.loads((tmp_path / "resumed.ipynb").read_text())
    text = "".join("".join(output.get("text", "")) for cell in executed["cells"]
                   for output in cell.get("outputs", []))
    assert f"Resuming from {main_dir / 'checkpoints'}" in text
    assert f"(epoch {killed_epoch} done)" in text and f"({killed_epoch} resumed)" in text
    history = json.loads((main_dir / "history.json").read_text())
    assert [entry["epoch"] for entry in history] == [1, 2, 3, 4]
    assert history[:killed_epoch] == killed_history  # The old epochs, kept as they were.
    assert (main_dir / "samples" / "epoch_001.png").read_bytes() == grid_before
    assert sorted(path.name for path in (main_dir / "samples").glob("*.png")) == \
        [f"epoch_{epoch:03d}.png" for epoch in range(1, 5)]
    final = checkpoints.read_checkpoint(main_dir / "checkpoints" / "epoch_0004.npz")
    np.testing.assert_array_equal(final["fixed_noise"], killed_at["fixed_noise"])
    assert int(final["epoch"]) == 4
    assert not list((main_dir / "checkpoints").glob("*.tmp"))


def test_corrupt_latest_checkpoint_falls_back_with_a_warning(tiny_npz, tmp_path, cli):
    out = tmp_path / "run"
    assert cli(*train_command(out, tiny_npz, 2)[3:]).returncode == 0
    newest = out / "checkpoints" / "epoch_0002.npz"
    newest.write_bytes(newest.read_bytes()[:5000])  # As if the disk gave out mid-copy.
    (out / "checkpoints" / "epoch_0003.npz.tmp").write_bytes(b"half")  # A write cut short.
    resumed = cli(*train_command(out, tiny_npz, 3)[3:])
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "Falling back" in resumed.stderr and "epoch 1 done" in resumed.stdout
    assert [entry["epoch"] for entry in json.loads((out / "history.json").read_text())] == [1, 2, 3]


def test_nan_stops_with_the_epoch_and_keeps_the_last_good_checkpoint(tiny_npz, tmp_path, cli):
    out = tmp_path / "run"
    assert cli(*train_command(out, tiny_npz, 1)[3:]).returncode == 0
    diverged = cli(*train_command(out, tiny_npz, 3, "--d-learning-rate", "1e9",
                                  "--g-learning-rate", "1e9")[3:])
    assert diverged.returncode == 2
    last = diverged.stderr.strip().splitlines()[-1]
    assert "in epoch 2" in last and "learning rate" in last and "Traceback" not in diverged.stderr
    path, arrays = checkpoints.latest_checkpoint(out / "checkpoints")
    assert path.name == "epoch_0001.npz"
    assert all(np.isfinite(value).all() for key, value in arrays.items()
               if value.dtype.kind == "f")


def test_output_folder_that_cannot_be_created_fails_before_training(tiny_npz, tmp_path, cli):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    started = time.monotonic()
    completed = cli(*train_command(blocker / "run", tiny_npz, 50)[3:])
    assert completed.returncode == 2
    assert "Cannot write to the output folder" in completed.stderr.strip().splitlines()[-1]
    assert time.monotonic() - started < 120


@pytest.fixture
def small_filesystem(tmp_path):
    """A real 256 KiB tmpfs, where the machine lets this process mount one (root, Linux)."""
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.strip()}); the simulated "
                    "full-disk test ran instead")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


def test_full_disk_on_a_real_small_filesystem(small_filesystem):
    (small_filesystem / "filler").write_bytes(b"\0" * 200_000)  # Leaves less than 64 KiB free.
    with pytest.raises(ValueError, match=f"{small_filesystem}.*No space left on device"):
        check_writable(small_filesystem / "out")
    assert not [path for path in (small_filesystem / "out").iterdir()], "a test file was left"
    # A checkpoint that does not fit leaves the previous file intact and no temporary behind.
    (small_filesystem / "filler").unlink()
    atomic_write(small_filesystem / "state.npz", lambda handle: handle.write(b"old"))
    with pytest.raises(OSError):
        atomic_write(small_filesystem / "state.npz", lambda handle: handle.write(b"\1" * 400_000))
    assert (small_filesystem / "state.npz").read_bytes() == b"old"
    assert sorted(path.name for path in small_filesystem.iterdir()) == ["out", "state.npz"]


def test_full_disk_simulated_is_reported_with_the_path(tmp_path, monkeypatch):
    def full(descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(ValueError, match=f"{tmp_path}.*No space left on device"):
        check_writable(tmp_path / "out")


def test_load_generator_refuses_other_models_and_latent_sizes(tmp_path):
    generator = models.dcgan_generator(16, filters=(8, 4), strides=(2, 2), kernel_size=4)
    discriminator = models.dcgan_discriminator(filters=(4, 8), kernel_size=4)
    generator.save(tmp_path / "generator.keras")
    discriminator.save(tmp_path / "discriminator.keras")
    (tmp_path / "text.keras").write_text("not a model")
    with pytest.raises(ValueError, match="takes noise of size 16, not 100: use latent_dim=16"):
        load_generator(tmp_path / "generator.keras", latent_dim=100)
    with pytest.raises(ValueError, match="is it a discriminator"):
        load_generator(tmp_path / "discriminator.keras")
    with pytest.raises(ValueError, match="not a Keras model file"):
        load_generator(tmp_path / "text.keras")
    with pytest.raises(FileNotFoundError, match="ganlib train"):
        load_generator(tmp_path / "missing.keras")
    assert load_generator(tmp_path / "generator.keras", latent_dim=16).input_shape == (None, 16)
    conditional = models.conditional_generator(16, filters=(8, 4))
    conditional.save(tmp_path / "conditional.keras")
    assert len(load_generator(tmp_path / "conditional.keras", latent_dim=16).inputs) == 2
