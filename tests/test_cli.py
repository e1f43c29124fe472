"""The `ganlib` command end to end on a few hundred images, and its one-line errors."""

import json
import subprocess
import sys

import numpy as np
from PIL import Image

from conftest import REPOSITORY


def assert_one_line_error(completed, *fragments):
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert "Traceback" not in completed.stderr
    last = completed.stderr.strip().splitlines()[-1]
    assert last.startswith("ganlib ") and "error:" in last
    for fragment in fragments:
        assert fragment in last, last


def test_train_resume_and_sample_end_to_end(cli, tiny_npz, tmp_path):
    out = tmp_path / "run"
    first = cli("train", "--out", out, "--epochs", "2", "--data", tiny_npz, "--batch-size", "64")
    assert first.returncode == 0, first.stderr[-3000:]
    for name in ("generator.keras", "history.json", "progress.gif", "config.json",
                 "samples/epoch_001.png", "samples/epoch_002.png", "checkpoints/epoch_0002.npz"):
        assert (out / name).exists(), name
    assert "Resuming" not in first.stdout
    # Without --preset: the default, the self-conditioned GAN, with clusters of its own.
    assert json.loads((out / "config.json").read_text())["preset"] == "clustered"

    second = cli("train", "--out", out, "--epochs", "3", "--data", tiny_npz, "--batch-size", "64")
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Resuming from" in second.stdout and "epoch 2 done" in second.stdout
    history = json.loads((out / "history.json").read_text())
    assert [entry["epoch"] for entry in history] == [1, 2, 3]
    assert {"d_loss", "g_loss", "d_real", "d_fake", "d_accuracy", "steps", "seconds"} <= set(history[0])
    assert history[0]["steps"] == 320 // 64

    npy = tmp_path / "samples.npy"
    sampled = cli("sample", "--generator", out / "generator.keras", "--n", "10", "--out", npy)
    assert sampled.returncode == 0, sampled.stderr[-3000:]
    pixels = np.load(npy)
    assert pixels.shape == (10, 28, 28) and pixels.dtype == np.uint8
    png = tmp_path / "grid.png"
    assert cli("sample", "--generator", out / "generator.keras", "--n", "16", "--out", png).returncode == 0
    picture = np.asarray(Image.open(png))
    assert picture.shape[1] > 4 * 28
    # Ink on paper, as the notebooks show digits: white borders, a light page (the generator's
    # dark background, inverted).
    assert picture[0, 0] == 255 and picture.mean() > 128


def test_digits_and_minutes(cli, tiny_npz, tmp_path):
    out = tmp_path / "zeros"
    # The digit-zero GAN with a sigmoid output, as in the course's first seed.
    completed = cli("train", "--out", out, "--minutes", "0.05", "--data", tiny_npz, "--digits", "0",
                    "--batch-size", "8", "--scale", "sigmoid")
    assert completed.returncode == 0, completed.stderr[-3000:]
    config = json.loads((out / "config.json").read_text())
    assert config["scale"] == "sigmoid"
    assert config["digits"] == [0] and config["images"] == int(
        (np.load(tiny_npz)["y_train"] == 0).sum())
    history = json.loads((out / "history.json").read_text())
    assert history, "not even a partial epoch was recorded"
    # Each entry counts its steps; the epoch the clock stopped may be cut short.
    full_epoch = config["images"] // 8
    assert all(1 <= entry["steps"] <= full_epoch for entry in history)
    assert all(entry["steps"] == full_epoch for entry in history[:-1])


def test_resuming_with_another_preset_is_refused(cli, tiny_npz, tmp_path):
    out = tmp_path / "run"
    assert cli("train", "--out", out, "--epochs", "1", "--data", tiny_npz, "--batch-size", "64",
               "--preset", "mlp").returncode == 0
    completed = cli("train", "--out", out, "--epochs", "2", "--data", tiny_npz, "--batch-size", "64")
    assert_one_line_error(completed, "preset='mlp'", "new output folder")


def test_every_objective_and_penalty_trains_from_the_command_line(cli, tiny_npz, tmp_path):
    runs = [("hinge", "r1", "1.0"), ("least_squares", "r2", "0.1"), ("wasserstein", "gp", "10"),
            ("relativistic", "r1+r2", "0.1"), ("minimax", "none", "0"), ("non_saturating", "r1", "0.1")]
    for objective, penalty, weight in runs:
        out = tmp_path / objective
        completed = cli("train", "--out", out, "--epochs", "1", "--data", tiny_npz, "--batch-size",
                        "64", "--objective", objective, "--penalty", penalty, "--penalty-weight",
                        weight, "--penalty-interval", "2", "--ema", "200")
        assert completed.returncode == 0, (objective, completed.stderr[-3000:])
        config = json.loads((out / "config.json").read_text())
        assert (config["objective"], config["penalty"], config["ema_half_life"]) == \
            (objective, penalty, 200.0)
        entry = json.loads((out / "history.json").read_text())[0]
        assert ("penalty" in entry) == (penalty != "none"), entry
        assert ("d_real" in entry) == (objective in ("minimax", "non_saturating")), entry
        assert (out / "generator.keras").exists() and (out / "samples" / "epoch_001.png").exists()


def test_conditional_training_and_sampling_a_chosen_digit(cli, tiny_npz, tmp_path):
    out = tmp_path / "conditional"
    completed = cli("train", "--out", out, "--epochs", "1", "--data", tiny_npz, "--batch-size",
                    "32", "--conditional", "--ema", "200", "--augment", "translation")
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert json.loads((out / "config.json").read_text())["preset"] == "conditional"
    grid = np.asarray(Image.open(out / "samples" / "epoch_001.png"))
    # One row per digit, eight columns: 10 rows of 30-pixel cells (+2), drawn at twice the size.
    assert grid.shape == (2 * (10 * 30 + 2), 2 * (8 * 30 + 2))
    sevens = tmp_path / "sevens.npy"
    sampled = cli("sample", "--generator", out / "generator.keras", "--n", "6", "--out", sevens,
                  "--digit", "7")
    assert sampled.returncode == 0, sampled.stderr[-3000:]
    assert np.load(sevens).shape == (6, 28, 28)


def test_minutes_show_the_time_left_not_a_made_up_epoch_count(cli, tiny_npz, tmp_path):
    completed = cli("train", "--out", tmp_path / "timed", "--minutes", "0.1", "--data", tiny_npz,
                    "--batch-size", "32")
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "/1000000" not in completed.stdout + completed.stderr
    lines = [line for line in completed.stdout.splitlines() if line.startswith("Epoch ")]
    assert lines and "of 0.1 min used" in lines[0] and "min left" in lines[0], completed.stdout


def test_generator_reloads_in_a_fresh_process(cli, tiny_npz, tmp_path):
    out = tmp_path / "run"
    assert cli("train", "--out", out, "--epochs", "1", "--data", tiny_npz, "--batch-size", "64").returncode == 0
    # The default preset's generator is asked for a cluster beside its noise; plain Keras
    # loads and runs it, no ganlib needed.
    script = ("import sys, keras, numpy as np; g = keras.models.load_model(sys.argv[1]); "
              "x = g.predict({'noise': np.zeros((2, 100), 'float32'), "
              "'labels': np.array([0, 29], 'int32')}, verbose=0); "
              "print(x.shape, x.min() >= -1)")
    completed = subprocess.run([sys.executable, "-c", script, str(out / "generator.keras")],
                               capture_output=True, text=True, timeout=300, cwd=REPOSITORY)
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stdout.strip().splitlines()[-1] == "(2, 28, 28, 1) True"
