"""The checks of 11_scaling's exercises: right answers in several styles pass, each usual wrong
answer fails with its own diagnosis and line, and the notebook's stubs fail quietly."""

import keras
import numpy as np
import pytest
from keras import layers

import ganlib
from ganlib.exercises import scaling, solutions
from test_exercises_report import case_ids, cases, expect_verdict


def raising_stub(*args, **kwargs):
    raise NotImplementedError("Write this function.")


# --- replica_losses -----------------------------------------------------------------------------


def replica_losses_stub(per_example_losses, replicas):
    """One loss per replica, (replicas,); they add up to the global batch's mean loss."""
    return None  # Your code here.


def sum_over_the_global_batch(per_example_losses, replicas):
    # tf.nn.compute_average_loss's way: each block's sum over the global batch size.
    blocks = np.split(np.asarray(per_example_losses), replicas)
    return np.array([block.sum() for block in blocks]) / len(per_example_losses)


def replica_losses_in_a_loop(per_example_losses, replicas):
    size = len(per_example_losses) // replicas
    return [float(np.mean(per_example_losses[r * size:(r + 1) * size])) / replicas
            for r in range(replicas)]


REPLICA_WRONG = [
    (lambda losses, replicas: np.reshape(losses, (replicas, -1)).mean(axis=1), "block_means",
     "8 losses on 2 replica(s): got [1.0625, 1.3125] — these are the block means; the all-reduce "
     "adds the replicas' gradients, so what must each loss be scaled by?"),
    (lambda losses, replicas: np.reshape(losses, (replicas, -1)).mean(axis=1)
     / (len(losses) // replicas), "per_replica_batch",
     "8 losses on 1 replica(s): got [0.1484] — each mean was divided by the per-replica batch, "
     "not by the number of replicas"),
    (lambda losses, replicas: np.array([np.mean(losses[r::replicas]) for r in range(replicas)])
     / replicas, "interleaved",
     "8 losses on 2 replica(s): got [0.3125, 0.875] — replica r gets the r-th block of "
     "consecutive examples, not every r-th example"),
    (lambda losses, replicas: np.full(replicas, np.mean(losses) / replicas),
     "global_mean_everywhere",
     "8 losses on 2 replica(s): got [0.5938, 0.5938] — they add up to the global mean, but a "
     "replica only sees its own block"),
    (lambda losses, replicas: np.mean(losses), "wrong_shape",
     "8 losses on 1 replica(s): got 1.1875 — return one loss per replica"),
    (lambda losses, replicas: np.reshape(losses, (replicas, -1)).max(axis=1) / replicas,
     "mismatch",
     "8 losses on 1 replica(s): got [3.0] — expected [1.1875]"),
    (replica_losses_stub, "returned_none",
     "8 losses on 1 replica(s) returned None — return the result"),
    (raising_stub, "raised", None),
]


# --- warmup_learning_rate -----------------------------------------------------------------------


def learning_rate_stub(step, base_learning_rate, base_batch, batch, warmup_steps):
    """The learning rate at `step` under the linear scaling rule with a linear warm-up."""
    return None  # Your code here.


def warmup_with_min(step, base_learning_rate, base_batch, batch, warmup_steps):
    fraction = min(step / warmup_steps, 1.0) if warmup_steps else 1.0
    return base_learning_rate * (1.0 + (batch / base_batch - 1.0) * fraction)


def warmup_with_interp(step, base_learning_rate, base_batch, batch, warmup_steps):
    target = base_learning_rate * batch / base_batch
    if warmup_steps == 0:
        return target
    return float(np.interp(step, [0, warmup_steps], [base_learning_rate, target]))


def rule(scaled=lambda base, ratio: base * ratio, start=lambda base, target: base,
         fraction=lambda step, warmup: min(step / warmup, 1.0)):
    """A warm-up with the usual mistakes switched on."""
    def answer(step, base_learning_rate, base_batch, batch, warmup_steps):
        target = scaled(base_learning_rate, batch / base_batch)
        if not warmup_steps:
            return target
        first = start(base_learning_rate, target)
        return first + (target - first) * fraction(step, warmup_steps)
    return answer


WARMUP_WRONG = [
    (rule(fraction=lambda step, warmup: 1.0), "already_scaled",
     "step 0, base rate 0.0002, batch 64 -> 256, warm-up 100: got 0.0008 — that is already the "
     "scaled rate; the warm-up starts lower and climbs to it"),
    (rule(start=lambda base, target: 0.0), "from_zero",
     "step 0, base rate 0.0002, batch 64 -> 256, warm-up 100: got 0 — this warm-up starts at "
     "the base rate (Goyal et al.), not at 0"),
    (rule(scaled=lambda base, ratio: base * np.sqrt(ratio)), "square_root",
     "step 1000, base rate 0.0002, batch 64 -> 256, warm-up 100: got 0.0004 — that is the "
     "square-root rule; this exercise scales the rate by the batch ratio itself"),
    (rule(fraction=lambda step, warmup: min(step // warmup, 1)), "whole_steps",
     "step 50, base rate 0.0002, batch 64 -> 256, warm-up 100: got 0.0002 — the rate jumps "
     "instead of climbing: is a division rounding down?"),
    (rule(scaled=lambda base, ratio: base), "not_scaled",
     "step 1000, base rate 0.0002, batch 64 -> 256, warm-up 100: got 0.0002 — the rate never "
     "grows with the batch"),
    (rule(fraction=lambda step, warmup: min((step + 1) / warmup, 1.0)), "mismatch",
     "step 0, base rate 0.0002, batch 64 -> 256, warm-up 100: got 0.000206 — expected 0.0002"),
    (lambda step, base, base_batch, batch, warmup: base + (base * batch / base_batch - base)
     * min(step / warmup, 1.0), "raised",
     "<lambda> raised ZeroDivisionError: division by zero — read the error, then try your code "
     "by hand on a small input"),
    (lambda step, base, base_batch, batch, warmup: float(np.interp(
        step, [0, max(warmup, 1e-12)], [base, base * batch / base_batch])), "no_warmup",
     "step 0, base rate 0.0002, batch 64 -> 128, warm-up 0: got 0.0002 — with warmup_steps=0 "
     "there is no warm-up at all"),
    (learning_rate_stub, "returned_none",
     "step 1000, base rate 0.0002, batch 64 -> 256, warm-up 100 returned None — return the "
     "result"),
]


# --- mixed_precision_setup ----------------------------------------------------------------------


def mixed_setup_stub(preset):
    """The preset's networks in mixed float16, and two loss-scaled optimizers."""
    return None  # Your code here.


def settings():
    return ganlib.models.training_settings("classic")


def loss_scaled_adams(beta_1=None, rates=None, optimizer=keras.optimizers.Adam):
    values = settings()
    beta_1 = values["beta_1"] if beta_1 is None else beta_1
    rates = rates or (values["d_learning_rate"], values["g_learning_rate"])
    arguments = {"beta_1": beta_1} if optimizer is keras.optimizers.Adam else {}
    return [keras.optimizers.LossScaleOptimizer(optimizer(rate, **arguments)) for rate in rates]


def setup(policy="mixed_float16", restore=True, optimizers=loss_scaled_adams, preset="classic"):
    """A mixed-precision setup with the usual mistakes switched on."""
    def answer(requested):
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy(policy)
        try:
            generator, discriminator = ganlib.models.build_preset(preset)
        finally:
            if restore:
                keras.config.set_dtype_policy(previous)
        return (generator, discriminator, *optimizers())
    return answer


def mixed_float16_by_hand(preset):
    """Keras' own API, the default discriminator built by hand with a float32 output layer."""
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        generator = ganlib.models.build_preset(preset)[0]
        discriminator = keras.Sequential([
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 4, strides=2, padding="same"), layers.LeakyReLU(0.3),
            layers.Conv2D(64, 4, strides=2, padding="same"), layers.LeakyReLU(0.3),
            layers.Flatten(), layers.Dense(1), layers.Activation("linear", dtype="float32")])
    finally:
        keras.mixed_precision.set_global_policy(previous)
    d_optimizer = keras.optimizers.LossScaleOptimizer(
        keras.optimizers.Adam(2e-4, beta_1=0.5), initial_scale=2.0 ** 10)
    g_optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(4e-4, beta_1=0.5))
    return generator, discriminator, d_optimizer, g_optimizer


def float16_logits(preset):
    generator, _, d_optimizer, g_optimizer = setup()(preset)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        discriminator = keras.Sequential([
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 4, strides=2, padding="same"), layers.LeakyReLU(0.3),
            layers.Conv2D(64, 4, strides=2, padding="same"), layers.LeakyReLU(0.3),
            layers.Flatten(), layers.Dense(1)])
    finally:
        keras.config.set_dtype_policy(previous)
    return generator, discriminator, d_optimizer, g_optimizer


def one_optimizer():
    shared = loss_scaled_adams()[0]
    return [shared, shared]


MIXED_WRONG = [
    (setup(restore=False), "policy_left",
     "the global policy was left at mixed_float16 — restore it after building, or every later "
     "model is built in it too"),
    (setup(policy="float32"), "not_mixed",
     "the generator's hidden layers compute in ['float32'] — layers take the policy that is set "
     "when they are built"),
    (setup(policy="float16"), "float16_weights",
     "some of the generator's weights are float16 — mixed precision keeps every variable in "
     "float32; plain float16 does not"),
    (float16_logits, "float16_output",
     "the discriminator's output is float16 — its last layer should compute in float32, so "
     "images, logits and losses do"),
    (setup(preset="tutorial"), "wrong_network",
     "the generator has 2,330,944 parameters, expected 784,640 — build the preset's networks"),
    (setup(optimizers=lambda: [keras.optimizers.Adam(2e-4), keras.optimizers.Adam(4e-4)]),
     "no_loss_scaling",
     "d_optimizer is Adam — without loss scaling, small float16 gradients round to zero"),
    (setup(optimizers=lambda: loss_scaled_adams(optimizer=keras.optimizers.SGD)), "not_adam",
     "d_optimizer wraps SGD — the preset trains with Adam"),
    (setup(optimizers=lambda: loss_scaled_adams(beta_1=0.9)), "default_betas",
     "d_optimizer: learning rate, beta_1, beta_2 = [0.0002, 0.9, 0.999] — those are Adam's "
     "default betas, not the preset's"),
    (setup(optimizers=lambda: loss_scaled_adams(rates=(4e-4, 2e-4))), "swapped_rates",
     "d_optimizer: learning rate, beta_1, beta_2 = [0.0004, 0.5, 0.999] — the two learning rates "
     "are swapped"),
    (setup(optimizers=lambda: loss_scaled_adams(rates=(2e-4, 2e-4))), "mismatch",
     "g_optimizer: learning rate, beta_1, beta_2 = [0.0002, 0.5, 0.999] — the preset trains with "
     "[0.0004, 0.5, 0.999]"),
    (setup(optimizers=one_optimizer), "shared_optimizer",
     "one optimizer for both networks — each network needs its own: their gradients live on "
     "different scales"),
    (lambda preset: setup()(preset)[:2] + ("not", "optimizers"), "no_loss_scaling",
     "d_optimizer is str — without loss scaling, small float16 gradients round to zero"),
    (lambda preset: ("generator", *setup()(preset)[1:]), "not_a_model",
     "the generator is a str — return the keras.Model itself"),
    (lambda preset: setup()(preset)[:2], "not_four",
     "returned tuple — return (generator, discriminator, d_optimizer, g_optimizer)"),
    (mixed_setup_stub, "not_four",
     "returned NoneType — return (generator, discriminator, d_optimizer, g_optimizer)"),
    (raising_stub, "raised", None),
]


def test_the_preset_settings_come_from_one_place():
    generator, discriminator, training = scaling.preset_settings("classic")
    assert generator == {"filters": (128, 64), "strides": (2, 2), "kernel_size": 4}
    assert discriminator == {"filters": (32, 64), "kernel_size": 4, "dropout": 0.0}
    assert (training["d_learning_rate"], training["g_learning_rate"], training["beta_1"],
            training["beta_2"]) == (2e-4, 4e-4, 0.5, 0.999)


CASES = (
    cases(scaling.replica_losses, [solutions.my_replica_losses, sum_over_the_global_batch,
                                   replica_losses_in_a_loop],
          "one loss per replica, its block's mean over the number of replicas; they add up to "
          "the global mean", REPLICA_WRONG)
    + cases(scaling.warmup_learning_rate, [solutions.my_learning_rate, warmup_with_min,
                                           warmup_with_interp, rule()],
            "the linear scaling rule, reached by a linear warm-up from the base rate",
            WARMUP_WRONG)
    + cases(scaling.mixed_precision_setup, [solutions.my_mixed_setup, setup(),
                                            mixed_float16_by_hand],
            "both networks in mixed float16 with float32 weights and outputs, the policy "
            "restored, and two loss-scaled Adams with the preset's settings", MIXED_WRONG))


@pytest.mark.parametrize("check, answers, arguments, diagnosis, line", CASES, ids=case_ids(CASES))
def test_each_answer_gets_its_verdict(check, answers, arguments, diagnosis, line, capsys):
    expect_verdict(check, answers, arguments, diagnosis, line, capsys)
    assert keras.config.dtype_policy().name == "float32", "a check restores the policy"
