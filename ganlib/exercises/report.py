"""The one helper every exercise check is built on: run the learner's code, compare, hint.

A check is a function decorated with `@exercise("name")`. Its body calls the learner's code
through `call()`, tests what came back with `require()` and `diagnose()`, and returns a short
sentence saying what is right. The first test that fails ends the check with `NotYet`. Either
way the check prints exactly ONE line and returns a `Verdict`:

    ok: scale_to_tanh — shape, dtype and values match (0 -> -1, 255 -> 1)
    not yet: values span [0.000, 1.000] — that is the sigmoid range [0, 1]; map 0..255 onto [-1, 1] instead

Hints are written once, as data: `diagnose(got, expected, diagnoses, ...)` walks a list of
`Diagnosis(name, candidate, hint)`, the value a learner with that mistake would get (or a
`When(predicate)` that recognises it), and says the hint of the first one that matches.
Nothing the learner's code prints, warns or logs reaches the notebook while a check runs.
"""

import contextlib
import functools
import io
import logging
import re
import warnings
from typing import Any, NamedTuple

import numpy as np

DEFAULT_TOLERANCE = 1e-5


class Verdict:
    """What a check found: truthy only when everything passed.

    `passed` (bool), `message` (the one printed line), `diagnosis` (the name of the mistake that
    was recognised, or None when the check passed) and `check` (the check's name). Jupyter shows
    nothing for it, so an exercise cell's output is the printed line alone.
    """

    def __init__(self, check, passed, message, diagnosis=None):
        self.check = check
        self.passed = passed
        self.message = message
        self.diagnosis = diagnosis

    def __bool__(self):
        return self.passed

    def __repr__(self):
        return f"<Verdict {self.check}: {'ok' if self.passed else 'not yet'}>"

    def _ipython_display_(self):
        """Display nothing: the check has printed its line already."""


class NotYet(Exception):
    """Raised inside a check to end it with one 'not yet' line."""

    def __init__(self, problem, hint, diagnosis):
        super().__init__(f"{problem} — {hint}")
        self.problem = problem
        self.hint = hint
        self.diagnosis = diagnosis


class When(NamedTuple):
    """A candidate given as a test of the learner's value instead of a value to compare with."""

    predicate: Any


class Diagnosis(NamedTuple):
    """One recognisable mistake: its `name`, the `candidate` value a learner making it gets
    (a value, a function of no arguments computing it only when needed, or a `When`), and
    the `hint` shown when the learner's value matches the candidate."""

    name: str
    candidate: Any
    hint: str


def fail(problem, hint, diagnosis):
    """End the check: `problem` says what is wrong, `hint` how to think about it."""
    raise NotYet(problem, hint, diagnosis)


def require(condition, problem, hint, diagnosis):
    """Fail with `problem` and `hint` unless `condition` holds."""
    if not condition:
        fail(problem, hint, diagnosis)


def _first_line(text, limit=160):
    """The informative line of an error message (Keras wraps it: "Exception encountered...")."""
    lines = [line.strip() for line in re.sub(r"\x1b\[[0-9;]*m", "", str(text)).splitlines()]
    lines = [line for line in lines if line and not line.startswith("Exception encountered")]
    # A TensorFlow trace ("in user code: File ...") ends with the message itself.
    line = (lines[-1] if lines[0] == "in user code:" else lines[0]) if lines else ""
    return line if len(line) <= limit else line[:limit - 3] + "..."


def call(function, *args, label=None, **kwargs):
    """Call the learner's `function`; a crash becomes a failed test, never an exception."""
    label = label or getattr(function, "__name__", "your code")
    try:
        return function(*args, **kwargs)
    except Exception as error:  # The learner's code may raise anything: report it.
        fail(f"{label} raised {type(error).__name__}: {_first_line(error)}",
             "read the error, then try your code by hand on a small input", "raised")


def returned(value, label):
    """Fail when the learner's function returned None (the untouched stub usually does)."""
    require(value is not None, f"{label} returned None", "return the result", "returned_none")
    return value


def as_array(value, label):
    """The learner's result as a NumPy array of numbers."""
    returned(value, label)
    try:
        array = np.asarray(value)
        numbers = np.issubdtype(array.dtype, np.number) or array.dtype == bool
    except Exception:  # Anything NumPy cannot read is not numbers either.
        numbers = False
    require(numbers, f"{label} returned {type(value).__name__}, not an array of numbers",
            "return numbers: a NumPy array, a tensor or a float", "not_numbers")
    return array


def as_number(value, label, hint="reduce it to one number"):
    """The learner's result as one float (a 0-d or one-element array counts)."""
    array = as_array(value, label)
    require(array.size == 1, f"{label} returned shape {array.shape}, not one number", hint,
            "not_one_number")
    return float(array.item())


def close(got, expected, tolerance=DEFAULT_TOLERANCE):
    """Whether `got` equals `expected` within `tolerance`, shapes included; lists are compared
    item by item (e.g. lists of weight arrays)."""
    if isinstance(expected, (list, tuple)) and not _is_flat(expected):
        return (isinstance(got, (list, tuple)) and len(got) == len(expected)
                and all(close(g, e, tolerance) for g, e in zip(got, expected)))
    try:
        got = np.asarray(got, dtype="float64")
        expected = np.asarray(expected, dtype="float64")
    except (TypeError, ValueError):
        return False
    return got.shape == expected.shape and bool(
        np.allclose(got, expected, rtol=tolerance, atol=tolerance))  # NaN matches nothing.


def _is_flat(sequence):
    return all(np.ndim(item) == 0 for item in sequence)


def matches(got, candidate, tolerance=DEFAULT_TOLERANCE):
    """Whether `got` is what `candidate` describes: a value, a function giving one, a `When`."""
    try:
        if isinstance(candidate, When):
            return bool(candidate.predicate(got))
        value = candidate() if callable(candidate) else candidate
    except Exception:  # A candidate that cannot be computed for this input matches nothing.
        return False
    return close(got, value, tolerance)


def any_of(candidates, tolerance=DEFAULT_TOLERANCE):
    """A `When`: the learner's value matches one of `candidates`."""
    return When(lambda got: any(matches(got, candidate, tolerance) for candidate in candidates))


def diagnose(got, expected, diagnoses, problem, otherwise, tolerance=DEFAULT_TOLERANCE,
             accept=()):
    """Return when `got` matches `expected` (or one of `accept`); otherwise fail with
    `problem` and the hint of the first diagnosis `got` matches, else `otherwise`."""
    if any(matches(got, candidate, tolerance) for candidate in (expected, *accept)):
        return
    for diagnosis in diagnoses:
        if matches(got, diagnosis.candidate, tolerance):
            fail(problem, diagnosis.hint, diagnosis.name)
    fail(problem, otherwise, "mismatch")


def not_finite(value):
    """A `When` test: some of the value is NaN or infinite."""
    return not np.all(np.isfinite(np.asarray(value, dtype="float64")))


def rounded(values, digits=4):
    """Numbers as a short list for a message: [0.125, 0.3333]."""
    return np.round(np.asarray(values, dtype="float64"), digits).tolist()


@contextlib.contextmanager
def quiet():
    """Silence whatever the learner's code and TensorFlow print, warn or log meanwhile."""
    loggers = [logging.getLogger(name) for name in ("tensorflow", "absl", "keras")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR + 10)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def exercise(name):
    """Turn `body(...) -> success text` into a check that prints one line, returns a Verdict."""
    def decorate(body):
        @functools.wraps(body)
        def check(*args, **kwargs):
            with quiet():
                try:
                    verdict = Verdict(name, True, f"ok: {name} — {body(*args, **kwargs)}")
                except NotYet as failure:
                    verdict = Verdict(name, False, f"not yet: {failure}", failure.diagnosis)
                except Exception as error:  # A result the check could not read is not yet right.
                    verdict = Verdict(name, False, f"not yet: the check could not read what your "
                                      f"code gave ({type(error).__name__}: {_first_line(error)}) "
                                      "— return what the exercise asks for", "unreadable")
            print(verdict.message)
            return verdict
        return check
    return decorate
