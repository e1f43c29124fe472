"""FID, KID, precision/recall and friends: against hand-computed values, independent references,
known orderings of real and degraded images, the shipped classifier, and the `evaluate` command.
"""

import json
import shutil

import numpy as np
import pytest
import scipy.linalg

import keras

from ganlib import GAN, build_preset, make_dataset
from ganlib import cli
from ganlib import evaluation as metrics
from ganlib.evaluation import classifier


# --- Frechet distance ---------------------------------------------------------------------------

def test_frechet_distance_one_dimensional_closed_form():
    # In 1-D, d^2 = (m1 - m2)^2 + (s1 - s2)^2: here 2^2 + (2 - 3)^2 = 5.
    assert metrics.frechet_distance_from_stats([1.0], [[4.0]], [3.0], [[9.0]]) == pytest.approx(5.0)


def test_frechet_distance_diagonal_closed_form():
    mean_a, mean_b = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    variances_a, variances_b = np.array([1.0, 4.0, 0.25]), np.array([4.0, 4.0, 1.0])
    # For commuting (here diagonal) covariances each axis adds (m_a - m_b)^2 + (s_a - s_b)^2.
    expected = np.sum((mean_a - mean_b) ** 2 + (np.sqrt(variances_a) - np.sqrt(variances_b)) ** 2)
    assert expected == pytest.approx(1 + 0 + 4 + 1 + 0 + 0.25)
    value = metrics.frechet_distance_from_stats(mean_a, np.diag(variances_a),
                                                mean_b, np.diag(variances_b))
    assert value == pytest.approx(expected)


def random_covariance(rng, dimension):
    factor = rng.standard_normal((dimension, dimension))
    return factor @ factor.T / dimension + 0.1 * np.eye(dimension)


def test_frechet_distance_matches_independent_symmetric_formula():
    # An independent route to the same number: trace((s1 s2)^(1/2)) equals the trace of the
    # square root of the symmetric matrix s1^(1/2) s2 s1^(1/2), computed from eigenvalues.
    rng = np.random.default_rng(1)
    dimension = 12
    sigma1, sigma2 = random_covariance(rng, dimension), random_covariance(rng, dimension)
    mu1, mu2 = rng.standard_normal(dimension), rng.standard_normal(dimension)
    root1 = scipy.linalg.sqrtm(sigma1).real
    eigenvalues = np.linalg.eigvalsh(root1 @ sigma2 @ root1)
    expected = (np.sum((mu1 - mu2) ** 2) + np.trace(sigma1) + np.trace(sigma2)
                - 2 * np.sum(np.sqrt(np.clip(eigenvalues, 0, None))))
    assert metrics.frechet_distance_from_stats(mu1, sigma1, mu2, sigma2) == pytest.approx(
        expected, rel=1e-8)


def test_frechet_distance_of_gaussian_samples_approaches_the_closed_form():
    # Samples of N(0, I) and N(1, 4 I) in 4-D: d^2 = 4 * 1^2 + 4 * (1 - 2)^2 = 8.
    rng = np.random.default_rng(2)
    features_a = rng.standard_normal((100_000, 4))
    features_b = 1.0 + 2.0 * rng.standard_normal((100_000, 4))
    assert metrics.frechet_distance(features_a, features_b) == pytest.approx(8.0, abs=0.1)


def test_frechet_distance_of_identical_sets_is_zero_and_grows_with_a_shift():
    features = np.random.default_rng(3).standard_normal((500, 16))
    assert abs(metrics.frechet_distance(features, features)) < 1e-6
    # Shifting every feature by 0.5 adds exactly 16 * 0.25 to the distance.
    assert metrics.frechet_distance(features, features + 0.5) == pytest.approx(4.0, abs=1e-6)


def test_frechet_distance_handles_singular_covariances():
    # 10 images and 16 features: the covariances are singular, which sqrtm copes with.
    features = np.random.default_rng(4).standard_normal((10, 16))
    value = metrics.frechet_distance(features, features[::-1] * 1.5)
    assert np.isfinite(value) and value > 0


# --- Kernel distance ----------------------------------------------------------------------------

def test_kernel_distance_exact_small_cases():
    # d = 1, k(x, y) = (x y + 1)^3, X = {0, 1}, Y = {2, 3}:
    # within X: k(0, 1) = 1; within Y: k(2, 3) = 343; across: 1 + 1 + 27 + 64 = 93.
    # MMD^2 = 2 * 1 / 2 + 2 * 343 / 2 - 2 * 93 / 4 = 1 + 343 - 46.5 = 297.5.
    kid = metrics.kernel_distance([[0.0], [1.0]], [[2.0], [3.0]], subsets=5)
    assert kid.mean == pytest.approx(297.5) and kid.std == 0.0
    # d = 2 (the kernel divides x.y by 2): within X and within Y: (0 + 1)^3 = 1 each;
    # across: 1.5^3 + 1 + 1.5^3 + 1 = 8.75. MMD^2 = 1 + 1 - 2 * 8.75 / 4 = -2.375: the
    # unbiased estimate may be negative.
    kid = metrics.kernel_distance([[1.0, 0.0], [0.0, 1.0]], [[1.0, 1.0], [0.0, 0.0]])
    assert kid.mean == pytest.approx(-2.375)


def test_kernel_distance_is_unbiased_for_one_distribution():
    # Many independent pairs of small samples of one distribution: the estimates average to 0,
    # while the biased estimate (diagonals kept) is clearly positive at this sample size.
    rng = np.random.default_rng(5)
    unbiased, biased = [], []
    for _ in range(300):
        x, y = rng.standard_normal((20, 4)), rng.standard_normal((20, 4))
        unbiased.append(metrics.kernel_distance(x, y).mean)
        kernel = lambda a, b: (a @ b.T / 4 + 1) ** 3  # noqa: E731
        biased.append(kernel(x, x).mean() + kernel(y, y).mean() - 2 * kernel(x, y).mean())
    standard_error = np.std(unbiased) / np.sqrt(len(unbiased))
    assert abs(np.mean(unbiased)) < 4 * standard_error
    assert np.mean(biased) > 10 * standard_error


def test_kernel_distance_subsets_are_seeded():
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal((300, 8)), rng.standard_normal((300, 8)) + 0.3
    first = metrics.kernel_distance(a, b, subsets=10, subset_size=100, seed=1)
    assert first == metrics.kernel_distance(a, b, subsets=10, subset_size=100, seed=1)
    assert first.mean > 0 and first.std > 0


# --- Precision and recall -----------------------------------------------------------------------

def test_precision_recall_hand_computed_case():
    real = np.arange(10.0)[:, None]  # 0..9 on a line: each ball has radius 1 for k = 1.
    fake = np.array([[0.5], [20.0]])  # Two fakes: each one's ball reaches the other (19.5).
    result = metrics.precision_recall(real, fake, k=1)
    assert result.precision == 0.5  # 0.5 lies in the real balls, 20 does not.
    assert result.recall == 1.0  # Every real point lies within 19.5 of 0.5.


def test_precision_recall_extremes_and_chunking():
    rng = np.random.default_rng(7)
    real = rng.standard_normal((300, 8))
    assert metrics.precision_recall(real, real.copy()) == (1.0, 1.0)
    assert metrics.precision_recall(real, real + 100.0) == (0.0, 0.0)
    fake = rng.standard_normal((250, 8)) * 1.5
    assert metrics.precision_recall(real, fake, chunk_size=7) == \
        metrics.precision_recall(real, fake, chunk_size=1000)


# --- Softmax scores ------------------------------------------------------------------------------

def test_classifier_score_histogram_and_coverage_on_hand_made_predictions():
    confident_and_balanced = np.eye(10)[np.arange(100) % 10]
    assert metrics.classifier_score(confident_and_balanced) == pytest.approx(10.0)
    assert metrics.class_balance(confident_and_balanced) == pytest.approx(1.0)
    assert metrics.classifier_score(np.eye(10)[np.zeros(50, int)]) == pytest.approx(1.0)
    assert metrics.classifier_score(np.full((50, 10), 0.1)) == pytest.approx(1.0)
    # Two digits, each for certain, equally often: exp(log 2) = 2.
    assert metrics.classifier_score(np.eye(10)[np.arange(40) % 2]) == pytest.approx(2.0)
    labels = np.array([0] * 30 + [1] * 20 + [2] * 50)
    histogram = metrics.class_histogram(np.eye(10)[labels])
    assert histogram.tolist() == [30, 20, 50, 0, 0, 0, 0, 0, 0, 0]
    assert metrics.class_balance(np.eye(10)[labels]) == 0.0
    labels = np.arange(100) % 10
    labels[np.flatnonzero(labels == 0)[:5]] = 3  # Digit 0 now 5 times in 100: 10 * 0.05 = 0.5.
    assert metrics.class_balance(np.eye(10)[labels]) == pytest.approx(0.5)


# --- Memorisation -------------------------------------------------------------------------------

def test_nearest_neighbour_distances_in_pixel_units():
    train = np.zeros((3, 28, 28), np.uint8)
    train[1, 0, 0] = 255
    train[2] = 255
    samples = train[:2].copy()
    samples[0, 5, 5] = 255  # One pixel away from train[0] by 1.0 in [0, 1] units.
    samples[1, 0, :4] = 255  # train[1] plus 3 more pixels: distance sqrt(3).
    distances = metrics.nearest_neighbour_distances(samples, train, chunk_size=1)
    np.testing.assert_allclose(distances, [1.0, np.sqrt(3.0)], atol=1e-5)
    # [-1, 1] floats mean the same images.
    assert metrics.nearest_neighbour_distances(train[:1].astype("float32") / 127.5 - 1, train)[0] \
        == pytest.approx(0.0, abs=1e-3)


def test_memorisation_check_flags_copied_training_images(mnist_arrays):
    train = mnist_arrays["x_train"][:2000]
    heldout = mnist_arrays["x_test"][:300]
    copied = metrics.memorisation_check(train[:300], train, heldout)
    assert copied["nn_distance"] == 0.0 and copied["near_copy_share"] == 1.0
    honest = metrics.memorisation_check(mnist_arrays["x_test"][300:600], train, heldout)
    assert honest["near_copy_share"] < 0.05
    assert honest["nn_distance"] == pytest.approx(honest["baseline_nn_distance"], rel=0.15)
    # The threshold and the shares, recomputed here by brute force from pixel distances.
    pixels = lambda images: images.reshape(len(images), -1).astype("float64") / 255  # noqa: E731
    nearest = lambda images: np.sqrt(((pixels(images)[:, None] - pixels(train)[None]) ** 2)  # noqa: E731
                                     .sum(axis=2)).min(axis=1)
    heldout_nearest = np.concatenate([nearest(heldout[i:i + 50]) for i in range(0, 300, 50)])
    threshold = np.percentile(heldout_nearest, 1)
    assert honest["near_copy_threshold"] == pytest.approx(threshold, rel=1e-5)
    assert honest["baseline_nn_distance"] == pytest.approx(np.median(heldout_nearest), rel=1e-5)
    assert honest["baseline_near_copy_share"] == pytest.approx(np.mean(heldout_nearest < threshold))
    new = mnist_arrays["x_test"][300:450]
    half_copied = np.concatenate([train[:150], new])
    new_below = np.concatenate([nearest(new[i:i + 50]) for i in range(0, 150, 50)]) < threshold
    assert metrics.memorisation_check(half_copied, train, heldout)["near_copy_share"] == \
        pytest.approx((150 + new_below.sum()) / 300)


# --- The classifier and real images --------------------------------------------------------------

def test_classifier_ships_small_loads_offline_and_is_accurate(mnist_arrays):
    assert classifier.WEIGHTS_PATH.exists(), "train it: ganlib train-classifier"
    assert classifier.WEIGHTS_PATH.stat().st_size < 2_000_000
    model = classifier.load_classifier()
    assert model.count_params() == 89_930
    assert model.get_layer(classifier.FEATURE_LAYER).output.shape[-1] == classifier.FEATURE_DIM
    # The README quotes this figure: the share of all 10,000 test images classified correctly.
    accuracy = classifier.accuracy(mnist_arrays["x_test"], mnist_arrays["y_test"])
    assert accuracy >= 0.991, accuracy


# Keras' own weight saving trips a NumPy 2 deprecation inside TensorFlow; not ours to fix.
@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_train_classifier_writes_weights_that_load(tiny_npz, tmp_path):
    out = tmp_path / "small.weights.h5"
    result = classifier.train_classifier(out, epochs=1, data_path=tiny_npz, augment=False,
                                         verbose=0, log=None)
    assert out.exists() and 0.0 <= result["test_accuracy"] <= 1.0
    assert result["train_images"] == 320
    model = classifier.load_classifier(out)
    assert model.count_params() == 89_930
    with pytest.raises(ValueError, match="must end in .weights.h5"):
        classifier.train_classifier(tmp_path / "small.h5", epochs=1, data_path=tiny_npz)


def test_classifier_weights_load_in_a_busy_process_and_errors_name_the_fix(tmp_path):
    build_preset("default")  # Layers built earlier in the process must not disturb loading.
    copy = tmp_path / "copy.weights.h5"  # Another path, so the cached model is not reused.
    shutil.copy(classifier.WEIGHTS_PATH, copy)
    for name in ("conv_1", "features", "logits"):
        np.testing.assert_array_equal(
            classifier.load_classifier(copy).get_layer(name).get_weights()[0],
            classifier.load_classifier().get_layer(name).get_weights()[0])
    with pytest.raises(FileNotFoundError, match="ganlib train-classifier"):
        classifier.load_classifier(tmp_path / "missing.weights.h5")
    broken = tmp_path / "broken.weights.h5"
    broken.write_bytes(b"not an HDF5 file")
    with pytest.raises(ValueError, match="retrain them"):
        classifier.load_classifier(broken)


def test_classifier_reads_every_input_range_alike(mnist_arrays):
    pixels = mnist_arrays["x_test"][:64]
    features, probabilities = classifier.classify(pixels)
    assert features.shape == (64, 128) and probabilities.shape == (64, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    unit = pixels.astype("float32") / 255.0
    for variant in (unit, unit[..., None], unit * 2 - 1):
        np.testing.assert_allclose(classifier.classify(variant)[0], features, atol=1e-4)


@pytest.fixture(scope="module")
def degraded_sets(mnist_arrays):
    """Feature/probability pairs: 1000 training images, and 1000 test images made ever worse."""
    rng = np.random.default_rng(0)
    real = mnist_arrays["x_test"][:1000].astype("float32") / 255.0
    sets = {"reference": mnist_arrays["x_train"][:1000], "real": real}
    for name, scale in (("slightly noisy", 0.1), ("much noisier", 0.4)):
        sets[name] = np.clip(real + scale * rng.standard_normal(real.shape), 0, 1)
    sets["uniform noise"] = rng.uniform(0, 1, real.shape)
    return {name: classifier.classify(images) for name, images in sets.items()}


def test_metrics_order_real_then_noisier_then_noise(degraded_sets):
    reference = degraded_sets["reference"][0]
    order = ["real", "slightly noisy", "much noisier", "uniform noise"]
    fids = [metrics.frechet_distance(reference, degraded_sets[name][0]) for name in order]
    kids = [metrics.kernel_distance(reference, degraded_sets[name][0], subsets=20,
                                    subset_size=500).mean for name in order]
    scores = [metrics.classifier_score(degraded_sets[name][1]) for name in order]
    assert fids == sorted(fids) and len(set(fids)) == 4, fids
    assert kids == sorted(kids) and len(set(kids)) == 4, kids
    assert scores == sorted(scores, reverse=True), scores
    assert scores[0] > 9.0 and fids[0] < 0.1 * fids[-1]
    # Real test images against training images: precision and recall high, all digits present.
    precision, recall = metrics.precision_recall(reference, degraded_sets["real"][0])
    assert precision > 0.6 and recall > 0.6
    assert metrics.class_balance(degraded_sets["real"][1]) > 0.7
    # Recall falls as the images lose their digits. (Precision does not: noise images all land
    # in one small region that some real outlier's ball covers; see precision_recall.)
    recalls = [metrics.precision_recall(reference, degraded_sets[name][0]).recall
               for name in order]
    assert recalls == sorted(recalls, reverse=True) and recalls[-1] == 0.0, recalls


def test_evaluate_composes_the_metrics_on_its_seeded_choice_of_images(mnist_arrays):
    train, heldout = mnist_arrays["x_train"][:3000], mnist_arrays["x_test"][:400]
    samples = np.clip(mnist_arrays["x_test"][400:700].astype("float32") / 255
                      + 0.2 * np.random.default_rng(1).standard_normal((300, 28, 28)), 0, 1)
    results = metrics.evaluate(samples, real_images=train, heldout_images=heldout, kid_subsets=10,
                               seed=7)
    assert results["n"] == 300
    # What evaluate must have done, step by step: n training images and n held-out images
    # chosen by the seed, each set scored against the training images' features.
    rng = np.random.default_rng(7)
    reference = classifier.classify(train[rng.choice(3000, 300, replace=False)])[0]
    baseline = classifier.classify(heldout[rng.choice(400, 300, replace=False)])
    fake = classifier.classify(samples)
    expected = {
        "fid": metrics.frechet_distance(reference, fake[0]),
        "baseline_fid": metrics.frechet_distance(reference, baseline[0]),
        "precision": metrics.precision_recall(reference, fake[0]).precision,
        "baseline_recall": metrics.precision_recall(reference, baseline[0]).recall,
        "classifier_score": metrics.classifier_score(fake[1]),
        "baseline_class_balance": metrics.class_balance(baseline[1]),
        "kid": metrics.kernel_distance(reference, fake[0], subsets=10, seed=7).mean,
    }
    for name, value in expected.items():
        assert results[name] == pytest.approx(value, rel=1e-6), name
    assert results["class_histogram"] == metrics.class_histogram(fake[1]).tolist()
    assert results["fid"] > 3 * results["baseline_fid"]  # Noisy digits are worse than real ones.
    json.dumps(results)  # Plain numbers only.
    report = metrics.format_report(results)
    assert "FID-MNIST" in report and f"{results['baseline_fid']:.3f}" in report


# --- Bad input -------------------------------------------------------------------------------

GOOD = np.zeros((200, 28, 28), np.uint8)

BAD_SAMPLES = [
    (np.zeros((200, 28, 28, 3), np.uint8), {}, "reshape them"),
    (np.zeros((200, 784), np.uint8), {}, "expected (n, 28, 28) or (n, 28, 28, 1)"),
    (np.zeros((0, 28, 28), np.uint8), {}, "hold no images"),
    (GOOD.astype(np.int64), {}, "int64; expected uint8"),
    (GOOD.astype(bool), {}, "bool; expected uint8"),
    (np.full((200, 28, 28), np.nan, np.float32), {}, "NaN or infinite"),
    (np.full((200, 28, 28), 255.0), {}, "divide 0..255 pixel values by 255"),
    (np.full((200, 28, 28), -2.0), {}, "clip them"),
    ("samples.npy", {}, "load it first"),
    (np.zeros((50, 28, 28), np.uint8), {}, "too few images"),
    (GOOD, {"n": 300}, "Only 200 samples were given for n=300"),
    (GOOD, {"n": 2.5}, "n must be a whole number"),
]


@pytest.mark.parametrize("samples, arguments, message", BAD_SAMPLES)
def test_evaluate_rejects_bad_samples_with_the_fix(samples, arguments, message):
    with pytest.raises(ValueError) as error:
        metrics.evaluate(samples, real_images=GOOD, heldout_images=GOOD, **arguments)
    assert message in str(error.value)


BAD_METRIC_CALLS = [
    (lambda: metrics.frechet_distance(np.zeros((5, 3)), np.zeros((5, 4))), "same network"),
    (lambda: metrics.frechet_distance(np.zeros(5), np.zeros(5)), "expected (n, d)"),
    (lambda: metrics.frechet_distance_from_stats([0, 0], np.eye(3), [0, 0], np.eye(3)),
     "expected (2, 2)"),
    (lambda: metrics.kernel_distance(np.zeros((5, 3)), np.zeros((5, 3)), subsets=0), "subsets"),
    (lambda: metrics.precision_recall(np.zeros((3, 2)), np.zeros((9, 2)), k=3), "at least 4"),
    (lambda: metrics.classifier_score(np.zeros((5, 10))), "not logits"),
    (lambda: metrics.classifier_score(np.zeros((5, 3))), "expected (n, 10)"),
    (lambda: metrics.FIDCallback(GOOD, n=500), "at least n=500 real images"),
]


@pytest.mark.parametrize("call, message", BAD_METRIC_CALLS)
def test_metric_functions_reject_bad_arguments(call, message):
    with pytest.raises(ValueError) as error:
        call()
    assert message in str(error.value)


# --- Training callback and command line ----------------------------------------------------------

@pytest.mark.parametrize("preset", ["default", "conditional"])
def test_fid_callback_logs_fid_during_gan_fit(mnist_arrays, preset):
    keras.utils.set_random_seed(0)
    gan = GAN(*build_preset(preset), seed=0)
    gan.compile(keras.optimizers.Adam(2e-4), keras.optimizers.Adam(2e-4), ema_half_life=1000)
    callback = metrics.FIDCallback(mnist_arrays["x_train"][:500], n=200, every=2)
    labels = mnist_arrays["y_train"][:128] if preset == "conditional" else None
    history = gan.fit(make_dataset(mnist_arrays["x_train"][:128], 64, labels=labels), epochs=3,
                      callbacks=[callback], verbose=0, shuffle=False)
    # Logged after epoch 1, then every 2 epochs (epoch 3, also the last).
    assert [epoch for epoch, _ in callback.history] == [1, 3]
    assert all(np.isfinite(value) and value > 0 for _, value in callback.history)
    assert history.history["fid"] == [value for _, value in callback.history]


def test_evaluate_command_prints_baselines_and_ends_with_json(cli, mnist_path, mnist_arrays,
                                                             tmp_path):
    samples = tmp_path / "x.npy"
    np.save(samples, mnist_arrays["x_test"][:200])
    completed = cli("evaluate", "--samples", samples, "--json", "--data", mnist_path)
    assert completed.returncode == 0, completed.stderr[-3000:]
    lines = completed.stdout.strip().splitlines()
    results = json.loads(lines[-1])
    assert results["n"] == 200
    assert {"fid", "kid", "classifier_score", "precision", "recall", "class_balance",
            "baseline_fid"} <= set(results)
    assert any(line.startswith("FID-MNIST") and "(real data:" in line for line in lines)


def test_evaluate_command_refuses_pickles_and_missing_files(tmp_path, capsys):
    main = cli.main

    pickled = tmp_path / "objects.npy"
    np.save(pickled, np.array([{"not": "images"}], dtype=object), allow_pickle=True)
    archive = tmp_path / "x.npz"
    np.savez(archive, images=GOOD)
    for arguments, fragment in ((["--samples", pickled], "numeric .npy"),
                                (["--samples", tmp_path / "missing.npy"], "No samples at"),
                                (["--samples", archive], "is not a .npy file")):
        assert main(["evaluate", *map(str, arguments)]) == 2
        error_lines = capsys.readouterr().err.strip().splitlines()
        assert len(error_lines) == 1 and error_lines[0].startswith("ganlib evaluate: error:")
        assert fragment in error_lines[0], error_lines[0]
