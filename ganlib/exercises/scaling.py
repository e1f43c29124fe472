"""Checks for 11_scaling's exercises: replica_losses, warmup_learning_rate, mixed_precision_setup.

The first two compare with NumPy and Python formulas. `mixed_precision_setup` checks the
networks by their dtypes and parameter counts (from the architecture formulas of the 02 and
03 checks) and the optimizers by their type and settings; what the preset should train with is
read from ganlib's presets in one place, `preset_settings`.
"""

import keras
import numpy as np

from ganlib import models
from ganlib.exercises.discriminator import all_layers, discriminator_parameters
from ganlib.exercises.generator import generator_parameters
from ganlib.exercises.report import (Diagnosis, When, any_of, as_array, as_number, call, close,
                                     diagnose, exercise, fail, require, rounded)

_PER_EXAMPLE = np.array([0.5, 1.5, 0.25, 2.0, 1.0, 3.0, 0.75, 0.5, 1.25, 0.0, 2.5, 1.75])


@exercise("replica_losses")
def replica_losses(function):
    """Check `function(per_example_losses, replicas) -> (replicas,)`: each replica's loss.

    `per_example_losses` holds the losses of one global batch, `(global_batch,)`.
    tf.distribute gives replica r the r-th block of `global_batch // replicas` examples, in
    order. Replica r's loss must be the mean over its block divided by `replicas`, so that the
    all-reduce, which sums the replicas' gradients, gives the gradient of the global batch's
    mean. Tried with 8 losses on 1, 2 and 4 replicas and 12 losses on 3.
    """
    for per_example, replicas in ((_PER_EXAMPLE[:8], 1), (_PER_EXAMPLE[:8], 2),
                                  (_PER_EXAMPLE[:8], 4), (_PER_EXAMPLE, 3)):
        name = f"{len(per_example)} losses on {replicas} replica(s)"
        losses = as_array(call(function, per_example.copy(), replicas), name)
        blocks = np.array(np.split(per_example, replicas))  # (replicas, global_batch // replicas)
        expected = blocks.mean(axis=1) / replicas
        diagnose(losses, expected, [
            Diagnosis("block_means", blocks.mean(axis=1),
                      "these are the block means; the all-reduce adds the replicas' gradients, "
                      "so what must each loss be scaled by?"),
            Diagnosis("per_replica_batch", blocks.mean(axis=1) / blocks.shape[1],
                      "each mean was divided by the per-replica batch, not by the number of "
                      "replicas"),
            Diagnosis("interleaved", [per_example[r::replicas].mean() / replicas
                                      for r in range(replicas)],
                      "replica r gets the r-th block of consecutive examples, not every r-th "
                      "example"),
            Diagnosis("global_mean_everywhere", np.full(replicas, per_example.mean() / replicas),
                      "they add up to the global mean, but a replica only sees its own block"),
            Diagnosis("wrong_shape", When(lambda got: np.shape(got) != (replicas,)),
                      "return one loss per replica")],
            f"{name}: got {rounded(losses)}", f"expected {rounded(expected)}")
    return ("one loss per replica, its block's mean over the number of replicas; they add up "
            "to the global mean")


def _warmup_reference(step, base_learning_rate, base_batch, batch, warmup_steps):
    target = base_learning_rate * batch / base_batch
    if step >= warmup_steps:
        return target
    return base_learning_rate + (target - base_learning_rate) * step / warmup_steps


@exercise("warmup_learning_rate")
def warmup_learning_rate(function):
    """Check `function(step, base_learning_rate, base_batch, batch, warmup_steps) -> float`.

    The linear scaling rule with a linear warm-up (Goyal et al., 2017): a batch k = batch /
    base_batch times larger gets a k times larger learning rate. The rate starts at
    `base_learning_rate` at step 0, grows by equal amounts to k * base_learning_rate at step
    `warmup_steps`, and stays there; with `warmup_steps=0` it is k * base_learning_rate at once.
    """
    for step, base, base_batch, batch, warmup in (
            (1000, 2e-4, 64, 256, 100), (0, 2e-4, 64, 256, 100), (50, 2e-4, 64, 256, 100),
            (100, 2e-4, 64, 256, 100), (30, 2e-4, 64, 64, 100), (7, 1e-3, 32, 128, 20),
            (0, 2e-4, 64, 128, 0)):
        name = f"step {step}, base rate {base:g}, batch {base_batch} -> {batch}, warm-up {warmup}"
        value = as_number(call(function, step, base, base_batch, batch, warmup), name)
        target, root = base * batch / base_batch, base * np.sqrt(batch / base_batch)
        fraction = min(step / warmup, 1.0) if warmup else 1.0
        diagnose(value, _warmup_reference(step, base, base_batch, batch, warmup), [
            Diagnosis("no_warmup", When(lambda _: warmup == 0), "with warmup_steps=0 there is "
                                                                "no warm-up at all"),
            Diagnosis("already_scaled", target, "that is already the scaled rate; the warm-up "
                                                "starts lower and climbs to it"),
            Diagnosis("from_zero", target * fraction,
                      "this warm-up starts at the base rate (Goyal et al.), not at 0"),
            Diagnosis("square_root", any_of((root, base + (root - base) * fraction), 1e-9),
                      "that is the square-root rule; this exercise scales the rate by the "
                      "batch ratio itself"),
            Diagnosis("whole_steps", base + (target - base) * min(step // max(warmup, 1), 1),
                      "the rate jumps instead of climbing: is a division rounding down?"),
            Diagnosis("not_scaled", base, "the rate never grows with the batch")],
            f"{name}: got {value:.6g}",
            f"expected {_warmup_reference(step, base, base_batch, batch, warmup):.6g}",
            tolerance=1e-9)
    return "the linear scaling rule, reached by a linear warm-up from the base rate"


def preset_settings(preset):
    """The networks' and the optimizers' settings of `preset`: the one place that reads
    ganlib's presets (change it when they move). Returns (generator settings, discriminator
    settings, training settings with d_learning_rate, g_learning_rate, beta_1, beta_2)."""
    return (models.PRESETS[preset]["generator"], models.PRESETS[preset]["discriminator"],
            models.training_settings(preset))


def _expect_mixed_network(name, model, parameters):
    require(isinstance(model, keras.Model), f"the {name} is a {type(model).__name__}",
            "return the keras.Model itself", "not_a_model")
    count = model.count_params()
    require(count == parameters, f"the {name} has {count:,} parameters, expected {parameters:,}",
            "build the preset's networks", "wrong_network")
    weighted = [layer for layer in all_layers(model) if layer.weights]
    hidden = sorted({layer.compute_dtype for layer in weighted[:-1]})
    require(hidden == ["float16"], f"the {name}'s hidden layers compute in {hidden}",
            "layers take the policy that is set when they are built", "not_mixed")
    require(all(weight.dtype == "float32" for weight in model.weights),
            f"some of the {name}'s weights are float16",
            "mixed precision keeps every variable in float32; plain float16 does not",
            "float16_weights")
    output = keras.backend.standardize_dtype(model.outputs[0].dtype)
    require(output == "float32", f"the {name}'s output is {output}",
            "its last layer should compute in float32, so images, logits and losses do",
            "float16_output")


def _optimizer_settings(optimizer):
    """[learning rate, beta_1, beta_2] of the Adam inside a LossScaleOptimizer."""
    inner = optimizer.inner_optimizer
    return [float(np.asarray(inner.learning_rate)), float(inner.beta_1), float(inner.beta_2)]


@exercise("mixed_precision_setup")
def mixed_precision_setup(function):
    """Check `function(preset) -> (generator, discriminator, d_optimizer, g_optimizer)`, set up
    for mixed float16 as ganlib's training does it on a GPU, with preset "classic" (the
    course's first default, a plain cross-entropy GAN).

    Both networks must be the preset's, built under the `mixed_float16` policy (hidden layers
    compute in float16, every weight float32, the output float32), the global policy must be
    what it was before the call, and each network needs its own
    `keras.optimizers.LossScaleOptimizer` around an Adam with the preset's learning rate,
    beta_1 and beta_2 (`preset_settings`).
    """
    preset = "classic"
    previous = keras.config.dtype_policy()
    try:
        value = call(function, preset)
    finally:
        left_behind = keras.config.dtype_policy().name
        keras.config.set_dtype_policy(previous)  # Never leave the learner's session changed.
    require(left_behind == previous.name, f"the global policy was left at {left_behind}",
            "restore it after building, or every later model is built in it too", "policy_left")
    if not isinstance(value, (tuple, list)) or len(value) != 4:
        fail(f"returned {type(value).__name__}",
             "return (generator, discriminator, d_optimizer, g_optimizer)", "not_four")
    generator, discriminator, d_optimizer, g_optimizer = value
    generator_settings, discriminator_settings, training = preset_settings(preset)
    _expect_mixed_network("generator", generator, generator_parameters(
        100, generator_settings["filters"], generator_settings["kernel_size"]))
    _expect_mixed_network("discriminator", discriminator, discriminator_parameters(
        discriminator_settings["filters"], discriminator_settings["kernel_size"]))
    require(d_optimizer is not g_optimizer, "one optimizer for both networks",
            "each network needs its own: their gradients live on different scales",
            "shared_optimizer")
    optimizers = {"d_optimizer": d_optimizer, "g_optimizer": g_optimizer}
    for name, optimizer in optimizers.items():
        require(isinstance(optimizer, keras.optimizers.LossScaleOptimizer),
                f"{name} is {type(optimizer).__name__}",
                "without loss scaling, small float16 gradients round to zero", "no_loss_scaling")
        require(isinstance(optimizer.inner_optimizer, keras.optimizers.Adam),
                f"{name} wraps {type(optimizer.inner_optimizer).__name__}",
                "the preset trains with Adam", "not_adam")
    rates = [training["d_learning_rate"], training["g_learning_rate"]]
    got = {name: _optimizer_settings(optimizer) for name, optimizer in optimizers.items()}
    swapped = close([got["d_optimizer"][0], got["g_optimizer"][0]], rates[::-1], 1e-6)
    for (name, settings), rate in zip(got.items(), rates):
        expected = [rate, training["beta_1"], training["beta_2"]]
        diagnose(settings, expected, [
            Diagnosis("swapped_rates", When(lambda _: swapped),
                      "the two learning rates are swapped"),
            Diagnosis("default_betas", When(lambda got: close(got[1:], [0.9, 0.999], 1e-9)),
                      "those are Adam's default betas, not the preset's")],
            f"{name}: learning rate, beta_1, beta_2 = {rounded(settings, 6)}",
            f"the preset trains with {rounded(expected, 6)}", tolerance=1e-9)
    return ("both networks in mixed float16 with float32 weights and outputs, the policy "
            "restored, and two loss-scaled Adams with the preset's settings")
