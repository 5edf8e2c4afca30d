"""Running the exactness tests under other CPU code paths from one machine: Intel MKL's Intel-only kernels.

The plain PyTorch program's small matrix products go through Intel MKL's sgemm (torch's CPU build links MKL in), and
MKL picks its kernels by CPU *vendor* as well as by instruction set: on an Intel CPU it takes AVX-512 or AVX2 kernels
that use fused multiply-adds and their own summation order, on any other CPU (the AMD machines this suite often runs
on) a plain path. The results differ in the last bits, so an engine that is bitwise equal to the plain program on one
machine may not be on the other. `MKL_CBWR` does not reach those kernels: on a CPU of another vendor it chooses among
the other vendor's paths only.

MKL asks `mkl_serv_intel_cpu_true()` (and `mkl_serv_intel_cpu()`) whether the CPU is an Intel one, and torch's library
exports those symbols, so a tiny shared library that defines them to answer "yes", loaded first with `LD_PRELOAD`,
makes MKL take its Intel kernels on any x86-64 CPU that has the instructions. `build_intel_mkl_preload` compiles that
library with the system C compiler; `LD_PRELOAD=<it>` (optionally with `MKL_CBWR=AVX2` or `AVX512` to choose the
kernel family) then runs a Python process, the engine and the plain program alike, as on an Intel CPU. On an Intel CPU
the preload changes nothing.

tests/core/test_code_paths.py runs the exactness tests under this and the other code-path settings, and checks with
`MKL_VERBOSE=1` that the preload takes effect. Without a C compiler those tests skip, saying why; under CI (`CI=true`)
they fail instead: .ci/run installs one (Debian's gcc), so that the Intel kernels are checked as the README says.
"""

from __future__ import annotations

import ctypes
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

# MKL's CPU-vendor checks, answering "Intel"
INTEL_MKL_SOURCE = """\
int mkl_serv_intel_cpu_true(void) { return 1; }
int mkl_serv_intel_cpu(void) { return 1; }
"""
VENDOR_SYMBOL = "mkl_serv_intel_cpu_true"
COMPILERS = ("cc", "gcc", "clang")


class PreloadUnavailable(Exception):
    """The Intel-MKL preload cannot be used here; the message says why (a reason to skip, not an error)."""


class NoCompiler(PreloadUnavailable):
    """There is no C compiler to build the preload: a reason to skip, except under CI, which installs one (.ci/run)."""


def under_ci() -> bool:
    """Whether this runs under continuous integration (`CI=true`, as CI services and .ci/run's callers set it)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def must_fail(reason: PreloadUnavailable) -> bool:
    """Whether a test that needs the preload fails for `reason` instead of skipping: a missing compiler under CI,
    where the README says the Intel kernels are checked."""
    return isinstance(reason, NoCompiler) and under_ci()


def c_compiler() -> str | None:
    """The system C compiler: `$CC` if set, else the first of cc, gcc, clang on PATH."""
    names = [os.environ["CC"]] if os.environ.get("CC") else list(COMPILERS)
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


def torch_exports_the_vendor_check() -> bool:
    """Whether one of torch's own libraries exports MKL's vendor check (else a preload cannot replace it)."""
    import torch

    for library in sorted((Path(torch.__file__).parent / "lib").glob("lib*.so*")):
        try:
            handle = ctypes.CDLL(str(library))
        except OSError:
            continue
        if hasattr(handle, VENDOR_SYMBOL):
            return True
    return False


NO_COMPILER = (f"no C compiler to build the Intel-MKL preload (looked for $CC, {', '.join(COMPILERS)}; "
               "Debian: apt-get install gcc libc6-dev)")


def unavailable_reason() -> str | None:
    """Why the Intel-MKL preload cannot be built or cannot take effect here, or None when it can."""
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        return f"the Intel-MKL preload needs Linux on x86-64 (this is {sys.platform} on {platform.machine()})"
    if c_compiler() is None:
        return NO_COMPILER
    import torch

    if not torch.backends.mkl.is_available():
        return "this torch is not built with MKL: there are no MKL kernels to choose"
    if not torch_exports_the_vendor_check():
        return f"torch's libraries do not export MKL's {VENDOR_SYMBOL}: a preload cannot replace it"
    return None


def build_intel_mkl_preload(folder: Path) -> Path:
    """Compile the library that makes MKL take its Intel kernels into `folder`; returns its path, for `LD_PRELOAD`.

    Raises PreloadUnavailable where it cannot be used (see `unavailable_reason`; NoCompiler where no compiler is
    found); a compiler that fails is an error.
    """
    reason = unavailable_reason()
    if reason:
        raise (NoCompiler if reason == NO_COMPILER else PreloadUnavailable)(reason)
    folder.mkdir(parents=True, exist_ok=True)
    source, library = folder / "mkl_intel_paths.c", folder / "libmkl_intel_paths.so"
    source.write_text(INTEL_MKL_SOURCE, encoding="utf-8")
    done = subprocess.run([c_compiler(), "-shared", "-fPIC", "-O2", "-o", str(library), str(source)],
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0 or not library.is_file():
        raise RuntimeError(f"building the Intel-MKL preload failed (exit {done.returncode}):\n{done.stderr}")
    return library
