"""The checks of 06_training's exercises: right answers in several styles pass, each usual wrong
answer fails with its own diagnosis and line, and the notebook's stubs fail quietly."""

from types import SimpleNamespace

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlib.exercises import solutions, training
from test_exercises_report import case_ids, cases, expect_verdict, verdict_of


def raising_stub(*args, **kwargs):
    raise NotImplementedError("Write this function.")


# --- gap_callback -------------------------------------------------------------------------------


class DiscriminatorGap(keras.callbacks.Callback):
    """Record D(x) - D(G(z)) after every epoch; stop when it exceeds `threshold`."""

    def __init__(self, threshold=0.9):
        super().__init__()
        self.threshold = threshold
        self.gaps = []

    def on_epoch_end(self, epoch, logs=None):
        pass  # Your code here.


def gap_callback(rule=lambda gap, threshold: gap > threshold, gap=lambda real, fake: real - fake):
    """A callback class; `rule` and `gap` make the usual mistakes."""
    class Callback(DiscriminatorGap):
        def on_epoch_end(self, epoch, logs=None):
            self.gaps.append(gap(logs["d_real"], logs["d_fake"]))
            if rule(self.gaps[-1], self.threshold):
                self.model.stop_training = True
    return Callback


class GapOneLiner(keras.callbacks.Callback):
    def __init__(self, threshold):
        super().__init__()
        self.threshold, self.gaps = threshold, []

    def on_epoch_end(self, epoch, logs=None):
        self.gaps.append(float(logs["d_real"]) - float(logs["d_fake"]))
        self.model.stop_training = self.model.stop_training or self.gaps[-1] > self.threshold


class SharedList(keras.callbacks.Callback):
    gaps = []  # One list for every instance: the mistake.

    def __init__(self, threshold=0.9):
        super().__init__()
        self.threshold = threshold

    def on_epoch_end(self, epoch, logs=None):
        self.gaps.append(logs["d_real"] - logs["d_fake"])
        if self.gaps[-1] > self.threshold:
            self.model.stop_training = True


class ThirdEpoch(DiscriminatorGap):
    def on_epoch_end(self, epoch, logs=None):
        self.gaps.append(logs["d_real"] - logs["d_fake"])
        if epoch == 2:
            self.model.stop_training = True


class NotACallback:
    def __init__(self, threshold=0.9):
        self.threshold, self.gaps = threshold, []


GAP_WRONG = [
    (gap_callback(rule=lambda gap, threshold: gap >= threshold), "greater_or_equal",
     "threshold 0.5, gaps [0.25, 0.5, 0.75, 0.96875]: stopped after epoch 2 — it stopped at a "
     "gap equal to the threshold: stop only above it"),
    (gap_callback(rule=lambda gap, threshold: gap > 0.9), "fixed_threshold",
     "threshold 0.5, gaps [0.25, 0.5, 0.75, 0.96875]: stopped after epoch 4 — it stops where 0.9 "
     "would: use the threshold it was given"),
    (gap_callback(rule=lambda gap, threshold: abs(gap) > threshold), "absolute",
     "threshold 0.25, gaps [-0.5, 0.25, 0.125, 0.375]: stopped after epoch 1 — a negative gap "
     "means the generator is ahead: only a large positive gap should stop training"),
    (gap_callback(rule=lambda gap, threshold: False), "never",
     "threshold 0.5, gaps [0.25, 0.5, 0.75, 0.96875]: never stopped — it never asked fit() to "
     "stop: set the model's stop_training"),
    (gap_callback(rule=lambda gap, threshold: True), "always",
     "threshold 0.5, gaps [0.25, 0.5, 0.75, 0.96875]: stopped after epoch 1 — it stopped after "
     "the first epoch, whatever the gap"),
    (ThirdEpoch, "mismatch",
     "threshold 0.25, gaps [-0.5, 0.25, 0.125, 0.375]: stopped after epoch 3 — stop after the "
     "first epoch whose gap is above the threshold"),
    (gap_callback(gap=lambda real, fake: fake - real, rule=lambda gap, threshold: -gap > threshold),
     "reversed",
     "threshold 0.5: self.gaps is [-0.25, -0.5, -0.75, -0.9688] — the sign is flipped: the gap "
     "is D(x) - D(G(z))"),
    (gap_callback(gap=lambda real, fake: abs(real - fake)), "absolute",
     "threshold 0.25: self.gaps is [0.5, 0.25, 0.125, 0.375] — a gap can be negative; keep its "
     "sign"),
    (gap_callback(gap=lambda real, fake: real), "mismatch",
     "threshold 0.5: self.gaps is [0.625, 0.75, 0.875, 1.0] — one gap per epoch, d_real - "
     "d_fake: [0.25, 0.5, 0.75, 0.96875]"),
    (SharedList, "shared_list",
     "threshold 0.25: self.gaps is [0.25, 0.5, 0.75, 0.9688, -0.5, 0.25, 0.125, 0.375] — gaps "
     "from an earlier callback are in this one's list: is the list shared by every instance of "
     "the class?"),
    (NotACallback, "not_a_callback",
     "NotACallback is not a Keras callback — subclass keras.callbacks.Callback so fit() accepts "
     "it"),
    (type("NoGaps", (DiscriminatorGap,), {"__init__": lambda self, threshold: setattr(
        self, "gaps", None)}), "gaps_type",
     "self.gaps is None — make it a list of numbers, one per epoch"),
    (type("NoList", (DiscriminatorGap,), {"__init__": lambda self, threshold: None}),
     "gaps_type", "self.gaps is None — make it a list of numbers, one per epoch"),
    (raising_stub, "raised",
     "the callback class raised NotImplementedError: Write this function. — read the error, then "
     "try your code by hand on a small input"),
    (type("Raising", (DiscriminatorGap,), {"on_epoch_end": raising_stub}), "raised",
     "on_epoch_end raised NotImplementedError: Write this function. — read the error, then try "
     "your code by hand on a small input"),
    (DiscriminatorGap, "no_gaps",
     "threshold 0.5: self.gaps is [] — nothing was recorded: append each epoch's gap"),
]


def test_every_gap_and_threshold_is_exact_in_binary():
    for threshold, epochs in training.GAP_RUNS:
        gaps = [real - fake for real, fake in epochs]
        assert threshold in gaps  # One gap equals the threshold, so >= and > part ways.
        assert all(gap == np.float32(gap) for gap in gaps)
    assert [threshold for threshold, _ in training.GAP_RUNS] == [0.5, 0.25, 1.0]


def test_the_accepted_callback_stops_a_real_fit():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    callback = solutions.DiscriminatorGap(threshold=0.1)

    class Balance(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs.update(d_real=0.5 + 0.1 * epoch, d_fake=0.4)

    history = model.fit(np.zeros((4, 2)), np.zeros((4, 1)), epochs=5, verbose=0,
                        callbacks=[Balance(), callback])
    assert len(history.history["loss"]) == 2 and callback.gaps == pytest.approx([0.1, 0.2])


# --- sample_from_file ---------------------------------------------------------------------------


def sample_stub(path, n, seed):
    """n digits from the generator saved at path: uint8 (n, 28, 28), repeatable by seed."""
    return None  # Your code here.


def draw(path, n, seed, noise="numpy", unscale=None, latent_dim=None):
    """Sample in one of several styles; the arguments make the usual mistakes."""
    generator = keras.models.load_model(path)
    shape = (n, latent_dim or generator.input_shape[-1])
    if noise == "numpy":
        z = np.random.default_rng(seed).standard_normal(shape).astype("float32")
    elif noise == "stateless":
        z = tf.random.stateless_normal(shape, seed=[seed, 0])
    elif noise == "keras":
        z = keras.random.normal(shape, seed=seed)
    elif noise == "uniform":
        z = np.random.default_rng(seed).uniform(-1.0, 1.0, shape).astype("float32")
    elif noise == "unseeded":
        z = np.random.default_rng().standard_normal(shape).astype("float32")
    else:  # A fixed seed.
        z = np.random.default_rng(0).standard_normal(shape).astype("float32")
    images = np.asarray(generator.predict(z, verbose=0))
    if unscale is None:
        return ((images[..., 0] + 1.0) * 127.5).astype(np.uint8)  # Truncates: also right.
    return unscale(images)


def sample_with_ganlib(path, n, seed):
    import ganlib

    return ganlib.data.unscale_images(ganlib.generate(ganlib.load_generator(path), n, seed))


SAMPLE_WRONG = [
    (lambda path, n, seed: draw(path, n, seed, unscale=lambda images: images[..., 0]), "dtype",
     "dtype float32, expected uint8 — pixels are whole numbers 0..255: turn the generator's "
     "[-1, 1] into them"),
    (lambda path, n, seed: draw(path, n, seed, noise="unseeded"), "unseeded",
     "two calls with seed 3 gave different images — the seed should fix the noise"),
    (lambda path, n, seed: draw(path, n, seed, noise="fixed"), "ignores_seed",
     "seeds 3 and 4 gave the same images — the noise should come from the seed"),
    (lambda path, n, seed: draw(path, n, seed, noise="uniform"), "noise_distribution",
     "the noise behind the images has mean -0.01 and spread 0.56 — the generator was trained on "
     "standard normal noise: mean 0, spread 1"),
    (lambda path, n, seed: draw(path, n, seed, unscale=lambda images: np.round(
        np.clip(images[..., 0], 0.0, 1.0) * 255).astype(np.uint8)), "sigmoid_unscale",
     "these are not the images the saved generator draws for any noise — many pixels are 0: "
     "the generator's output is in [-1, 1], not [0, 1]"),
    (lambda path, n, seed: draw(path, n, seed, unscale=lambda images: (
        images[..., 0] * 255).astype(np.uint8)), "mismatch",
     "these are not the images the saved generator draws for any noise — load the generator at "
     "path, feed it noise of its latent size, and map -1..1 onto 0..255"),
    (lambda path, n, seed: draw(path, n, seed, unscale=lambda images: np.round(
        (images + 1.0) * 127.5).astype(np.uint8)), "channel_axis",
     "asked for 64 images, got shape (64, 28, 28, 1) — drop the channel axis"),
    (lambda path, n, seed: draw(path, 16, seed), "wrong_count",
     "asked for 64 images, got shape (16, 28, 28) — draw as many images as n asks for"),
    (lambda path, n, seed: draw(path, n, seed)[:, :14], "mismatch",
     "asked for 64 images, got shape (64, 14, 28) — expected (64, 28, 28)"),
    (lambda path, n, seed: draw(path, n, seed, latent_dim=100), "raised",
     None),
    (sample_stub, "returned_none", "sample_from_file returned None — return the result"),
    (raising_stub, "raised", None),
]


def test_the_noise_is_recovered_from_the_pixels(tmp_path):
    path, kernel, bias = training._save_generator(tmp_path)
    noise = np.random.default_rng(0).standard_normal((5, 8))
    images = np.round((np.tanh(noise @ kernel + bias) + 1.0) * 127.5).astype(np.uint8)
    recovered, difference = training._recover_noise(images.reshape(5, 28, 28), kernel, bias)
    np.testing.assert_allclose(recovered, noise, atol=0.02)
    assert difference <= 1.0
    assert training._recover_noise(np.zeros((1, 28, 28), np.uint8), kernel, bias)[1] == 255.0


# --- d_steps_experiment -------------------------------------------------------------------------


def count_stub(history, d_steps):
    """(d_updates, g_updates) made by a run with this per-epoch history and d_steps."""
    return None  # Your code here.


def count_with_a_loop(history, d_steps):
    d_updates = g_updates = 0
    for steps in history["steps"]:
        d_updates += d_steps * steps
        g_updates += steps
    return d_updates, g_updates


def run(d_updates, g_updates, steps, balance=True):
    """Stands in for a training result: the optimizers' counters and the history."""
    optimizers = {name: SimpleNamespace(iterations=count)
                  for name, count in (("d_optimizer", d_updates), ("g_optimizer", g_updates))}
    history = {"d_loss": [1.0] * len(steps), "steps": list(steps)}
    if balance:
        history.update(d_real=[0.6] * len(steps), d_fake=[0.4] * len(steps))
    return SimpleNamespace(gan=SimpleNamespace(**optimizers), history=history)


RUNS = {1: run(72, 72, (30, 30, 12)), 2: run(100, 50, (30, 20))}

D_STEPS_WRONG = [
    ((RUNS, lambda history, d_steps: (d_steps * len(history["steps"]),
                                      len(history["steps"]))), "epochs",
     "steps [30, 30, 12], d_steps=1: counted [3.0, 3.0] — that counts epochs; each epoch made "
     "history['steps'] steps"),
    ((RUNS, lambda history, d_steps: (sum(history["steps"]),) * 2), "ignores_d_steps",
     "steps [30, 30, 12], d_steps=2: counted [72.0, 72.0] — each step updates the discriminator "
     "d_steps times"),
    ((RUNS, lambda history, d_steps: solutions.count_updates(history, d_steps)[::-1]),
     "swapped",
     "steps [30, 30, 12], d_steps=2: counted [72.0, 144.0] — the discriminator is the one "
     "updated d_steps times a step"),
    ((RUNS, lambda history, d_steps: (d_steps * 30 * len(history["steps"]),
                                      30 * len(history["steps"]))), "full_epochs",
     "steps [30, 30, 12], d_steps=1: counted [90.0, 90.0] — an epoch can be cut short by the "
     "time limit: count its real steps"),
    ((RUNS, lambda history, d_steps: (d_steps * 72, 72)), "mismatch",
     "steps [25, 7], d_steps=3: counted [216.0, 72.0] — count the steps, then what each step "
     "does"),
    ((RUNS, lambda history, d_steps: [d_steps * sum(history["steps"])]), "not_a_pair",
     "steps [30, 30, 12], d_steps=1: count_updates returned list — return the pair (d_updates, "
     "g_updates)"),
    (({1: RUNS[1], 2: run(50, 50, (30, 20))}, solutions.count_updates), "wrong_d_steps",
     "d_steps=2: 50 discriminator and 50 generator updates — this run did not train with "
     "d_steps=2"),
    (({1: run(0, 0, ()), 2: RUNS[2]}, solutions.count_updates), "no_updates",
     "d_steps=1: the run made no updates — train for a while"),
    (({1: run(70, 70, (30, 30, 12)), 2: RUNS[2]}, solutions.count_updates), "count_mismatch",
     "d_steps=1: you counted [72.0, 72.0], the optimizers [70, 70] — count from this run's "
     "history['steps']"),
    (({1: RUNS[1], 2: run(100, 50, (30, 20), balance=False)}, solutions.count_updates),
     "no_balance",
     "d_steps=2: the history has no d_real or d_fake to plot — train at least one epoch"),
    (({1: "a folder", 2: RUNS[2]}, solutions.count_updates), "not_a_run",
     "results[1] is a str — store what ganlib.train(..., d_steps=1) returns"),
    (({1: None, 2: None}, solutions.count_updates), "no_runs",
     "results is {1: NoneType, 2: NoneType} — make it {1: what train returned with d_steps=1, "
     "2: ... with d_steps=2}"),
    (([RUNS[1], RUNS[2]], solutions.count_updates), "no_runs",
     "results is a list — make it {1: what train returned with d_steps=1, 2: ... with "
     "d_steps=2}"),
    (({1: RUNS[1]}, solutions.count_updates), "no_runs",
     "results is {1: SimpleNamespace} — make it {1: what train returned with d_steps=1, 2: ... "
     "with d_steps=2}"),
    (({1: None, 2: None}, count_stub), "not_a_pair",
     "steps [30, 30, 12], d_steps=1: count_updates returned NoneType — return the pair "
     "(d_updates, g_updates)"),
    ((RUNS, raising_stub), "raised", None),
    (({1: None, 2: None},), "no_count_function",  # The cell as it was before count_updates.
     "there is no count_updates to try — write count_updates(history, d_steps) and pass it to "
     "the check as well"),
]


def loss_scaled(iterations, halvings):
    """A LossScaleOptimizer that has applied `iterations` updates and halved its scale."""
    optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD())
    optimizer.build([keras.Variable(0.0)])
    optimizer.inner_optimizer.iterations.assign(iterations)
    optimizer.dynamic_scale.assign(optimizer.initial_scale / 2.0 ** halvings)
    return optimizer


CASES = (
    cases(training.gap_callback, [solutions.DiscriminatorGap, gap_callback(), GapOneLiner],
          "records every gap and stops exactly when one exceeds its own threshold", GAP_WRONG)
    + cases(training.sample_from_file, [
        solutions.sample_from_file, sample_with_ganlib,
        lambda path, n, seed: draw(path, n, seed, noise="stateless"),
        lambda path, n, seed: draw(path, n, seed, noise="keras")],
        "uint8 (n, 28, 28) drawn by the saved generator from standard normal noise, repeatable "
        "by seed", SAMPLE_WRONG)
    + cases(training.d_steps_experiment, [(RUNS, solutions.count_updates),
                                          (RUNS, count_with_a_loop)],
            "your counts match both runs' optimizers; the generator was updated 72 times with "
            "d_steps=1 and 50 times with d_steps=2", D_STEPS_WRONG))


@pytest.mark.parametrize("check, answers, arguments, diagnosis, line", CASES, ids=case_ids(CASES))
def test_each_answer_gets_its_verdict(check, answers, arguments, diagnosis, line, capsys):
    SharedList.gaps.clear()  # Its one list outlives a check; each test starts it empty.
    expect_verdict(check, answers, arguments, diagnosis, line, capsys)


@pytest.mark.parametrize("skipped, passes", [(0, True), (3, True), (4, False)])
def test_updates_skipped_by_loss_scaling_are_allowed_for(skipped, passes, capsys):
    """Mixed precision skips steps whose float16 gradients overflow, without counting them."""
    runs = {}
    for k in (1, 2):
        steps = 40
        d_optimizer = loss_scaled(k * steps - skipped, 3)  # At most 3 skipped updates each.
        g_optimizer = loss_scaled(steps - min(skipped, 3), 3)
        runs[k] = SimpleNamespace(gan=SimpleNamespace(d_optimizer=d_optimizer,
                                                      g_optimizer=g_optimizer),
                                  history={"steps": [steps], "d_real": [0.5], "d_fake": [0.5]})
    assert training._optimizer_counts(runs[1])[1] == (3, 3)
    verdict = verdict_of(training.d_steps_experiment, runs, solutions.count_updates,
                         capsys=capsys)
    assert bool(verdict) is passes


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_d_steps_experiment_passes_two_real_runs(tmp_path, capsys):
    import ganlib

    images = np.random.default_rng(0).integers(0, 256, (128, 28, 28), dtype=np.uint8)
    results = {k: ganlib.train(tmp_path / f"k{k}", ganlib.TrainConfig(
        preset="mlp", epochs=1, batch_size=64, d_steps=k, mixed_precision="off"), images=images,
        verbose=0, log=lambda *args: None) for k in (1, 2)}
    capsys.readouterr()
    verdict = verdict_of(training.d_steps_experiment, results, solutions.count_updates,
                         capsys=capsys)
    assert verdict and "updated 2 times with d_steps=1 and 2 times with d_steps=2" \
        in verdict.message
