"""A process that forks writers of one output folder, for the tests to SIGKILL (kill tests).

    python output_child.py SOLUTION.pickle OUT exchange|fallback

Loads a pickled :class:`allocator.solution.Solution` once (imports are the
slow part), prints ``ready``, then for every ``go`` line on stdin forks a
writer and prints its pid. The writer writes the solution to OUT with
generation numbers 1, 2, 3, ... (see ``tagged``) until it is killed. For every
``reap`` line the last writer is waited for and its exit signal printed.
``fallback`` forces the two-rename swap of allocator.atomic.
"""

import os
import pickle
import sys
from dataclasses import replace


def tagged(solution, generation: int):
    """The solution with its generation in every file: a ``gen`` column and the summary's input hash."""
    return replace(
        solution,
        assignments=solution.assignments.assign(gen=generation),
        unplaced=solution.unplaced.assign(gen=generation),
        deficits=solution.deficits.assign(gen=generation),
        input_hash=f"gen-{generation}",
    )


def write_forever(solution, out: str) -> None:
    from allocator.output import write_solution

    generation = 0
    while True:
        generation += 1
        write_solution(tagged(solution, generation), out)


if __name__ == "__main__":
    from allocator import atomic

    source, out, mode = sys.argv[1:4]
    atomic.EXCHANGE = mode == "exchange"
    with open(source, "rb") as fh:
        solution = pickle.load(fh)
    print("ready", flush=True)
    pid = None
    for line in sys.stdin:
        if line.strip() == "go":
            pid = os.fork()
            if pid == 0:
                try:
                    write_forever(solution, out)
                finally:
                    os._exit(1)
            print(pid, flush=True)
        elif line.strip() == "reap":
            _, status = os.waitpid(pid, 0)
            print(os.WTERMSIG(status) if os.WIFSIGNALED(status) else -1, flush=True)
