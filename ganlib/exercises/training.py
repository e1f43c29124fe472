"""Checks for 06_training's exercises: gap_callback, sample_from_file, d_steps_experiment.

- `gap_callback` feeds made-up epochs to several callbacks with different thresholds, every
  number exact in binary, so a hard-coded threshold, `>=` for `>`, or a list shared by all
  instances each show.
- `sample_from_file` saves its own small generator (plain Keras: noise (8,) -> Dense(784, tanh))
  and asks for what is required, not how: uint8 `(n, 28, 28)`, a seed that repeats and
  matters, and images the saved generator draws for SOME standard normal noise. The noise is
  recovered from the pixels (arctanh, then least squares), so any correct way of drawing it
  passes, and the recovered noise must look standard normal.
- `d_steps_experiment` compares the learner's own count of updates, from a run's history,
  with an independent count: the counters of the run's two optimizers (`_optimizer_counts`,
  the one place that reads a training result). The learner also writes the counting function,
  which is tried on made-up histories first, so a function that only reads the optimizers'
  counters cannot pass: the made-up histories come without them.
"""

import math
import tempfile
from pathlib import Path

import keras
import numpy as np
from keras import layers

from ganlib.exercises.report import (Diagnosis, When, as_array, as_number, call, diagnose,
                                     exercise, fail, require, rounded)

# (threshold, [(d_real, d_fake) per epoch]): gaps 0.25 0.5 0.75 0.96875; -0.5 0.25 0.125 0.375;
# 0.5 1.0. Each threshold is met exactly by one gap, so `>=` and `>` part ways.
GAP_RUNS = ((0.5, ((0.625, 0.375), (0.75, 0.25), (0.875, 0.125), (1.0, 0.03125))),
            (0.25, ((0.25, 0.75), (0.5, 0.25), (0.5, 0.375), (0.75, 0.375))),
            (1.0, ((0.75, 0.25), (1.0, 0.0))))


# What fit() logs besides D(x) and D(G(z)): there, but of no use to this callback.
OTHER_LOGS = {"d_loss": 1.25, "g_loss": 0.75, "d_accuracy": 0.5}


class _FakeModel:
    """Stands in for the model a callback watches: only `stop_training` is used."""

    stop_training = False


def _first_stop(gaps, stops):
    """The epoch (1, 2, ...) after which `stops(gap)` first held; 0 for never."""
    return next((epoch for epoch, gap in enumerate(gaps, 1) if stops(gap)), 0)


def _feed(callback_class, threshold, epochs):
    """Run one callback through made-up epochs: its gaps, and after which epoch it stopped."""
    callback = call(callback_class, threshold=threshold, label="the callback class")
    require(isinstance(callback, keras.callbacks.Callback), f"{type(callback).__name__} is not "
            "a Keras callback", "subclass keras.callbacks.Callback so fit() accepts it",
            "not_a_callback")
    model, stopped = _FakeModel(), 0
    callback.set_model(model)
    for epoch, (real, fake) in enumerate(epochs):
        logs = {**OTHER_LOGS, "d_real": real, "d_fake": fake}
        call(callback.on_epoch_end, epoch, logs, label="on_epoch_end")
        stopped = stopped or (epoch + 1 if model.stop_training else 0)
    gaps = getattr(callback, "gaps", None)
    try:
        return [float(gap) for gap in gaps], stopped
    except (TypeError, ValueError):
        fail(f"self.gaps is {gaps!r}", "make it a list of numbers, one per epoch", "gaps_type")


@exercise("gap_callback")
def gap_callback(callback_class):
    """Check a Keras callback class `callback_class(threshold=...)` that watches the balance.

    After every epoch it must append `logs["d_real"] - logs["d_fake"]` to its own list
    `self.gaps`, and set `self.model.stop_training = True` once a gap is strictly greater than
    `threshold`. Tried with thresholds 0.5, 0.25 and 1.0 on made-up epochs.
    """
    for threshold, epochs in GAP_RUNS:
        expected = [real - fake for real, fake in epochs]
        gaps, stopped = _feed(callback_class, threshold, epochs)
        diagnose(gaps, expected, [
            Diagnosis("shared_list", When(lambda got: len(got) > len(expected)),
                      "gaps from an earlier callback are in this one's list: is the list "
                      "shared by every instance of the class?"),
            Diagnosis("no_gaps", [], "nothing was recorded: append each epoch's gap"),
            Diagnosis("reversed", [-gap for gap in expected],
                      "the sign is flipped: the gap is D(x) - D(G(z))"),
            Diagnosis("absolute", [abs(gap) for gap in expected],
                      "a gap can be negative; keep its sign")],
            f"threshold {threshold}: self.gaps is {rounded(gaps)}",
            f"one gap per epoch, d_real - d_fake: {expected}")
        diagnose(stopped, _first_stop(expected, lambda gap: gap > threshold), [
            Diagnosis("greater_or_equal", _first_stop(expected, lambda gap: gap >= threshold),
                      "it stopped at a gap equal to the threshold: stop only above it"),
            Diagnosis("fixed_threshold", _first_stop(expected, lambda gap: gap > 0.9),
                      "it stops where 0.9 would: use the threshold it was given"),
            Diagnosis("absolute", _first_stop(expected, lambda gap: abs(gap) > threshold),
                      "a negative gap means the generator is ahead: only a large positive gap "
                      "should stop training"),
            Diagnosis("never", 0, "it never asked fit() to stop: set the model's stop_training"),
            Diagnosis("always", 1, "it stopped after the first epoch, whatever the gap")],
            f"threshold {threshold}, gaps {expected}: "
            + (f"stopped after epoch {stopped}" if stopped else "never stopped"),
            "stop after the first epoch whose gap is above the threshold")
    return "records every gap and stops exactly when one exceeds its own threshold"


SAMPLE_LATENT_DIM = 8
SAMPLE_COUNT = 64


def _save_generator(folder):
    """Save noise (8,) -> Dense(784, tanh) -> (28, 28, 1); return the path, kernel and bias."""
    rng = np.random.default_rng(5)
    kernel = rng.normal(0.0, 0.1, (SAMPLE_LATENT_DIM, 784)).astype("float32")  # (8, 784)
    bias = rng.normal(0.0, 0.05, 784).astype("float32")
    model = keras.Sequential([keras.Input((SAMPLE_LATENT_DIM,)),
                              layers.Dense(784, activation="tanh"), layers.Reshape((28, 28, 1))])
    model.layers[0].set_weights([kernel, bias])
    path = Path(folder) / "generator.keras"
    model.save(path)
    return path, kernel.astype("float64"), bias.astype("float64")


def _recover_noise(images, kernel, bias):
    """The noise `(n, 8)` that best explains uint8 `images`, and the largest pixel difference
    between the images and what the generator draws for that noise."""
    pixels = images.reshape(len(images), 784).astype("float64")
    noise = np.zeros((len(images), SAMPLE_LATENT_DIM))
    for index, row in enumerate(pixels):
        inside = (row >= 2) & (row <= 253)  # Saturated pixels say little about the noise.
        if inside.sum() < 20:
            return noise, 255.0
        target = np.arctanh(row[inside] / 127.5 - 1.0) - bias[inside]
        noise[index] = np.linalg.lstsq(kernel[:, inside].T, target, rcond=None)[0]
    redrawn = (np.tanh(noise @ kernel + bias) + 1.0) * 127.5
    return noise, float(np.abs(redrawn - pixels).max())


@exercise("sample_from_file")
def sample_from_file(function):
    """Check `function(path, n, seed)`: load a saved generator and draw `n` digits.

    It must return uint8 pixels `(n, 28, 28)`, where -1 is 0 and 1 is 255; the same seed must
    give the same digits and another seed others; and every image must be what the saved
    generator draws (in inference mode) for some standard normal noise `(n, latent_dim)`,
    however that noise was drawn (NumPy, `tf.random`, `keras.random`, `ganlib.generate`).
    """
    with tempfile.TemporaryDirectory() as folder:
        path, kernel, bias = _save_generator(folder)
        draws = [call(function, path, SAMPLE_COUNT, seed) for seed in (3, 3, 4)]
    images = as_array(draws[0], "sample_from_file")
    diagnose(images.shape, (SAMPLE_COUNT, 28, 28), [
        Diagnosis("channel_axis", (SAMPLE_COUNT, 28, 28, 1), "drop the channel axis"),
        Diagnosis("wrong_count", When(lambda shape: shape[1:] == (28, 28)),
                  "draw as many images as n asks for")],
        f"asked for {SAMPLE_COUNT} images, got shape {images.shape}",
        f"expected ({SAMPLE_COUNT}, 28, 28)")
    require(images.dtype == np.uint8, f"dtype {images.dtype}, expected uint8",
            "pixels are whole numbers 0..255: turn the generator's [-1, 1] into them", "dtype")
    require(np.array_equal(as_array(draws[1], "sample_from_file"), images),
            "two calls with seed 3 gave different images", "the seed should fix the noise",
            "unseeded")
    require(not np.array_equal(as_array(draws[2], "sample_from_file"), images),
            "seeds 3 and 4 gave the same images", "the noise should come from the seed",
            "ignores_seed")
    noise, difference = _recover_noise(images, kernel, bias)
    diagnose(difference, When(lambda got: got <= 2.0), [
        Diagnosis("sigmoid_unscale", When(lambda _: np.mean(images == 0) > 0.3),
                  "many pixels are 0: the generator's output is in [-1, 1], not [0, 1]")],
        "these are not the images the saved generator draws for any noise",
        "load the generator at path, feed it noise of its latent size, and map -1..1 onto "
        "0..255")
    mean, spread = noise.mean(), noise.std()
    require(abs(mean) < 0.25 and 0.75 < spread < 1.25,
            f"the noise behind the images has mean {mean:.2f} and spread {spread:.2f}",
            "the generator was trained on standard normal noise: mean 0, spread 1",
            "noise_distribution")
    return ("uint8 (n, 28, 28) drawn by the saved generator from standard normal noise, "
            "repeatable by seed")


def _optimizer_counts(result):
    """Updates counted by a training result's two optimizers: ((d, g), (d_slack, g_slack)).

    A `LossScaleOptimizer` does not count the steps it skipped for overflowing gradients; the
    slack bounds how many that can be: each skip halved the loss scale, each growth (after
    `dynamic_growth_steps` good steps) doubled it.
    """
    optimizers = (result.gan.d_optimizer, result.gan.g_optimizer)
    counts = tuple(int(np.asarray(optimizer.iterations)) for optimizer in optimizers)
    slack = tuple(
        round(math.log2(optimizer.initial_scale / float(np.asarray(optimizer.dynamic_scale))))
        + count // optimizer.dynamic_growth_steps
        if isinstance(optimizer, keras.optimizers.LossScaleOptimizer) else 0
        for optimizer, count in zip(optimizers, counts))
    return counts, slack


def _counted(count_updates, history, d_steps, name):
    value = call(count_updates, history, d_steps)
    require(isinstance(value, (tuple, list)) and len(value) == 2,
            f"{name}: count_updates returned {type(value).__name__}",
            "return the pair (d_updates, g_updates)", "not_a_pair")
    return [as_number(value[0], f"{name}: d_updates"), as_number(value[1], f"{name}: g_updates")]


def _made_up_history(steps):
    epochs = len(steps)
    return {"d_loss": [1.2] * epochs, "g_loss": [0.9] * epochs, "d_real": [0.6] * epochs,
            "d_fake": [0.4] * epochs, "steps": list(steps), "seconds": [30.0] * epochs}


def _describe(results):
    """`results` in a few words: {1: NoneType, 2: TrainResult}, or a list."""
    if not isinstance(results, dict):
        return f"a {type(results).__name__}"
    pairs = (f"{key!r}: {type(value).__name__}" for key, value in results.items())
    return "{" + ", ".join(pairs) + "}"


@exercise("d_steps_experiment")
def d_steps_experiment(results, count_updates=None):
    """Check the d_steps experiment: two runs and your count of their updates.

    `results` maps k (1 and 2) to what `ganlib.train(..., d_steps=k)` returned.
    `count_updates(history, d_steps) -> (d_updates, g_updates)` counts the discriminator and
    generator updates of a run from its per-epoch history alone: `history["steps"]` holds the
    training steps of each epoch (the last may be cut short by the time limit), and each step
    makes `d_steps` discriminator updates and one generator update. The check tries it on
    made-up histories, then compares its counts for your two runs with the updates counted by
    each run's two optimizers (which also shows that each run really used d_steps=k).
    """
    require(callable(count_updates), "there is no count_updates to try",
            "write count_updates(history, d_steps) and pass it to the check as well",
            "no_count_function")
    for d_steps, steps in ((1, (30, 30, 12)), (2, (30, 30, 12)), (3, (25, 7))):
        name = f"steps {list(steps)}, d_steps={d_steps}"
        counted = _counted(count_updates, _made_up_history(steps), d_steps, name)
        total, epochs, full = sum(steps), len(steps), max(steps) * len(steps)
        diagnose(counted, [d_steps * total, total], [
            Diagnosis("epochs", [d_steps * epochs, epochs],
                      "that counts epochs; each epoch made history['steps'] steps"),
            Diagnosis("ignores_d_steps", [total, total],
                      "each step updates the discriminator d_steps times"),
            Diagnosis("swapped", [total, d_steps * total],
                      "the discriminator is the one updated d_steps times a step"),
            Diagnosis("full_epochs", [d_steps * full, full],
                      "an epoch can be cut short by the time limit: count its real steps")],
            f"{name}: counted {rounded(counted)}", "count the steps, then what each step does")
    require(isinstance(results, dict) and all(results.get(k) is not None for k in (1, 2)),
            f"results is {_describe(results)}", "make it {1: what train returned with "
                                                "d_steps=1, 2: ... with d_steps=2}", "no_runs")
    made = []
    for k in (1, 2):
        try:
            (d_updates, g_updates), (d_slack, g_slack) = _optimizer_counts(results[k])
            history = dict(results[k].history)
        except (AttributeError, TypeError, ValueError):
            fail(f"results[{k}] is a {type(results[k]).__name__}",
                 f"store what ganlib.train(..., d_steps={k}) returns", "not_a_run")
        require(g_updates > 0, f"d_steps={k}: the run made no updates", "train for a while",
                "no_updates")
        require(abs(d_updates - k * g_updates) <= d_slack + k * g_slack,
                f"d_steps={k}: {d_updates} discriminator and {g_updates} generator updates",
                f"this run did not train with d_steps={k}", "wrong_d_steps")
        counted = _counted(count_updates, history, k, f"d_steps={k}")
        require(all(0 <= mine - real <= slack for mine, real, slack
                    in zip(counted, (d_updates, g_updates), (d_slack, g_slack))),
                f"d_steps={k}: you counted {rounded(counted)}, the optimizers "
                f"{[d_updates, g_updates]}", "count from this run's history['steps']",
                "count_mismatch")
        require(len(history.get("d_real", ())) > 0 and len(history.get("d_fake", ())) > 0,
                f"d_steps={k}: the history has no d_real or d_fake to plot",
                "train at least one epoch", "no_balance")
        made.append(g_updates)
    return (f"your counts match both runs' optimizers; the generator was updated {made[0]} "
            f"times with d_steps=1 and {made[1]} times with d_steps=2")
