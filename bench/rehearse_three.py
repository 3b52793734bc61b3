"""Issue 34.2's rehearsal: bench/rehearse.py with three learners at once in separate browser sessions, the
full-size random-weight models and the requirements.txt-only venv: two write stories (one in tutorial mode) while
the third runs sampling steps and then a training, then they swap, until each did each part. Reports the server
tree's peak RSS against 2.7 GB, each learner's time seen waiting for a model another session was using, and every
story's time.

    python bench/rehearse_three.py [--work DIR] [--details PATH] [--json PATH]
"""
from __future__ import annotations

import sys

from rehearse import main

if __name__ == "__main__":
    sys.exit(main(["--learners", "3", *sys.argv[1:]]))
