"""The shared helper of the exercise checks (one line, a Verdict, hints as data) and the package's
front door: every check under its name, and `solution()`."""

import inspect
import logging
import warnings

import numpy as np
import pytest
import tensorflow as tf

import ganlib.exercises as exercises
from ganlib.exercises import report, solutions


def verdict_of(check, *answers, capsys, **arguments):
    """Run a check; assert it printed exactly its one line and nothing else."""
    verdict = check(*answers, **arguments)
    printed = capsys.readouterr()
    assert printed.out == verdict.message + "\n" and printed.err == ""
    return verdict


def expect_verdict(check, answers, arguments, diagnosis, line, capsys):
    """Run `check(*answers, **arguments)`: it must pass when `diagnosis` is None and otherwise
    fail with that diagnosis, never raise, print one line, and, when `line` is given, print
    exactly it after "ok: <check> — " or "not yet: "."""
    verdict = verdict_of(check, *answers, capsys=capsys, **arguments)
    assert bool(verdict) is verdict.passed is (diagnosis is None)
    assert verdict.diagnosis == diagnosis
    prefix = f"ok: {check.__name__} — " if diagnosis is None else "not yet: "
    assert verdict.message.startswith(prefix)
    if line is not None:
        assert verdict.message == prefix + line
    return verdict


def cases(check, right, ok_line, wrong, arguments=None):
    """Rows (check, answers, arguments, diagnosis, line) for `expect_verdict`: every right answer
    with `ok_line`, then every wrong row, (answer, diagnosis, line) or (answer, arguments,
    diagnosis, line). An answer that is a tuple holds several positional arguments."""
    def answers(answer):
        return answer if isinstance(answer, tuple) else (answer,)

    rows = [(check, answers(answer), arguments or {}, None, ok_line) for answer in right]
    for row in wrong:
        answer, row_arguments, diagnosis, line = row if len(row) == 4 else (
            row[0], arguments or {}, *row[1:])
        rows.append((check, answers(answer), row_arguments, diagnosis, line))
    return rows


def case_ids(rows):
    return [f"{check.__name__}-{diagnosis or 'ok'}-{index}"
            for index, (check, _, _, diagnosis, _) in enumerate(rows)]


@report.exercise("demo")
def demo(function, *args):
    """A check made of the helpers: the learner's number must be 2, the double of 1."""
    value = report.as_number(report.call(function, *args), "demo")
    report.diagnose(value, 2.0, [
        report.Diagnosis("halved", 0.5, "halved"),
        report.Diagnosis("computed", lambda: 1.0 + 2.0, "lazily computed"),
        report.Diagnosis("negative", report.When(lambda got: got < 0), "negative"),
        report.Diagnosis("broken", report.When(lambda got: 1 / 0), "never matches")],
        f"got {value:g}", "double it", accept=(2.5,))
    return "it doubles"


@pytest.mark.parametrize("value, diagnosis, message", [
    (0.5, "halved", "not yet: got 0.5 — halved"),
    (3.0, "computed", "not yet: got 3 — lazily computed"),
    (-7.0, "negative", "not yet: got -7 — negative"),
    (9.0, "mismatch", "not yet: got 9 — double it"),
    (2.00001, None, "ok: demo — it doubles"),
    (2.5, None, "ok: demo — it doubles"),
    (None, "returned_none", "not yet: demo returned None — return the result"),
    ([1.0, 2.0], "not_one_number",
     "not yet: demo returned shape (2,), not one number — reduce it to one number"),
    ("two", "not_numbers",
     "not yet: demo returned str, not an array of numbers — return numbers: a NumPy array, a "
     "tensor or a float"),
])
def test_a_check_prints_one_line_and_returns_its_verdict(value, diagnosis, message, capsys):
    verdict = demo(lambda: value)
    assert capsys.readouterr().out == message + "\n"
    assert verdict.message == message and verdict.diagnosis == diagnosis
    assert bool(verdict) is verdict.passed is (diagnosis is None)
    assert verdict.check == "demo"


def test_a_crash_is_a_failed_test_with_the_informative_line(capsys):
    def keras_like():
        raise ValueError("Exception encountered when calling Dense.call().\n\n"
                         "\x1b[1mInput 0 is incompatible\x1b[0m\n\nArguments received: ...")

    verdict = demo(keras_like)
    assert verdict.diagnosis == "raised" and verdict.message == (
        "not yet: keras_like raised ValueError: Input 0 is incompatible — read the error, then "
        "try your code by hand on a small input")

    def autograph_like():
        raise TypeError("in user code:\n\n    File 'x.py', line 3\n\n    TypeError: bad thing")

    assert demo(autograph_like).message.startswith(
        "not yet: autograph_like raised TypeError: TypeError: bad thing —")

    def long_message():
        raise RuntimeError("x" * 300)

    problem = demo(long_message).message.split(" — ")[0]
    assert problem.endswith("x...") and len(problem) == len("not yet: long_message raised "
                                                            "RuntimeError: ") + 160

    def exactly_the_limit():
        raise RuntimeError("y" * 160)

    assert ("y" * 160 + " —") in demo(exactly_the_limit).message
    assert demo(lambda: (_ for _ in ()).throw(KeyError())).message.startswith(
        "not yet: <lambda> raised KeyError:  —")
    capsys.readouterr()


def test_a_check_that_cannot_read_the_answer_says_so(capsys):
    @report.exercise("fragile")
    def fragile(function):
        return function()["missing"]

    verdict = fragile(lambda: {})
    assert verdict.diagnosis == "unreadable" and not verdict
    assert verdict.message == ("not yet: the check could not read what your code gave (KeyError: "
                               "'missing') — return what the exercise asks for")
    assert capsys.readouterr().out == verdict.message + "\n"


def test_the_learners_noise_never_reaches_the_notebook(capsys):
    def noisy():
        print("debugging")
        warnings.warn("careful")
        logging.getLogger("tensorflow").warning("retracing")
        logging.getLogger("absl").warning("absl says")
        tf.get_logger().error("an error")
        return 2.0

    levels = [logging.getLogger(name).level for name in ("tensorflow", "absl", "keras")]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        verdict = demo(noisy)
    printed = capsys.readouterr()
    assert verdict and printed.out == "ok: demo — it doubles\n" and printed.err == ""
    assert caught == []
    assert [logging.getLogger(name).level for name in ("tensorflow", "absl", "keras")] == levels


def test_jupyter_shows_nothing_for_a_verdict():
    verdict = report.Verdict("scale_to_tanh", False, "not yet: ...", "dtype")
    assert verdict._ipython_display_() is None
    assert repr(verdict) == "<Verdict scale_to_tanh: not yet>"
    assert repr(report.Verdict("x", True, "ok: x — y")) == "<Verdict x: ok>"
    assert not verdict and report.Verdict("x", True, "ok")


@pytest.mark.parametrize("got, expected, tolerance, result", [
    (1.0, 1.0 + 1e-6, 1e-5, True), (1.0, 1.0 + 1e-4, 1e-5, False), (1.0, 1.1, 0.2, True),
    ([1.0, 2.0], [1.0, 2.0], 0.0, True), ([1.0, 2.0], [1.0], 1e-5, False),
    (np.ones((2, 1)), np.ones(2), 1e-5, False), ("a", 1.0, 1e-5, False),
    ([np.ones(2), np.ones(3)], [np.ones(2), np.ones(3)], 1e-5, True),
    ([np.ones(2), np.ones(3)], [np.ones(2), np.zeros(3)], 1e-5, False),
    (np.ones(2), [np.ones(2), np.ones(3)], 1e-5, False),
    ([np.ones(2)], [np.ones(2), np.ones(3)], 1e-5, False),
    (np.nan, np.nan, 1e-5, False), (0.0, 1e-5, 1e-5, True), (0.0, 2.1e-5, 1e-5, False),
    (1.0, "a", 1e-5, False), (100.0, 100.0001, 0.0, False), (100.0, 100.0001, 1e-5, True),
    ([np.ones(2), np.ones(3)], [np.full(2, 1.1), np.ones(3)], 0.2, True),
    (100.0, 100.0009, 1e-5, True), (100.0, 100.0012, 1e-5, False),
])
def test_close_compares_shapes_and_values(got, expected, tolerance, result):
    assert report.close(got, expected, tolerance) is result


def test_diagnoses_are_tried_in_order_and_computed_only_when_needed():
    computed = []

    def candidate():
        computed.append(True)
        return 5.0

    with pytest.raises(report.NotYet) as failure:
        report.diagnose(1.0, 2.0, [report.Diagnosis("first", 1.0, "first hint"),
                                   report.Diagnosis("second", candidate, "second hint")],
                        "problem", "otherwise")
    assert failure.value.diagnosis == "first" and computed == []
    assert str(failure.value) == "problem — first hint"
    assert failure.value.problem == "problem" and failure.value.hint == "first hint"
    report.diagnose(1.0, 2.0, [], "p", "o", accept=(1.0,))  # An accepted value passes.
    report.diagnose(1.1, 1.0, [], "p", "o", tolerance=0.2)  # Within the tolerance given.
    report.diagnose(1.1, 5.0, [], "p", "o", accept=(1.0,), tolerance=0.2)
    with pytest.raises(report.NotYet) as failure:
        report.diagnose(5.1, 1.0, [report.Diagnosis("near", 5.0, "h")], "p", "o",
                        tolerance=0.2)
    assert failure.value.diagnosis == "near"
    assert report.matches(1.1, 1.0, 0.2) and not report.matches(1.1, 1.0)
    assert report.any_of((1.0,), tolerance=0.2).predicate(1.1)
    assert report.any_of((3.0, 1.0)).predicate(1.0)
    assert not report.any_of((3.0, 4.0)).predicate(1.0)
    assert not report.any_of((1.0 + 1e-3,), tolerance=1e-6).predicate(1.0)
    assert report.not_finite([1.0, np.inf]) and not report.not_finite([1.0, 2.0])
    assert report.not_finite(np.array([1.0, np.inf], dtype=object))
    assert report.rounded(np.array([1.23456], dtype=object)) == [1.2346]
    assert report.rounded([1.23456, 2.0]) == [1.2346, 2.0]
    assert report.rounded([1.23456], 2) == [1.23]


def test_require_and_fail_carry_the_diagnosis():
    report.require(True, "p", "h", "d")
    with pytest.raises(report.NotYet) as failure:
        report.require(False, "p", "h", "d")
    assert (failure.value.problem, failure.value.hint, failure.value.diagnosis) == ("p", "h", "d")


def test_call_passes_arguments_and_labels():
    assert report.call(lambda a, b=0: a + b, 1, b=2) == 3
    with pytest.raises(report.NotYet, match="^named raised ZeroDivisionError"):
        report.call(lambda: 1 / 0, label="named")

    class Unnamed:
        def __call__(self):
            raise KeyError("k")

    with pytest.raises(report.NotYet, match="^your code raised KeyError: 'k' — read"):
        report.call(Unnamed())


@pytest.mark.parametrize("value, numbers", [
    (np.arange(3), True), ([True, False], True), (2.5, True), ([[1.0], [2.0]], True),
    ("two", False), ([[1], [1, 2]], False), (np.array([1.0], dtype=object), False),
    ([None, 1], False)])
def test_as_array_takes_numbers_only(value, numbers):
    if numbers:
        np.testing.assert_array_equal(report.as_array(value, "f"), np.asarray(value))
    else:
        with pytest.raises(report.NotYet) as failure:
            report.as_array(value, "f")
        assert failure.value.diagnosis == "not_numbers"
    assert report.as_number(np.array([[3]]), "f") == 3.0
    assert isinstance(report.as_number(np.int64(3), "f"), float)


# --- the package --------------------------------------------------------------------------------


def test_every_check_is_exported_under_its_name_and_has_a_solution():
    names = [check for checks in exercises.NOTEBOOKS.values() for check in checks]
    assert len(names) == len(set(names)) == 32
    for name in names:
        assert callable(getattr(exercises, name)) and name in exercises.__all__
        assert getattr(exercises, name).__name__ == name
        assert name in exercises.SOLUTIONS
    assert sorted(exercises.SOLUTIONS) == sorted(names)
    assert list(exercises.NOTEBOOKS) == ["01_data", "02_discriminator", "03_generator", "04_gan",
                                         "05_theory", "06_training", "07_classics",
                                         "08_evaluation", "09_stability", "10_conditional",
                                         "11_scaling"]


@pytest.mark.parametrize("notebook", ["01", "01_data", 1, "1"])
def test_solution_prints_the_worked_solution(notebook, capsys):
    assert exercises.solution(notebook, 1) is None
    printed = capsys.readouterr().out
    assert printed.startswith("# 01_data, exercise 1: a worked solution (checked by "
                              "ganlib.exercises.scale_to_tanh)\n\n")
    assert "def scale_to_tanh(images):" in printed and "return images / 127.5 - 1.0" in printed


def test_solution_prints_every_part_of_an_exercise(capsys):
    exercises.solution("06_training", 3)
    printed = capsys.readouterr().out
    sources = [inspect.getsource(part) for part in (solutions.run_d_steps_experiment,
                                                     solutions.count_updates)]
    assert printed == ("# 06_training, exercise 3: a worked solution (checked by "
                       "ganlib.exercises.d_steps_experiment)\n\n" + "\n\n".join(sources))
    assert printed.endswith("steps  # Each step: d_steps updates of D, then one of G.\n")
    exercises.solution(11, 3)
    assert "def my_mixed_setup(preset):" in capsys.readouterr().out


@pytest.mark.parametrize("notebook, number, message", [
    ("12", 1, "Unknown notebook '12': choose one of 01_data, 02_discriminator, 03_generator, "
              "04_gan, 05_theory, 06_training, 07_classics, 08_evaluation, 09_stability, "
              "10_conditional, 11_scaling (or just its number, e.g. '01' or 1)."),
    ("data", 1, None), (True, 1, None), (None, 1, None),
    ("01", 4, "01_data has exercises 1, 2, 3; not 4."),
    ("03", 3, "03_generator has exercises 1, 2; not 3."),
    ("01", 0, "01_data has exercises 1, 2, 3; not 0."),
    ("01", True, "01_data has exercises 1, 2, 3; not True."),
    ("01", "1", "01_data has exercises 1, 2, 3; not '1'."),
])
def test_solution_refuses_what_does_not_exist_in_one_line(notebook, number, message, capsys):
    with pytest.raises(ValueError) as error:
        exercises.solution(notebook, number)
    assert "\n" not in str(error.value)
    if message is not None:
        assert str(error.value) == message
    else:
        assert str(error.value).startswith(f"Unknown notebook {notebook!r}: choose one of 01_data")
    assert capsys.readouterr().out == ""


def test_importing_the_package_prints_nothing_and_shows_no_solution(capsys):
    import importlib

    importlib.reload(exercises)
    assert capsys.readouterr() == ("", "")
