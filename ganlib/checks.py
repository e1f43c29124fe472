"""Checks for the notebooks' exercises: run your code against a reference and say what is wrong.

Each check takes the function or model you wrote, runs it on fixed inputs, and compares the
result with what the course's own `ganlib` code gives (the CS231n way: you know at once whether
your code is right). A check prints one line per test, starting with "ok" or "not yet", and
returns True only when every test passes. It never raises for a wrong answer, so an exercise
cell you have not done yet still runs.
"""

import numpy as np


class _Report:
    """Collects the lines of one check and prints them."""

    def __init__(self, title):
        self.title = title
        self.passed = True
        self.lines = []

    def expect(self, condition, success, failure):
        """Record one test: `success` is shown when `condition` holds, else `failure`."""
        condition = bool(condition)
        self.passed &= condition
        self.lines.append(("ok       " if condition else "not yet  ") + (success if condition else failure))
        return condition

    def finish(self):
        print(f"{self.title}: {'all tests pass' if self.passed else 'some tests fail'}")
        for line in self.lines:
            print("  " + line)
        return self.passed


def _call(report, function, *args, **kwargs):
    """Call the learner's function; a crash becomes a failed test instead of an exception."""
    try:
        return True, function(*args, **kwargs)
    except Exception as error:  # The learner's code may raise anything; report it.
        report.expect(False, "", f"calling {getattr(function, '__name__', function)} raised "
                                 f"{type(error).__name__}: {error}")
        return False, None


def _close(actual, expected, tolerance=1e-5):
    actual, expected = np.asarray(actual, dtype="float64"), np.asarray(expected, dtype="float64")
    if actual.shape != expected.shape:
        return False
    return bool(np.allclose(actual, expected, rtol=tolerance, atol=tolerance))
