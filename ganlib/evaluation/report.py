"""Everything at once: score generated images against real ones, beside a real-data baseline.

`evaluate` computes FID-MNIST, KID, precision and recall, the classifier score, the class
histogram and balance, and a memorisation check for a set of samples, next to the same numbers
for held-out real images ("real data"), so "FID-MNIST 4.1 (real data: 1.2)" says how far from
perfect a GAN is. `format_report` prints them, `results_json` writes them as one JSON line, and
`load_samples` reads samples saved with `numpy.save`, safely.
"""

import json
import time
from pathlib import Path

import numpy as np

from ganlib.data.mnist import load_mnist
from ganlib.evaluation import classifier as mnist_classifier
from ganlib.evaluation.distances import feature_statistics, frechet_distance_from_stats, kernel_distance
from ganlib.evaluation.features import check_count, check_features
from ganlib.evaluation.neighbours import _neighbour_radii, _precision_recall, memorisation_check
from ganlib.evaluation.scores import class_balance, class_histogram, classifier_score

STANDARD_N = 10_000  # The usual number of images for FID, and the size of MNIST's test split.
MIN_SAMPLES = 100  # Below this the statistics are too noisy to mean anything.
# Samples the memorisation check compares with every training image: enough to estimate a median
# and a 1% share well, and a fifth of the cost of 10,000.
MEMORISATION_N = 2000


class _Reference:
    """Features of the real images every candidate set is compared with, and what `evaluate`
    needs of them twice (for the samples and for the baseline) but computes once."""

    def __init__(self, features, k):
        self.features = check_features(features, "real features", k + 1)
        self.statistics = feature_statistics(self.features)
        self.radii = _neighbour_radii(self.features, k, chunk_size=1000)


def _feature_metrics(reference, candidate, kid_subsets, kid_subset_size, k, seed):
    """FID, KID, precision, recall, score and class balance of `candidate` against `reference`.

    `reference` is a `_Reference`; `candidate` is `(features, probabilities)` from
    `classifier.classify`.
    """
    features = check_features(candidate[0], "sample features", k + 1)
    kid = kernel_distance(reference.features, features, kid_subsets, kid_subset_size, seed)
    precision, recall = _precision_recall(reference.features, reference.radii, features, k, 1000)
    return {
        "fid": frechet_distance_from_stats(*reference.statistics, *feature_statistics(features)),
        "kid": kid.mean,
        "kid_std": kid.std,
        "classifier_score": classifier_score(candidate[1]),
        "precision": precision,
        "recall": recall,
        "class_balance": class_balance(candidate[1]),
        "class_histogram": class_histogram(candidate[1]).tolist(),
    }


def evaluate(samples, n=None, real_images=None, heldout_images=None, data_path=None, seed=0,
             baselines=True, memorisation=True, kid_subsets=100, kid_subset_size=1000, k=3,
             weights_path=None, log=None):
    """Score generated images against real ones, beside a real-data baseline at the same n.

    The samples are compared with n images drawn at random (seeded) from `real_images`, the
    GAN's training set. The baseline compares n held-out real images (MNIST's test split) with
    the same training images: it is what a perfect generator would get at this n.

    Args:
        samples: `(N, 28, 28)` or `(N, 28, 28, 1)`, uint8 0..255 or floats in [0, 1] or [-1, 1]
            (a float array with any negative value is read as [-1, 1]).
        n: how many samples to score (the first n); default all of them. At least 100;
            10,000 is the standard for FID.
        real_images, heldout_images: uint8 `(m, 28, 28)` arrays; default the train and test
            splits of MNIST from `data_path` (or `$GANLIB_DATA`, see `ganlib.data.load_mnist`).
            Pass your own when the GAN was trained on a subset, e.g. only zeros.
        baselines: also score n held-out real images (needs n <= len(heldout_images)).
        memorisation: also compare distances to the nearest training image (`memorisation_check`)
            for the first min(n, 2000) samples and held-out images.
        kid_subsets, kid_subset_size, k: passed to `kernel_distance` and `precision_recall`.
        log: a function that takes one line of progress text, e.g. `print`; None is silent.

    Returns:
        A dict of plain numbers (JSON-ready): `n`, `fid`, `kid`, `kid_std`, `classifier_score`,
        `precision`, `recall`, `class_balance`, `class_histogram` (10 counts); with `baselines` the same
        with a `baseline_` prefix; with `memorisation` the keys of `memorisation_check` and
        `memorisation_n`; and `seconds`.
    """
    started = time.monotonic()
    say = log if log is not None else (lambda text: None)
    sample_inputs = mnist_classifier.prepare_images(samples, "samples")
    if n is None:
        n = len(sample_inputs)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise ValueError(f"n must be a whole number such as {STANDARD_N}, not {n!r}.")
    if n < MIN_SAMPLES:
        raise ValueError(f"n={n} is too few images for these statistics: use at least "
                         f"{MIN_SAMPLES} ({STANDARD_N} is the standard for FID).")
    if len(sample_inputs) < n:
        raise ValueError(f"Only {len(sample_inputs)} samples were given for n={n}: pass at least "
                         f"{n} samples, or a smaller n.")
    sample_inputs = sample_inputs[:n]
    # Checked now rather than after a minute of work.
    check_count(kid_subsets, "kid_subsets")
    check_count(kid_subset_size, "kid_subset_size", 2)
    k = check_count(k, "k")

    if real_images is None:
        real_images, _ = load_mnist("train", path=data_path)
    if heldout_images is None and (baselines or memorisation):
        heldout_images, _ = load_mnist("test", path=data_path)
    real_inputs = mnist_classifier.prepare_images(real_images, "real_images")
    if len(real_inputs) < n:
        raise ValueError(f"n={n} is more than the {len(real_inputs)} real images to compare "
                         f"with: use n <= {len(real_inputs)}.")
    rng = np.random.default_rng(seed)
    reference_inputs = real_inputs[rng.choice(len(real_inputs), n, replace=False)]
    if baselines or memorisation:
        heldout_inputs = mnist_classifier.prepare_images(heldout_images, "heldout_images")
    if baselines and len(heldout_inputs) < n:
        raise ValueError(f"The real-data baseline needs n={n} held-out images but there are "
                         f"{len(heldout_inputs)}: use n <= {len(heldout_inputs)}, or "
                         "baselines=False (CLI: a smaller --n).")

    say(f"Classifying {n} samples and {n} training images...")
    reference = _Reference(mnist_classifier.classify(reference_inputs, weights_path)[0], k)
    candidate = mnist_classifier.classify(sample_inputs, weights_path)
    say("Computing FID, KID, precision and recall...")
    results = {"n": int(n)}
    results.update(_feature_metrics(reference, candidate, kid_subsets, kid_subset_size, k, seed))
    if baselines:
        say(f"Computing the same for {n} held-out real images (the baseline)...")
        heldout_subset = heldout_inputs[rng.choice(len(heldout_inputs), n, replace=False)]
        heldout = mnist_classifier.classify(heldout_subset, weights_path)
        baseline = _feature_metrics(reference, heldout, kid_subsets, kid_subset_size, k, seed)
        results.update({f"baseline_{name}": value for name, value in baseline.items()})
    if memorisation:
        memorisation_n = min(n, MEMORISATION_N)
        say(f"Comparing {memorisation_n} samples and {memorisation_n} held-out images with the "
            f"{len(real_inputs)} training images...")
        results.update(memorisation_check(sample_inputs[:memorisation_n], real_inputs,
                                          heldout_inputs[:memorisation_n]))
        results["memorisation_n"] = memorisation_n
    results["seconds"] = round(time.monotonic() - started, 1)
    return results


# (label, key, format, note) for each line of `format_report`.
REPORT_LINES = (
    ("FID-MNIST", "fid", "{:.3f}", "lower is better"),
    ("KID-MNIST", "kid", "{:.4f}", "lower is better; about 0 (either sign) for real data"),
    ("Classifier score", "classifier_score", "{:.3f}", "higher is better, at most 10"),
    ("Precision", "precision", "{:.3f}", "share of samples that look real"),
    ("Recall", "recall", "{:.3f}", "share of real digits the samples cover"),
    ("Class balance", "class_balance", "{:.3f}", "10 x the rarest digit's share; 0 = a digit is missing"),
    ("Nearest-neighbour distance", "nn_distance", "{:.3f}", "median pixel L2 to the training set"),
    ("Near copies", "near_copy_share", "{:.3f}", "well above the baseline suggests memorisation"),
)


def format_report(results):
    """Readable lines for the dict `evaluate` returns: each metric beside its real-data baseline."""
    lines = [f"Scored n={results['n']} samples against {results['n']} training images "
             f"({results.get('seconds', 0):.0f} s)."]
    for label, key, number_format, note in REPORT_LINES:
        if key not in results:
            continue
        text = f"{label:<27}{number_format.format(results[key]):>9}"
        if f"baseline_{key}" in results:
            text += f"   (real data: {number_format.format(results['baseline_' + key])})"
        lines.append(f"{text}   {note}")
    histogram = results.get("class_histogram")
    if histogram is not None:
        lines.append("Digits drawn               " + "  ".join(
            f"{digit}:{count}" for digit, count in enumerate(histogram)))
    return "\n".join(lines)


def load_samples(path):
    """Read samples saved with `numpy.save` (e.g. by `ganlib sample --out FILE.npy`), safely.

    Pickled Python objects are refused, since unpickling a file can run code from it.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No samples at {path}: write some with `ganlib sample "
                                f"--generator DIR/generator.keras --n {STANDARD_N} --out {path}`.")
    if path.suffix.lower() != ".npy":
        raise ValueError(f"{path} is not a .npy file: save the samples with numpy.save(path, "
                         "images), with images uint8 (n, 28, 28).")
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise ValueError(f"{path} could not be read as a numeric .npy array ({error}): save a "
                         "uint8 or float array with numpy.save(path, images).") from None


def results_json(results):
    """The results of `evaluate` as one line of JSON."""
    return json.dumps(results, sort_keys=True)
