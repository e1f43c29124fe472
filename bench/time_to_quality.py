"""Time to quality: ganlib's default preset against the TensorFlow DCGAN tutorial, side by side.

    python bench/time_to_quality.py [--seconds 300] [--n 10000] [--out bench/RESULTS.md]
    python bench/time_to_quality.py --mode throughput [--steps 60]

Mode `quality` (the default) trains two contenders in turn, in this one process, each for the
same wall-clock budget on the same data:

- reference: a faithful copy of the tutorial's training: its layers (the `tutorial` preset),
  batch 256, Adam(1e-4) for both networks, a plain `tf.function` step with two tapes;
- ganlib: the `default` preset through `GAN.fit`, with the preset's batch size and optimizers.

Each is scored by FID-MNIST (`ganlib.metrics`) on `--n` samples at a few checkpoints on the
way and at the end. It prints, per contender, steps, images/s and the FIDs; then the ratios:
reference FID / ganlib FID at equal time, and the time ganlib needed to reach the reference's
final FID as a share of the budget.

Mode `throughput` measures pure step speed at equal architecture: the `tutorial` preset under
`GAN.fit` against the reference loop, with the reference's simultaneous update (the same
arithmetic, so any difference is overhead) and with ganlib's alternating one, and the GFLOP/s
achieved against the peak this machine reaches on the model's largest convolution.

Results are appended to `bench/RESULTS.md` with the date, the machine and the command.
"""

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from ganlib import classifier, data, metrics, models  # noqa: E402
from ganlib.gan import GAN  # noqa: E402
from ganlib.train import make_optimizers  # noqa: E402

REFERENCE_BATCH = 256
REFERENCE_LEARNING_RATE = 1e-4
CHECKPOINT_FRACTIONS = (0.2, 0.4, 0.6, 0.8)


class ReferenceTutorial:
    """The TensorFlow DCGAN tutorial's training loop, as the tutorial writes it."""

    def __init__(self, seed):
        keras.utils.set_random_seed(seed)
        self.generator, self.discriminator = models.build_preset("tutorial")
        self.generator_optimizer = keras.optimizers.Adam(REFERENCE_LEARNING_RATE)
        self.discriminator_optimizer = keras.optimizers.Adam(REFERENCE_LEARNING_RATE)
        self.cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
        self.batch_size = REFERENCE_BATCH
        self.iterator = None  # Made on the first call of train_steps, then kept.
        self.update = "simultaneous"  # Both networks from one forward pass (see step_flops).

    @tf.function
    def train_step(self, images):
        noise = tf.random.normal([tf.shape(images)[0], 100])
        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated_images = self.generator(noise, training=True)
            real_output = self.discriminator(images, training=True)
            fake_output = self.discriminator(generated_images, training=True)
            gen_loss = self.cross_entropy(tf.ones_like(fake_output), fake_output)
            disc_loss = (self.cross_entropy(tf.ones_like(real_output), real_output)
                         + self.cross_entropy(tf.zeros_like(fake_output), fake_output))
        gradients_of_generator = gen_tape.gradient(gen_loss, self.generator.trainable_variables)
        gradients_of_discriminator = disc_tape.gradient(disc_loss,
                                                        self.discriminator.trainable_variables)
        self.generator_optimizer.apply_gradients(
            zip(gradients_of_generator, self.generator.trainable_variables))
        self.discriminator_optimizer.apply_gradients(
            zip(gradients_of_discriminator, self.discriminator.trainable_variables))

    def train_steps(self, batches, count):
        if self.iterator is None:
            self.iterator = iter(batches)
        for _ in range(count):
            self.train_step(next(self.iterator))


class GanlibContender:
    """A preset trained through `GAN.fit`, one step at a time under a wall-clock budget."""

    def __init__(self, preset, seed, update=None):
        keras.utils.set_random_seed(seed)
        self.generator, self.discriminator = models.build_preset(preset)
        self.gan = GAN(self.generator, self.discriminator, seed=seed)
        settings = models.PRESETS[preset]["training"]
        self.update = update or "alternating"
        self.gan.compile(*make_optimizers(preset), label_smoothing=settings["label_smoothing"],
                         update=self.update)
        self.batch_size = settings["batch_size"]

    def train_steps(self, batches, count):
        # fit() takes the (repeated) dataset itself; each call draws `count` batches from it.
        self.gan.fit(batches, steps_per_epoch=count, epochs=1, verbose=0, shuffle=False)


def run(contender, dataset, seconds=None, steps=None, on_time=None, chunk=20):
    """Train `contender` for `steps` steps, or for `seconds` of wall time in chunks of steps.

    With a time budget, `on_time(elapsed)` is called at each of CHECKPOINT_FRACTIONS of it; the
    time it takes (scoring) is not counted as training time. Returns `(steps, seconds)`.
    """
    batches = dataset.repeat()
    if seconds is None:  # A step count: one call, e.g. one fit(), as a learner would make it.
        started = time.monotonic()
        contender.train_steps(batches, steps)
        return steps, time.monotonic() - started
    started, done, marks = time.monotonic(), 0, list(CHECKPOINT_FRACTIONS)
    while True:
        elapsed = time.monotonic() - started
        if elapsed >= seconds:
            return done, elapsed
        if on_time and marks and elapsed >= marks[0] * seconds:
            pause = time.monotonic()
            on_time(elapsed)
            marks.pop(0)
            started += time.monotonic() - pause
        contender.train_steps(batches, chunk)
        done += chunk


def fid_of(generator, real_features, n, seed=123):
    noise = np.random.default_rng(seed).standard_normal((n, generator.input_shape[-1]))
    fakes = generator.predict(noise.astype("float32"), batch_size=500, verbose=0)
    features, _ = classifier.classify(fakes)
    return float(metrics.frechet_distance(real_features, features))


def quality(args, images, real_features, baseline):
    rows = {}
    for name, contender in (("reference (tutorial loop)", ReferenceTutorial(args.seed)),
                            ("ganlib default (GAN.fit)", GanlibContender("default", args.seed))):
        dataset = data.make_dataset(images, contender.batch_size, seed=args.seed)
        curve = []
        steps, elapsed = run(
            contender, dataset, seconds=args.seconds,
            on_time=lambda t, c=contender, curve=curve: curve.append(
                (round(t), fid_of(c.generator, real_features, args.n))))
        final = fid_of(contender.generator, real_features, args.n)
        curve.append((round(elapsed), final))
        rows[name] = {"steps": steps, "images_per_second": steps * contender.batch_size / elapsed,
                      "fid_curve": curve, "fid": final}
        print(json.dumps({name: rows[name]}), flush=True)
    reference, ours = rows["reference (tutorial loop)"], rows["ganlib default (GAN.fit)"]
    reached = next((t for t, fid in ours["fid_curve"] if fid <= reference["fid"]), None)
    lines = [f"Budget {args.seconds} s per contender; FID-MNIST on {args.n} samples "
             f"(real data, test vs train at the same n: {baseline:.2f}).", "",
             "| contender | steps | images/s | FID on the way (s: FID) | final FID | x real |",
             "|---|---|---|---|---|---|"]
    for name, row in rows.items():
        way = ", ".join(f"{t}: {fid:.1f}" for t, fid in row["fid_curve"][:-1])
        lines.append(f"| {name} | {row['steps']} | {row['images_per_second']:.0f} | {way} | "
                     f"{row['fid']:.2f} | {row['fid'] / baseline:.1f} |")
    lines += ["", f"- reference FID / ganlib FID at equal time: **{reference['fid'] / ours['fid']:.1f}x**",
              "- ganlib reached the reference's final FID after: " +
              (f"**{reached} s = {reached / args.seconds:.2f} of the budget** (first checkpoint "
               "at or below it)" if reached is not None else "not within the budget")]
    return lines


def conv_peak_gflops(seconds=3.0):
    """GFLOP/s this machine reaches on the tutorial generator's largest convolution alone."""
    layer = keras.layers.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False)
    inputs = tf.random.normal((256, 7, 7, 256))
    run = tf.function(lambda x: layer(x))
    run(inputs)
    count, started = 0, time.monotonic()
    while time.monotonic() - started < seconds:
        run(inputs).numpy()
        count += 1
    flops = 2 * 256 * 7 * 7 * 5 * 5 * 256 * 128  # Multiply-adds of one forward pass, times 2.
    return flops * count / (time.monotonic() - started) / 1e9


def step_flops(generator, discriminator, batch, update="alternating"):
    """FLOPs of one training step, counting convolutions and dense layers only.

    A backward pass costs about twice its forward pass. Alternating (ganlib's default): the
    discriminator step is G forward, D forward on real and fake, D backward for both (1 G- and
    6 D-forwards); the generator step is G and D forward, backward through both (3 G- and
    3 D-forwards); in all 4 G- and 9 D-forward passes. Simultaneous (the tutorial's step): one
    G forward and backward (3), D forward on real and fake, backward for D's loss (6), and
    backward through D on the fakes for G's loss (2): 3 G- and 8 D-forward passes.
    """
    def forward(model):
        total = 0
        for layer in model.layers:
            if isinstance(layer, (keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
                kernel = layer.kernel.shape
                side = layer.output.shape[1] if isinstance(layer, keras.layers.Conv2D) \
                    else layer.input.shape[1]
                total += 2 * side * side * int(np.prod(kernel))
            elif isinstance(layer, keras.layers.Dense):
                total += 2 * int(np.prod(layer.kernel.shape))
        return total
    g_passes, d_passes = (4, 9) if update == "alternating" else (3, 8)
    return batch * (g_passes * forward(generator) + d_passes * forward(discriminator))


def throughput(args, images):
    lines = ["| loop (tutorial preset, batch 256) | steps | s/step | images/s | GFLOP/s |",
             "|---|---|---|---|---|"]
    peak = conv_peak_gflops()
    results = {}
    contenders = (("reference tf.function loop", lambda: ReferenceTutorial(args.seed)),
                  ("ganlib GAN.fit, simultaneous update (the reference's algorithm)",
                   lambda: GanlibContender("tutorial", args.seed, update="simultaneous")),
                  ("ganlib GAN.fit, alternating update (ganlib's default algorithm)",
                   lambda: GanlibContender("tutorial", args.seed, update="alternating")))
    for name, make in contenders:
        contender = make()
        contender.batch_size = REFERENCE_BATCH
        dataset = data.make_dataset(images, REFERENCE_BATCH, seed=args.seed)
        run(contender, dataset, steps=5)  # Trace and warm up.
        steps, elapsed = run(contender, dataset, steps=args.steps)
        flops = step_flops(contender.generator, contender.discriminator, REFERENCE_BATCH,
                           contender.update)
        results[name] = elapsed / steps
        lines.append(f"| {name} | {steps} | {elapsed / steps:.3f} | "
                     f"{steps * REFERENCE_BATCH / elapsed:.0f} | {flops * steps / elapsed / 1e9:.1f} |")
    reference, simultaneous, alternating = results.values()
    lines += ["", f"- GAN.fit time per step / reference time per step, same algorithm: "
              f"**{simultaneous / reference:.2f}** (at most 1.0 means train_step and fit() add no "
              "overhead)",
              f"- alternating update / reference: {alternating / reference:.2f} (it does more "
              "arithmetic per step: 4 G- and 9 D-passes against 3 and 8)",
              f"- peak on the largest convolution alone (Conv2DTranspose 256->128, 5x5, 7x7, "
              f"batch 256): {peak:.1f} GFLOP/s"]
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=["quality", "throughput"], default="quality")
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    args = parser.parse_args()

    images, _ = data.load_mnist("train", path=args.data)
    if args.mode == "quality":
        test_images, _ = data.load_mnist("test", path=args.data)
        n = min(args.n, len(test_images))
        args.n = n
        real_features, _ = classifier.classify(images[np.random.default_rng(0).permutation(len(images))[:n]])
        test_features, _ = classifier.classify(test_images[:n])
        baseline = float(metrics.frechet_distance(real_features, test_features))
        body = quality(args, images, real_features, baseline)
    else:
        body = throughput(args, images)
    header = [f"## {args.mode}: {datetime.date.today().isoformat()}", "",
              f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
              f"TensorFlow {tf.__version__}, Keras {keras.__version__}; "
              f"{len(images)} training images.",
              f"Command: `python {' '.join(sys.argv)}`", ""]
    text = "\n".join(header + body) + "\n\n"
    print(text)
    with open(args.out, "a") as handle:
        handle.write(text)


if __name__ == "__main__":
    main()
