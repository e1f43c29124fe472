"""The GAN engine: the game's rules, and the model that plays it.

- `ganlib.engine.objectives`: each objective is a pair of losses (D's, G's) on raw scores.
- `ganlib.engine.penalties`: gradient penalties (R1, R2, WGAN-GP) added to D's loss.
- `ganlib.engine.augment`: differentiable augmentation of what D sees.
- `ganlib.engine.ema`: an exponential moving average of the generator.
- `ganlib.engine.gan`: `GAN`, a `keras.Model` whose `train_step` plays one round.
- `ganlib.engine.backend`: the only TensorFlow-specific code (tapes, `tf.distribute`,
  stateless random numbers); the rest is `keras.ops`.
"""

from ganlib.engine.gan import GAN, UPDATES
from ganlib.engine.objectives import OBJECTIVES, Objective, get_objective, probabilities
from ganlib.engine.penalties import PENALTIES, get_penalty

__all__ = ["GAN", "OBJECTIVES", "Objective", "PENALTIES", "UPDATES", "get_objective",
           "get_penalty", "probabilities"]
