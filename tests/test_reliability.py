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
from ganlib import checkpoints
from ganlib import train as training


def train_command(out, data, epochs, *extra):
    return [sys.executable, "-m", "ganlib", "train", "--out", str(out), "--data", str(data),
            "--epochs", str(epochs), "--batch-size", "16", *map(str, extra)]


def test_sigkill_mid_epoch_then_resume_finishes_the_run(tiny_npz, tmp_path, cli):
    out = tmp_path / "run"
    process = subprocess.Popen(train_command(out, tiny_npz, 6), cwd=REPOSITORY,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    deadline = time.monotonic() + 300
    while not (out / "checkpoints" / "epoch_0002.npz").exists():
        assert process.poll() is None, "training ended before it could be killed"
        assert time.monotonic() < deadline, "no checkpoint after 300 s"
        time.sleep(0.05)
    time.sleep(0.3)  # Into the next epoch (20 steps of 16 images each).
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_at = checkpoints.list_checkpoints(out / "checkpoints")[-1]
    killed_epoch = int(killed_at.stem.split("_")[1])
    assert 2 <= killed_epoch < 6, "the kill came after the run had finished"
    noise_before = checkpoints.read_checkpoint(killed_at)["fixed_noise"]

    resumed = cli(*train_command(out, tiny_npz, 6)[3:])
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"epoch {killed_epoch} done" in resumed.stdout
    history = json.loads((out / "history.json").read_text())
    assert [entry["epoch"] for entry in history] == [1, 2, 3, 4, 5, 6]
    assert sorted(path.name for path in (out / "samples").glob("*.png")) == \
        [f"epoch_{epoch:03d}.png" for epoch in range(1, 7)]
    final = checkpoints.read_checkpoint(out / "checkpoints" / "epoch_0006.npz")
    np.testing.assert_array_equal(final["fixed_noise"], noise_before)
    assert not list((out / "checkpoints").glob("*.tmp"))


def run_notebook_command(notebook, output, parameters, cwd):
    """papermill on the command line, as a learner (or CI) runs a notebook headless."""
    command = [sys.executable, "-m", "papermill", str(notebook), str(output), "--cwd", str(cwd),
               "-k", "python3", "--no-progress-bar"]
    for name, value in parameters.items():
        command += ["-p", name, str(value)]
    return command


def test_sigkill_during_a_notebook_run_then_rerun_resumes_it(mnist_path, tmp_path):
    """05_training killed mid-training (papermill and its kernel), then run again: it resumes."""
    notebook = REPOSITORY / "notebooks" / "05_training.ipynb"
    out = tmp_path / "runs"
    main_dir = out / "main"
    # 50 steps of 32 images an epoch: long enough to kill the kernel part-way through the run.
    parameters = {"EPOCHS": 4, "IMAGES": 1600, "OUT_DIR": out}
    env = dict(os.environ, GANLIB_QUICK="1", GANLIB_DATA=str(mnist_path))
    process = subprocess.Popen(
        run_notebook_command(notebook, tmp_path / "killed.ipynb", parameters, tmp_path),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        start_new_session=True)  # Its own process group: the kernel dies with papermill.
    deadline = time.monotonic() + 600
    try:
        while not (main_dir / "checkpoints" / "epoch_0001.npz").exists():
            assert process.poll() is None, "the notebook ended before it could be killed"
            assert time.monotonic() < deadline, "no checkpoint after 600 s"
            time.sleep(0.05)
        time.sleep(0.5)  # Into epoch 2.
    finally:
        with contextlib.suppress(ProcessLookupError):  # Already gone: the assertion says why.
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
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


def test_full_disk_is_reported_with_the_path(tmp_path, monkeypatch):
    def full(descriptor):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(ValueError, match=f"{tmp_path}.*No space left on device"):
        training.check_writable(tmp_path / "out")


def test_load_generator_refuses_other_models_and_latent_sizes(tmp_path):
    from ganlib import models

    generator = models.dcgan_generator(16, filters=(8, 4), strides=(2, 2), kernel_size=4)
    discriminator = models.dcgan_discriminator(filters=(4, 8), kernel_size=4)
    generator.save(tmp_path / "generator.keras")
    discriminator.save(tmp_path / "discriminator.keras")
    (tmp_path / "text.keras").write_text("not a model")
    with pytest.raises(ValueError, match="takes noise of size 16, not 100: use latent_dim=16"):
        training.load_generator(tmp_path / "generator.keras", latent_dim=100)
    with pytest.raises(ValueError, match="is it a discriminator"):
        training.load_generator(tmp_path / "discriminator.keras")
    with pytest.raises(ValueError, match="not a Keras model file"):
        training.load_generator(tmp_path / "text.keras")
    with pytest.raises(FileNotFoundError, match="ganlib train"):
        training.load_generator(tmp_path / "missing.keras")
    assert training.load_generator(tmp_path / "generator.keras", latent_dim=16).input_shape == (None, 16)
