"""How good are a GAN's digits? Numbers computed on an MNIST classifier's view of them.

A GAN's losses say who is winning the game, not whether the pictures are good. These metrics
compare generated images with real ones through `ganlib.evaluation.classifier`: its penultimate
layer gives 128 features an image, its softmax the probability of each digit.

- `ganlib.evaluation.classifier`: the small classifier (shipped weights), `classify(images)`.
- `ganlib.evaluation.distances`: FID-MNIST and KID between two sets of features.
- `ganlib.evaluation.neighbours`: precision and recall, nearest training images, memorisation.
- `ganlib.evaluation.scores`: the classifier score, the class histogram and class balance.
- `ganlib.evaluation.report`: `evaluate(samples)`, everything beside a real-data baseline.
- `ganlib.evaluation.callback`: `FIDCallback`, FID-MNIST after every epoch of `fit()`.

FID, precision and recall depend on the number of images n: compare numbers only at the same n,
and read them beside the real-data baseline at that n.
"""

from ganlib.evaluation.callback import FIDCallback
from ganlib.evaluation.classifier import accuracy, classify, load_classifier, prepare_images
from ganlib.evaluation.distances import (KernelDistance, feature_statistics, frechet_distance,
                                         frechet_distance_from_stats, kernel_distance)
from ganlib.evaluation.neighbours import (PrecisionRecall, memorisation_check,
                                          nearest_neighbour_distances, precision_recall)
from ganlib.evaluation.report import (MEMORISATION_N, MIN_SAMPLES, STANDARD_N, evaluate,
                                      format_report, load_samples, results_json)
from ganlib.evaluation.scores import class_balance, class_histogram, classifier_score

__all__ = ["FIDCallback", "KernelDistance", "MEMORISATION_N", "MIN_SAMPLES", "PrecisionRecall",
           "STANDARD_N", "accuracy", "class_balance", "class_histogram", "classifier_score",
           "classify", "evaluate", "feature_statistics", "format_report", "frechet_distance",
           "frechet_distance_from_stats", "kernel_distance", "load_classifier",
           "load_samples", "memorisation_check", "nearest_neighbour_distances",
           "precision_recall", "prepare_images", "results_json"]
