"""The TensorFlow-specific part of the GAN engine, all in this one module.

The rest of `ganlib.engine` is written in `keras.ops`, which runs on any Keras backend. What
Keras 3 has no backend-neutral form for lives here, on TensorFlow:

- gradients: `gradients` runs a loss under a `tf.GradientTape`; `two_gradients` differentiates
  two losses of one forward pass (the simultaneous update); `input_gradients` gives the gradient
  of a network's scores with respect to its input images, recorded so that a loss built from it
  can be differentiated again (the gradient penalties need this double backpropagation).
- `tf.distribute`: `replicas()` counts the replicas a step runs on, and `replica_seed` gives each
  replica its own random numbers.
- stateless random numbers drawn from such a seed (`normal`, `uniform`, `integers`).
- `every(interval, step, compute)`: run `compute` on every `interval`-th step only, inside the
  compiled training step (a `tf.cond`), for lazy regularisation.
"""

import tensorflow as tf


def gradients(function, variables):
    """Call `function() -> (loss, extras)` under a tape; return `(gradients, loss, extras)`."""
    with tf.GradientTape() as tape:
        loss, extras = function()
    return tape.gradient(loss, variables), loss, extras


def two_gradients(function, first_variables, second_variables):
    """Call `function() -> (first_loss, second_loss, extras)` once, under two tapes.

    Returns `(first_gradients, second_gradients, extras)`: each loss differentiated with respect
    to its own variables only, both from the same forward pass.
    """
    with tf.GradientTape() as first_tape, tf.GradientTape() as second_tape:
        first_loss, second_loss, extras = function()
    return (first_tape.gradient(first_loss, first_variables),
            second_tape.gradient(second_loss, second_variables), extras)


def input_gradients(function, inputs):
    """`function(inputs) -> scores (batch, 1)`; return `(scores, d sum(scores) / d inputs)`.

    Each score depends on its own image only, so the gradient of the sum holds every image's
    own gradient. The inner tape is recorded by any tape around this call, so a penalty on the
    gradient can itself be differentiated with respect to the network's weights.
    """
    inputs = tf.convert_to_tensor(inputs)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        scores = function(inputs)
        total = tf.reduce_sum(scores)
    return scores, tape.gradient(total, inputs)


def replicas():
    """How many replicas run this step in sync (1 outside `tf.distribute`)."""
    return tf.distribute.get_strategy().num_replicas_in_sync


def replica_seed(seed):
    """A stateless int32 seed `(2,)` for this replica from a Keras `SeedGenerator.next()` value.

    Under `tf.distribute` every replica holds a copy of the same seed state, so the replica's
    number is added: each replica draws its own numbers. On one device the seed is unchanged
    (only folded into int32, as Keras does).
    """
    context = tf.distribute.get_replica_context()
    if context is not None and context.num_replicas_in_sync > 1:
        replica = tf.cast(context.replica_id_in_sync_group, seed.dtype)
        seed = seed + tf.stack([replica, tf.zeros_like(replica)])
    return tf.cast(tf.math.floormod(seed, tf.int32.max - 1), "int32")


def normal(shape, seed):
    """Standard normal float32 numbers of `shape` from a stateless `seed`."""
    return tf.random.stateless_normal(shape, seed=seed)


def uniform(shape, seed, minval=0.0, maxval=1.0):
    """Uniform float32 numbers in [minval, maxval) of `shape` from a stateless `seed`."""
    return tf.random.stateless_uniform(shape, seed=seed, minval=minval, maxval=maxval)


def integers(shape, seed, minval, maxval):
    """Uniform int32 numbers in [minval, maxval) of `shape` from a stateless `seed`."""
    return tf.random.stateless_uniform(shape, seed=seed, minval=minval, maxval=maxval,
                                       dtype=tf.int32)


def every(interval, step, compute):
    """`compute()` (a float32 scalar) when `step` is a multiple of `interval`, else 0.

    Returns `(value, ran)`, `ran` a float32 0 or 1. With `interval` 1 this is `compute()` itself,
    with no branch in the graph.
    """
    if interval == 1:
        return compute(), tf.constant(1.0)
    ran = tf.equal(tf.math.floormod(tf.cast(step, tf.int64), interval), 0)
    value = tf.cond(ran, compute, lambda: tf.constant(0.0))
    return value, tf.cast(ran, tf.float32)
