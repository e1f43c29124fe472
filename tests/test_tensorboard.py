"""`ganlib train --tensorboard`: the event files hold every epoch's metrics and sample grid."""

import numpy as np
import tensorflow as tf


def read_events(folder):
    """{tag: [(step, value or image shape)]} from every event file below `folder`."""
    found = {}
    for path in sorted(folder.rglob("events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                tensor = tf.make_ndarray(value.tensor) if value.HasField("tensor") else None
                if value.metadata.plugin_data.plugin_name == "images":
                    height, width = int(tensor[0]), int(tensor[1])
                    image = tf.io.decode_png(tensor[2]).numpy()
                    entry = (event.step, (height, width), image)
                else:
                    entry = (event.step, float(tensor if tensor is not None else value.simple_value))
                found.setdefault(value.tag, []).append(entry)
    return found


def test_tensorboard_logs_metrics_and_grids_every_epoch(cli, tiny_npz, tmp_path):
    out = tmp_path / "run"
    completed = cli("train", "--out", out, "--epochs", "2", "--data", tiny_npz, "--batch-size",
                    "64", "--tensorboard")
    assert completed.returncode == 0, completed.stderr[-3000:]
    events = read_events(out / "tensorboard")
    for name in ("epoch_d_loss", "epoch_g_loss", "epoch_d_real", "epoch_d_fake"):
        assert [step for step, _ in events[name]] == [0, 1], (name, events.get(name))
    history = __import__("json").loads((out / "history.json").read_text())
    logged = [value for _, value in events["epoch_d_loss"]]
    np.testing.assert_allclose(logged, [entry["d_loss"] for entry in history], rtol=1e-5)
    grids = events["samples"]
    assert [step for step, _, _ in grids] == [1, 2]
    _, (height, width), image = grids[-1]
    # The same picture as the epoch's PNG (drawn at half its size there): an 8x8 grid.
    assert (height, width) == (8 * 30 + 2, 8 * 30 + 2) and image.shape[:2] == (height, width)
    assert image[0, 0, 0] == 255  # Ink on paper: white borders.
