"""Bad input, in one table: what a learner may pass, and the one line they get back.

Each row is (input, expected exception, fragments of the message). The library raises
`ValueError` or `FileNotFoundError` with a single line that names the problem and the fix; the
`ganlib` command prints that line after "ganlib COMMAND: error:" and exits with status 2.
"""

import numpy as np
import pytest

from conftest import write_idx
from ganlib import cli, course, data, models
from ganlib.core.files import load_generator
from ganlib.evaluation import evaluate
from ganlib.models.sampling import generate
from ganlib.training import TrainConfig, train


@pytest.fixture(scope="module")
def bad(tmp_path_factory, mnist_arrays):
    """Paths to broken files and small arrays, made once for the whole table."""
    folder = tmp_path_factory.mktemp("bad")
    good_images = mnist_arrays["x_train"][:64]
    labels = mnist_arrays["y_train"][:64]
    paths = {"missing": folder / "missing.npz", "empty": folder / "empty.npz",
             "garbage": folder / "garbage.npz", "truncated": folder / "truncated.npz",
             "wrong_shape": folder / "wrong_shape.npz", "floats": folder / "floats.npz",
             "no_keys": folder / "no_keys.npz", "idx": folder / "idx",
             "not_a_model": folder / "not_a_model.keras", "latent_8": folder / "latent_8.keras",
             "discriminator": folder / "discriminator.keras", "notebook": folder / "01_x.ipynb",
             "conditional": folder / "conditional.keras", "clustered": folder / "clustered.keras"}
    paths["empty"].write_bytes(b"")
    paths["garbage"].write_bytes(b"this is not a zip archive")
    np.savez(paths["truncated"], x_train=good_images, y_train=labels, x_test=good_images,
             y_test=labels)
    paths["truncated"].write_bytes(paths["truncated"].read_bytes()[:20000])
    np.savez(paths["wrong_shape"], x_train=np.zeros((64, 32, 32), np.uint8), y_train=labels,
             x_test=good_images, y_test=labels)
    np.savez(paths["floats"], x_train=good_images / 255.0, y_train=labels, x_test=good_images,
             y_test=labels)
    np.savez(paths["no_keys"], images=good_images)
    paths["idx"].mkdir()
    write_idx(paths["idx"] / "train-images-idx3-ubyte", good_images)
    write_idx(paths["idx"] / "train-labels-idx1-ubyte", labels)
    cut = paths["idx"] / "train-images-idx3-ubyte"
    cut.write_bytes(cut.read_bytes()[:5000])  # A download cut short.
    paths["not_a_model"].write_bytes(b"PK\x03\x04 half of a zip")
    generator, discriminator = models.build_preset("mlp", latent_dim=8)
    generator.save(paths["latent_8"])
    discriminator.save(paths["discriminator"])
    models.conditional_generator(8, filters=(8, 4)).save(paths["conditional"])
    models.conditional_generator(8, num_classes=30, filters=(8, 4)).save(paths["clustered"])
    paths["notebook"].write_text(
        '{"cells": [{"cell_type": "code", "id": "p", "metadata": {"tags": ["parameters"]}, '
        '"source": "EPOCHS = 3", "outputs": [], "execution_count": null}], "metadata": {}, '
        '"nbformat": 4, "nbformat_minor": 5}')
    paths["images"] = good_images
    return paths


def _train(bad, tmp_path, images=None, **overrides):
    settings = {"epochs": 1, "batch_size": 16, **overrides}
    return train(tmp_path / "out", TrainConfig(**settings),
                 images=bad["images"] if images is None else images, verbose=0,
                 log=lambda text: None)


# (id, call, exception, fragments): `call(bad, tmp_path)` must raise `exception`.
LIBRARY_CASES = [
    ("data file missing", lambda b, t: data.load_mnist(path=b["missing"]),
     FileNotFoundError, ["missing.npz", "does not exist"]),
    ("data file empty", lambda b, t: data.load_mnist(path=b["empty"]),
     ValueError, ["empty.npz", "not a readable .npz", "download it again"]),
    ("data file truncated", lambda b, t: data.load_mnist(path=b["truncated"]),
     ValueError, ["truncated.npz", "download it again"]),
    ("data file corrupt", lambda b, t: data.load_mnist(path=b["garbage"]),
     ValueError, ["garbage.npz", "not a readable .npz"]),
    ("npz without MNIST's arrays", lambda b, t: data.load_mnist(path=b["no_keys"]),
     ValueError, ["no array 'x_train'", "Keras' layout"]),
    ("IDX file truncated", lambda b, t: data.load_mnist(path=b["idx"]),
     ValueError, ["train-images-idx3-ubyte", "truncated or corrupt", "download it again"]),
    ("images of the wrong shape in a file", lambda b, t: data.load_mnist(path=b["wrong_shape"]),
     ValueError, ["(64, 32, 32)", "expected (n, 28, 28)"]),
    ("images of the wrong dtype in a file", lambda b, t: data.load_mnist(path=b["floats"]),
     ValueError, ["float64", "expected uint8", "unscale_images"]),
    ("array of the wrong shape", lambda b, t: data.make_dataset(np.zeros((64, 784), np.uint8), 16),
     ValueError, ["(64, 784)", "reshape"]),
    ("array of the wrong range (floats)",
     lambda b, t: _train(b, t, images=b["images"] / 255.0),
     ValueError, ["float64", "expected uint8 pixels 0..255", "unscale_images"]),
    ("array empty", lambda b, t: data.make_dataset(np.zeros((0, 28, 28), np.uint8), 16),
     ValueError, ["hold no images", "at least one"]),
    ("samples out of range", lambda b, t: evaluate(np.full((200, 28, 28), 3.0, np.float32)),
     ValueError, ["range from 3 to 3"]),
    ("digit above 9", lambda b, t: data.load_mnist(path=b["missing"], digits=[3, 12]),
     ValueError, ["12", "0 to 9"]),
    ("digit negative", lambda b, t: _train(b, t, digits=[-1]), ValueError, ["-1", "0 to 9"]),
    ("digits empty", lambda b, t: _train(b, t, digits=[]), ValueError, ["digits is empty"]),
    ("unknown preset", lambda b, t: _train(b, t, preset="huge"),
     ValueError, ["Unknown preset 'huge'", "clustered"]),
    ("epochs not positive", lambda b, t: _train(b, t, epochs=0), ValueError, ["epochs", "at least 1"]),
    ("minutes not positive", lambda b, t: _train(b, t, epochs=None, minutes=-2),
     ValueError, ["minutes must be a positive number"]),
    ("batch size not positive", lambda b, t: _train(b, t, batch_size=-4),
     ValueError, ["batch_size must be a whole number of at least 1", "-4"]),
    ("batch larger than the data", lambda b, t: _train(b, t, batch_size=500),
     ValueError, ["batch_size 500 is larger than the 64 images"]),
    ("latent size not positive", lambda b, t: _train(b, t, latent_dim=0),
     ValueError, ["latent_dim must be a whole number of at least 1"]),
    ("learning rate not positive", lambda b, t: _train(b, t, g_learning_rate=0.0),
     ValueError, ["g_learning_rate must be a positive number"]),
    ("unknown objective", lambda b, t: _train(b, t, objective="wgan"),
     ValueError, ["Unknown objective 'wgan'", "hinge", "relativistic"]),
    ("unknown penalty", lambda b, t: _train(b, t, penalty="r3", penalty_weight=1.0),
     ValueError, ["Unknown penalty 'r3'", "r1", "gp"]),
    ("negative penalty weight", lambda b, t: _train(b, t, penalty="r1", penalty_weight=-0.1),
     ValueError, ["penalty_weight must be a number of at least 0", "-0.1"]),
    ("a penalty without a weight", lambda b, t: _train(b, t, penalty="gp", penalty_weight=0.0),
     ValueError, ["penalty 'gp' needs a penalty_weight above 0", "10 for gp"]),
    ("penalty interval not positive", lambda b, t: _train(b, t, penalty="r1", penalty_weight=1.0,
                                                          penalty_interval=0),
     ValueError, ["penalty_interval must be a whole number of at least 1"]),
    ("negative EMA half-life", lambda b, t: _train(b, t, ema_half_life=-5),
     ValueError, ["ema_half_life must be a number of at least 0", "10000"]),
    ("unknown augmentation", lambda b, t: _train(b, t, augment="flip"),
     ValueError, ["Unknown augmentation 'flip'", "translation", "cutout"]),
    ("label smoothing with an objective without labels",
     lambda b, t: _train(b, t, objective="hinge", label_smoothing=0.1),
     ValueError, ["label_smoothing applies to the cross-entropy objectives", "hinge"]),
    ("Adam beta out of range", lambda b, t: _train(b, t, beta_2=1.5),
     ValueError, ["beta_2 must be in [0.0, 1.0)", "1.5"]),
    ("conditional preset without labels", lambda b, t: _train(b, t, preset="conditional"),
     ValueError, ["conditional preset trains on images and their labels", "labels="]),
    ("a digit out of range for a conditional generator",
     lambda b, t: generate(load_generator(b["conditional"]), 4, labels=12),
     ValueError, ["whole numbers from 0 to 9", "--digit 7"]),
    ("a digit for an unconditional generator",
     lambda b, t: generate(load_generator(b["latent_8"]), 4, labels=3),
     ValueError, ["unconditional", "cannot be asked for a digit", "--preset conditional"]),
    ("notebook parameter of the wrong type",
     lambda b, t: course.check_parameters(b["notebook"], {"EPOCHS": "five"}),
     ValueError, ["EPOCHS='five'", "expects int", "-p EPOCHS 3"]),
    ("generator file missing", lambda b, t: load_generator(b["missing"]),
     FileNotFoundError, ["No generator at", "ganlib train"]),
    ("generator file not a Keras model", lambda b, t: load_generator(b["not_a_model"]),
     ValueError, ["not_a_model.keras", "not a Keras model"]),
    ("a discriminator instead of a generator",
     lambda b, t: load_generator(b["discriminator"]),
     ValueError, ["discriminator.keras"]),
    ("generator with another latent size",
     lambda b, t: load_generator(b["latent_8"], latent_dim=100),
     ValueError, ["latent", "8", "100"]),
]


@pytest.mark.parametrize("call, exception, fragments",
                         [case[1:] for case in LIBRARY_CASES], ids=[case[0] for case in LIBRARY_CASES])
def test_library_raises_one_line_naming_problem_and_fix(bad, tmp_path, call, exception, fragments):
    with pytest.raises(exception) as raised:
        call(bad, tmp_path)
    message = str(raised.value)
    assert "\n" not in message, message
    for fragment in fragments:
        assert fragment in message, message
    assert not (tmp_path / "out" / "checkpoints").exists(), "training started before the error"


# (id, arguments, fragments): NAME in the arguments is replaced by the path bad[NAME].
CLI_CASES = [
    ("data file missing", ["train", "--data", "missing"], ["does not exist"]),
    ("data file empty", ["train", "--data", "empty"], ["not a readable .npz"]),
    ("data file truncated", ["train", "--data", "truncated"], ["download it again"]),
    ("images of the wrong dtype", ["train", "--data", "floats"], ["expected uint8"]),
    ("images of the wrong shape", ["train", "--data", "wrong_shape"], ["expected (n, 28, 28)"]),
    ("digit outside 0-9", ["train", "--digits", "0,12"], ["digits 0 to 9", "--digits 0,3"]),
    ("unknown preset", ["train", "--preset", "huge"], ["invalid choice: 'huge'", "tutorial"]),
    ("epochs not positive", ["train", "--epochs", "0"], ["not positive"]),
    ("minutes not positive", ["train", "--minutes", "-1"], ["-1 is not a positive number"]),
    ("batch size not positive", ["train", "--batch-size", "0"], ["not positive"]),
    ("latent size not positive", ["train", "--latent-dim", "0"], ["not positive"]),
    ("batch larger than the data", ["train", "--batch-size", "5000"], ["larger than the 64 images"]),
    ("epochs and minutes", ["train", "--epochs", "2", "--minutes", "3"], ["not allowed with argument"]),
    ("unknown objective", ["train", "--objective", "wgan"], ["invalid choice: 'wgan'", "hinge"]),
    ("unknown penalty", ["train", "--penalty", "r3"], ["invalid choice: 'r3'", "gp"]),
    ("negative penalty weight", ["train", "--penalty", "r1", "--penalty-weight", "-1"],
     ["-1 is not a number of at least 0"]),
    ("a penalty without a weight", ["train", "--penalty", "r1", "--penalty-weight", "0"],
     ["needs a penalty_weight", "--penalty-weight"]),
    ("negative EMA half-life", ["train", "--ema", "-100"], ["-100 is not a number of at least 0"]),
    ("unknown augmentation", ["train", "--augment", "flip"], ["'flip'", "translation"]),
    ("--conditional with another preset", ["train", "--conditional", "--preset", "mlp"],
     ["--conditional trains the conditional preset", "leave one out"]),
    ("--digit for an unconditional generator",
     ["sample", "--generator", "latent_8", "--n", "4", "--out", "x.npy", "--digit", "3"],
     ["unconditional", "--preset conditional"]),
    ("--digit for a clustered generator",
     ["sample", "--generator", "clustered", "--n", "4", "--out", "x.npy", "--digit", "3"],
     ["draws 30 clusters, not digits", "leave out --digit", "--preset conditional"]),
    ("--digit out of range", ["sample", "--generator", "conditional", "--n", "4", "--out", "x.npy",
                              "--digit", "12"], ["digits are 0 to 9"]),
    ("notebook parameter of the wrong type", ["course", "-p", "EPOCHS", "five"],
     ["EPOCHS='five'", "expects int"]),
    ("generator missing", ["sample", "--generator", "missing", "--n", "4", "--out", "x.npy"],
     ["No generator at"]),
    ("generator not a Keras model",
     ["sample", "--generator", "not_a_model", "--n", "4", "--out", "x.npy"], ["not a Keras model"]),
    ("sample file of an unknown kind",
     ["sample", "--generator", "missing", "--n", "4", "--out", "x.txt"], [".npy", ".png"]),
    ("samples in the wrong format", ["evaluate", "--samples", "garbage"], ["garbage.npz"]),
]


@pytest.mark.parametrize("arguments, fragments", [case[1:] for case in CLI_CASES],
                         ids=[case[0] for case in CLI_CASES])
def test_command_exits_2_with_one_line(bad, tmp_path, capsys, mnist_path, arguments, fragments):
    arguments = [str(bad[argument]) if argument in bad else argument for argument in arguments]
    if arguments[0] == "train":
        arguments += ["--out", str(tmp_path / "out")]
        if "--data" not in arguments:
            small = tmp_path / "small.npz"
            np.savez(small, x_train=bad["images"], y_train=np.zeros(64, np.uint8),
                     x_test=bad["images"], y_test=np.zeros(64, np.uint8))
            arguments += ["--data", str(small)]
    if arguments[0] == "course":
        arguments += ["--out", str(tmp_path / "course")]
    try:
        status = cli.main(arguments)
    except SystemExit as exit_:  # argparse's own errors exit from inside parse_args.
        status = exit_.code
    captured = capsys.readouterr()
    assert status == 2, captured.out + captured.err
    assert "Traceback" not in captured.err
    last = captured.err.strip().splitlines()[-1]
    assert last.startswith("ganlib ") and "error:" in last, captured.err
    for fragment in fragments:
        assert fragment in last, last
    assert not (tmp_path / "out" / "checkpoints").exists(), "training started before the error"
