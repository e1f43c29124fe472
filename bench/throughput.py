"""Step speed: does ganlib's engine add overhead, and what does a learner's run get per second?

    python bench/throughput.py [--steps 40] [--seconds 30] [--repeats 3] [--out bench/RESULTS.md]

1. Overhead, at equal architecture and equal algorithm: the `tutorial` preset through
   `GAN.fit` with `update="simultaneous"` (the tutorial's one-pass step) against the tutorial's
   own `tf.function` loop (`bench/common.py`), batch 256; and with ganlib's alternating update,
   which does more arithmetic per step (4 G- and 9 D-passes against 3 and 8). GFLOP/s counts
   convolutions and dense layers.
2. A learner's speed: each preset through `ganlib.training.train` for `--seconds`, the path
   `ganlib train --minutes` takes, with TensorFlow's op determinism off (the default) and on
   (`--deterministic`), in images/s.

Every measurement is repeated `--repeats` times, the contenders taking turns within each
repeat, so a slow spell of the shared machine hits them all; tables give the median and the
spread (min-max), and each ratio is the median of the per-repeat ratios.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from common import REFERENCE_BATCH, ReferenceTutorial, median_and_spread, write_results

import keras  # noqa: I100
import numpy as np

from ganlib.data import load_mnist, make_dataset
from ganlib.training import TrainConfig, build_gan


class FitContender:
    """A preset's GAN trained through `GAN.fit` on the repeated dataset, `count` steps a call."""

    def __init__(self, preset, seed, update):
        keras.utils.set_random_seed(seed)
        config = TrainConfig(preset=preset, epochs=1, update=update, seed=seed).resolved()
        self.gan = build_gan(config)
        self.generator, self.discriminator = self.gan.generator, self.gan.discriminator

    def train_steps(self, batches, count):
        self.gan.fit(batches, steps_per_epoch=count, epochs=1, verbose=0)

    def timed_steps(self, batches, warmup, count):
        """Seconds for `count` steps inside one fit() call, after `warmup` steps of it: the
        per-step cost, without the start of a fit() call (a new iterator over the data)."""
        timer = StepClock(warmup)
        self.gan.fit(batches, steps_per_epoch=warmup + count, epochs=1, verbose=0,
                     callbacks=[timer])
        return timer.seconds


class StepClock(keras.callbacks.Callback):
    """The seconds from the start of batch `first` to the end of training."""

    def __init__(self, first):
        super().__init__()
        self.first = first

    def on_train_batch_begin(self, batch, logs=None):
        if batch == self.first:
            self.started = time.monotonic()

    def on_train_end(self, logs=None):
        self.seconds = time.monotonic() - self.started


def forward_flops(model):
    total = 0
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            side = layer.output.shape[1] if isinstance(layer, keras.layers.Conv2D) \
                else layer.input.shape[1]
            total += 2 * side * side * int(np.prod(layer.kernel.shape))
        elif isinstance(layer, keras.layers.Dense):
            total += 2 * int(np.prod(layer.kernel.shape))
    return total


def overhead(args, images):
    lines = ["| loop (tutorial preset, batch 256) | steps | s/step | images/s | GFLOP/s |",
             "|---|---|---|---|---|"]
    contenders = (("reference tf.function loop", lambda: ReferenceTutorial(0), (3, 8)),
                  ("ganlib GAN.fit, simultaneous (the reference's algorithm)",
                   lambda: FitContender("tutorial", 0, "simultaneous"), (3, 8)),
                  ("ganlib GAN.fit, alternating (ganlib's default algorithm)",
                   lambda: FitContender("tutorial", 0, "alternating"), (4, 9)))
    times, flops = {name: [] for name, _, _ in contenders}, {}
    for _ in range(args.repeats):
        for name, make, (g_passes, d_passes) in contenders:
            contender = make()
            batches = make_dataset(images, REFERENCE_BATCH, seed=0).repeat()
            contender.train_steps(batches, 5)  # Trace and warm up.
            # Both timed inside their own loop (the reference's, or one fit() call): the start
            # of a fit() call, a new pass over the data, is not a cost of the step.
            times[name].append(contender.timed_steps(batches, 5, args.steps) / args.steps)
            flops[name] = REFERENCE_BATCH * (g_passes * forward_flops(contender.generator)
                                             + d_passes * forward_flops(contender.discriminator))
    for name, seconds in times.items():
        lines.append(f"| {name} | {args.steps} | {median_and_spread(seconds, 3)} | "
                     f"{median_and_spread([REFERENCE_BATCH / s for s in seconds], 0)} | "
                     f"{median_and_spread([flops[name] / s / 1e9 for s in seconds], 1)} |")
    reference, simultaneous, alternating = (np.array(seconds) for seconds in times.values())
    return lines + ["", f"- GAN.fit time per step / reference, same algorithm: "
                    f"**{median_and_spread(simultaneous / reference)}** (1.0: train_step and "
                    "fit() add nothing)",
                    f"- alternating / reference: {median_and_spread(alternating / reference)}"]


def learner_speed(args, images):
    lines = ["", f"| `ganlib train --minutes {args.seconds / 60:g}` | images/s, op determinism "
             "off (default) | images/s, `--deterministic` | cost of determinism |",
             "|---|---|---|---|"]
    speeds = {(preset, deterministic): [] for preset in args.presets
              for deterministic in (False, True)}
    for _ in range(args.repeats):
        for preset, deterministic in speeds:
            # Op determinism cannot be switched off within a process: each run gets its own.
            speeds[preset, deterministic].append(
                run_in_subprocess(preset, deterministic, args.seconds))
    for preset in args.presets:
        off, on = np.array(speeds[preset, False]), np.array(speeds[preset, True])
        lines.append(f"| {preset} | {median_and_spread(off, 0)} | {median_and_spread(on, 0)} | "
                     f"{median_and_spread(off / on)}x |")
    return lines


SPEED_SCRIPT = """
import json, sys, tempfile
import numpy as np
from ganlib.data import load_mnist
from ganlib.training import TrainConfig, train
images, labels = load_mnist("train")
with tempfile.TemporaryDirectory() as folder:
    config = TrainConfig(preset=sys.argv[1], minutes=float(sys.argv[3]) / 60,
                         deterministic=sys.argv[2] == "1")
    result = train(folder, config, images=images, labels=labels, verbose=0, log=lambda text: None)
steps = result.history["steps"]
print(json.dumps(sum(steps) * result.config.batch_size / sum(result.history["seconds"])))
"""


def run_in_subprocess(preset, deterministic, seconds):
    completed = subprocess.run([sys.executable, "-c", SPEED_SCRIPT, preset,
                                "1" if deterministic else "0", str(seconds)],
                               capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--presets", nargs="+",
                        default=["classic", "dcgan", "clustered", "conditional"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    args = parser.parse_args()
    images, _ = load_mnist("train")
    body = overhead(args, images) + learner_speed(args, images)
    write_results(args.out, "throughput", body, len(images))


if __name__ == "__main__":
    main()
