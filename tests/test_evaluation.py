"""FID, KID, precision/recall and friends: against hand-computed values, independent references,
known orderings of real and degraded images, the shipped classifier, and the `evaluate` command.
"""

import json
import shutil

import keras
import numpy as np
import pytest

from ganlib import GAN, build_preset, cli, make_dataset
from ganlib import evaluation as metrics
from ganlib.evaluation import classifier


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
    build_preset("dcgan")  # Layers built earlier in the process must not disturb loading.
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

@pytest.mark.parametrize("preset", ["dcgan", "conditional"])
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
