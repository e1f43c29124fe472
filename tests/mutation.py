"""Mutation testing: would the tests notice if the arithmetic were wrong? (`make mutation`)

For each module whose correctness is arithmetic, mutmut makes many small changes ("mutants":
`+` for `-`, `<` for `<=`, a constant off by one, a dropped line) and runs the tests that cover
the module against each one. A mutant the tests fail on is *killed*; one they pass is a gap in
the tests. The share killed is the score; `README.md` ("Tests") quotes the last run's scores,
and the target is at least 85% in every module.

    python tests/mutation.py [MODULE ...]      # default: all of TARGETS

Each module runs in its own copy of the project under build/mutation/ (mutmut rewrites the
code it mutates), with only the tests named below, so a run takes minutes, not hours. Results
are printed and written to build/mutation/scores.json. Not part of `make test` (it takes about
two hours for all 19 modules on a 2-core CPU).
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
WORK = REPOSITORY / "build" / "mutation"
# module -> the fast tests that check it.
TARGETS = {
    "ganlib/engine/objectives.py": ["tests/test_objectives.py"],
    "ganlib/engine/penalties.py": ["tests/test_penalties.py"],
    "ganlib/core/pixels.py": ["tests/test_pixels.py"],
    "ganlib/data/clusters.py": ["tests/test_clusters.py"],
    "ganlib/evaluation/distances.py": ["tests/test_metrics_math.py"],
    "ganlib/evaluation/neighbours.py": ["tests/test_metrics_math.py"],
    "ganlib/evaluation/scores.py": ["tests/test_metrics_math.py"],
    "ganlib/exercises/report.py": ["tests/test_exercises_report.py"],
    "ganlib/exercises/data.py": ["tests/test_exercises_data.py"],
    "ganlib/exercises/discriminator.py": ["tests/test_exercises_discriminator.py"],
    "ganlib/exercises/generator.py": ["tests/test_exercises_generator.py"],
    "ganlib/exercises/game.py": ["tests/test_exercises_game.py"],
    "ganlib/exercises/theory.py": ["tests/test_exercises_theory.py"],
    "ganlib/exercises/training.py": ["tests/test_exercises_training.py"],
    "ganlib/exercises/evaluation.py": ["tests/test_exercises_evaluation.py"],
    "ganlib/exercises/scaling.py": ["tests/test_exercises_scaling.py"],
    "ganlib/exercises/classics.py": ["tests/test_exercises_classics.py"],
    "ganlib/exercises/stability.py": ["tests/test_exercises_stability.py"],
    "ganlib/exercises/conditional.py": ["tests/test_exercises_conditional.py"],
}


def run_module(module, tests):
    """Mutate `module`, run `tests` against every mutant; return {killed, survived, total, ...}."""
    folder = WORK / module.replace("/", "_").removesuffix(".py")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in ("ganlib", "tests", "pyproject.toml"):
        source = REPOSITORY / name
        copy = shutil.copytree if source.is_dir() else shutil.copy
        copy(source, folder / name)
    selection = "\n    ".join(tests)
    (folder / "setup.cfg").write_text(
        "[mutmut]\nsource_paths = ganlib\n"
        f"only_mutate =\n    {module}\n"
        f"pytest_add_cli_args_test_selection =\n    {selection}\n"
        "pytest_add_cli_args =\n    -p no:cacheprovider\n    -q\n")
    # mutmut writes the mutated package into mutants/, and the tests must import it from there,
    # not from this checkout's editable install: mutants/ goes first on the path, and it must
    # exist before Python starts, or the import system remembers it as missing.
    (folder / "mutants").mkdir()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONPATH=str(folder / "mutants"))
    # The console script, not `python -m mutmut`: that would put this folder, with the unmutated
    # copy of ganlib, first on sys.path, and the tests would never meet a mutant.
    mutmut = [str(Path(sys.executable).with_name("mutmut"))]
    subprocess.run(mutmut + ["run"], cwd=folder, env=env, check=False,
                   stdout=subprocess.DEVNULL)  # Its progress spinner is not worth keeping.
    subprocess.run(mutmut + ["export-cicd-stats"], cwd=folder, env=env, check=True)
    stats = json.loads((folder / "mutants" / "mutmut-cicd-stats.json").read_text())
    return stats


def main():
    modules = sys.argv[1:] or list(TARGETS)
    scores_path = WORK / "scores.json"
    scores = json.loads(scores_path.read_text()) if scores_path.exists() else {}
    for module in modules:
        stats = run_module(module, TARGETS[module])
        total = stats["total"] - stats.get("skipped", 0) - stats.get("no_tests", 0)
        scores[module] = {**stats, "score": stats["killed"] / total if total else None}
        print(f"{module}: {stats['killed']} of {total} mutants killed "
              f"({scores[module]['score']:.0%}); survived {stats['survived']}", flush=True)
        WORK.mkdir(parents=True, exist_ok=True)
        scores_path.write_text(json.dumps(scores, indent=1))
    print("\n| module | mutants | killed | score |\n|---|---|---|---|")
    for module, row in scores.items():
        print(f"| `{module}` | {row['total']} | {row['killed']} | {row['score']:.0%} |")


if __name__ == "__main__":
    main()
