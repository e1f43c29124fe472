"""The exercise checks of 07_scaling: each accepts a correct answer, rejects a specific wrong one
(returning False and saying why), and never raises on the stub a learner starts from."""

import keras
import numpy as np
import pytest

from ganlib import checks, models, train


def stub_returning_none(*args, **kwargs):
    return None


def stub_raising(*args, **kwargs):
    raise NotImplementedError("write your code here")


# --- replica_losses ---------------------------------------------------------------------------

def replica_losses_solution(per_example_losses, replicas):
    blocks = np.reshape(per_example_losses, (replicas, -1))  # Replica r: the r-th block.
    return blocks.mean(axis=1) / replicas


def sum_over_global_batch(per_example_losses, replicas):
    # tf.nn.compute_average_loss's way: each block's sum over the global batch size. Also right.
    blocks = np.reshape(per_example_losses, (replicas, -1))
    return blocks.sum(axis=1) / len(per_example_losses)


def block_means_only(per_example_losses, replicas):
    return np.reshape(per_example_losses, (replicas, -1)).mean(axis=1)


def interleaved_blocks(per_example_losses, replicas):
    return np.array([np.mean(per_example_losses[r::replicas]) for r in range(replicas)]) / replicas


def global_mean_everywhere(per_example_losses, replicas):
    return np.full(replicas, np.mean(per_example_losses) / replicas)


@pytest.mark.parametrize("solution", [replica_losses_solution, sum_over_global_batch])
def test_replica_losses_accepts_correct_answers(solution, capsys):
    assert checks.replica_losses(solution) is True
    assert "all tests pass" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, reason", [
    (block_means_only, "divide each by the number of replicas"),
    (interleaved_blocks, "not every r-th example"),
    (global_mean_everywhere, "only sees its own block"),
])
def test_replica_losses_rejects_a_wrong_answer_and_says_why(wrong, reason, capsys):
    assert checks.replica_losses(wrong) is False
    assert reason in capsys.readouterr().out


# --- warmup_learning_rate ---------------------------------------------------------------------

def warmup_solution(step, base_learning_rate, base_batch, batch, warmup_steps):
    target = base_learning_rate * batch / base_batch
    if step >= warmup_steps:
        return target
    return base_learning_rate + (target - base_learning_rate) * step / warmup_steps


def no_warmup(step, base_learning_rate, base_batch, batch, warmup_steps):
    return base_learning_rate * batch / base_batch


def square_root_rule(step, base_learning_rate, base_batch, batch, warmup_steps):
    return warmup_solution(step, base_learning_rate, base_batch ** 0.5, batch ** 0.5, warmup_steps)


def warmup_from_zero(step, base_learning_rate, base_batch, batch, warmup_steps):
    target = base_learning_rate * batch / base_batch
    return target * min(step / warmup_steps, 1.0) if warmup_steps else target


def test_warmup_learning_rate_accepts_the_linear_rule(capsys):
    assert checks.warmup_learning_rate(warmup_solution) is True
    assert "all tests pass" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, reason", [(no_warmup, "during the warm-up"),
                                           (square_root_rule, "square-root rule"),
                                           (warmup_from_zero, "not at 0")])
def test_warmup_learning_rate_rejects_a_wrong_rule_and_says_why(wrong, reason, capsys):
    assert checks.warmup_learning_rate(wrong) is False
    assert reason in capsys.readouterr().out


# --- mixed_precision_setup --------------------------------------------------------------------

def mixed_solution(preset):
    with train.precision_policy(True):
        generator, discriminator = models.build_preset(preset)
    d_optimizer, g_optimizer = train.make_optimizers(preset)
    return (generator, discriminator, keras.optimizers.LossScaleOptimizer(d_optimizer),
            keras.optimizers.LossScaleOptimizer(g_optimizer))


def policy_left_on(preset):
    keras.config.set_dtype_policy("mixed_float16")
    generator, discriminator = models.build_preset(preset)
    d_optimizer, g_optimizer = train.make_optimizers(preset)
    return (generator, discriminator, keras.optimizers.LossScaleOptimizer(d_optimizer),
            keras.optimizers.LossScaleOptimizer(g_optimizer))


def without_loss_scaling(preset):
    with train.precision_policy(True):
        generator, discriminator = models.build_preset(preset)
    return (generator, discriminator, *train.make_optimizers(preset))


def built_in_float32(preset):
    generator, discriminator = models.build_preset(preset)
    d_optimizer, g_optimizer = train.make_optimizers(preset)
    return (generator, discriminator, keras.optimizers.LossScaleOptimizer(d_optimizer),
            keras.optimizers.LossScaleOptimizer(g_optimizer))


def test_mixed_precision_setup_accepts_the_library_recipe(capsys):
    assert checks.mixed_precision_setup(mixed_solution) is True
    assert "all tests pass" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, reason", [(policy_left_on, "global policy was left"),
                                           (without_loss_scaling, "wrap it in"),
                                           (built_in_float32, "precision_policy(True)")])
def test_mixed_precision_setup_rejects_a_wrong_setup_and_says_why(wrong, reason, capsys):
    assert checks.mixed_precision_setup(wrong) is False
    assert reason in capsys.readouterr().out
    assert keras.config.dtype_policy().name == "float32", "the check restores the policy"


# --- stubs ------------------------------------------------------------------------------------

@pytest.mark.parametrize("check", [checks.replica_losses, checks.warmup_learning_rate,
                                   checks.mixed_precision_setup])
@pytest.mark.parametrize("stub", [stub_returning_none, stub_raising])
def test_checks_never_raise_on_a_stub(check, stub, capsys):
    assert check(stub) is False
    assert "not yet" in capsys.readouterr().out
