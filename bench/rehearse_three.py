"""Issue 34.2's rehearsal: bench/rehearse.py with three learners at once in separate browser sessions, the
full-size random-weight models and the requirements.txt-only venv: two write stories (one in tutorial mode) while
the third runs sampling steps and then a training, then they swap, until each did each part. Reports the server
tree's peak RSS against 2.7 GB, each learner's time seen waiting for a model another session was using, and every
story's time.

    python bench/rehearse_three.py [--work DIR] [--details PATH] [--json PATH]
"""
from __future__ import annotations

import sys

from rehearse import arguments, rehearse, summary
from report import finish


def main() -> int:
    args = arguments().parse_args()  # rehearse.py's options: --json and --quick (report.add_args) among them
    details = rehearse(args, learners=3)
    return finish(args, "Community Cloud rehearsal, three learners at once (full-size models)",
                  "python bench/rehearse_three.py", summary(details), ok=details["ok"])


if __name__ == "__main__":
    sys.exit(main())
