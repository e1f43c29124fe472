"""A class-conditional GAN learns to draw the digit it is asked for, after a short run; a
self-conditioned one (`clustered`) trains on clusters it finds itself."""

import numpy as np

from ganlib.evaluation import classify
from ganlib.models import build_preset, generate, num_classes, preset_clusters
from ganlib.plotting import grid_array
from ganlib.training import TrainConfig, train


def test_samples_for_digit_k_are_classified_as_k_far_above_chance(mnist_arrays, tmp_path):
    images, labels = mnist_arrays["x_train"][:4000], mnist_arrays["y_train"][:4000]
    config = TrainConfig(preset="conditional", epochs=4, seed=0)
    result = train(tmp_path / "run", config, images=images, labels=labels, verbose=0,
                   log=lambda text: None)
    asked = np.repeat(np.arange(10), 50)
    samples = generate(result.gan.sampling_generator, len(asked), seed=1, labels=asked)
    drawn = classify(samples)[1].argmax(axis=1)
    per_digit = [float(np.mean(drawn[asked == digit] == digit)) for digit in range(10)]
    # Chance is 10%; after 500 steps (half a minute) most digits already come out as asked.
    assert np.mean(drawn == asked) > 0.3, per_digit
    assert sum(share > 0.3 for share in per_digit) >= 5, per_digit


def test_the_clustered_preset_trains_without_labels_on_its_own_clusters(mnist_arrays, tmp_path):
    images = mnist_arrays["x_train"][:320]
    assert preset_clusters("clustered") == 30 and preset_clusters("dcgan") == 0
    generator, _ = build_preset("clustered")
    assert num_classes(generator) == 30
    config = TrainConfig(preset="clustered", epochs=1, seed=0)
    result = train(tmp_path / "run", config, images=images, verbose=0, log=lambda text: None)
    assert num_classes(result.gan.sampling_generator) == 30
    assert result.history["steps"] == [320 // 32]
    # The grid: 64 draws asking for the clusters in turn (8 x 8), not one row per digit (10 x 8).
    assert result.sample_grids[0].shape == grid_array(np.zeros((64, 28, 28, 1)), 8).shape
    assert (tmp_path / "run" / "generator.keras").exists()
