"""The only skips a CI=true run accepts, by their exact reason: parts that a machine cannot build or run
(tests/conftest.py fails the run on any other skip)."""

FBGEMM_MISSING = "int8 / fp16 CPU weights need PyTorch's fbgemm (x86) quantized engine, which this build lacks (ARM)"
LLAMA_MISSING = ("llama-cpp-python[server] is not installed: pip compiles llama.cpp from source and that build failed "
                 "or was not run here; install with pip install -r requirements-llama.txt")
EXPECTED_SKIPS = frozenset({FBGEMM_MISSING, LLAMA_MISSING})


def skip_reason(longrepr) -> str:
    """A skipped test report's reason as the test gave it (pytest stores (path, line, "Skipped: reason"))."""
    text = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return text.removeprefix("Skipped: ")
