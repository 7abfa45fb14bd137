"""Loads libsbic_capi.so (Sources/CAPI/sbic.h) with ctypes and declares its functions."""
import ctypes
import os

_HERE = os.path.dirname(os.path.abspath(__file__))


class SbicError(RuntimeError):
    """An error reported by sbic: bad input, a damaged model, a failed training run."""


def _configure_openblas():
    # OpenBLAS reads these when it is loaded, so they are set before the library is: the
    # settings `sbic` itself runs with (Sources/sbic/OpenBLASEnvironment.swift), so that the
    # interpreter back end computes what the command computes.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if "OPENBLAS_CORETYPE" not in os.environ:
        try:
            with open("/proc/cpuinfo") as info:
                avx512 = any(line.startswith("flags") and "avx512f" in line.split() for line in info)
        except OSError:
            avx512 = False
        if avx512:
            os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"


def library_path():
    """SBIC_LIBRARY when set, else the copy installed with the package."""
    path = os.environ.get("SBIC_LIBRARY") or os.path.join(_HERE, "libsbic_capi.so")
    if not os.path.isfile(path):
        raise ImportError(f"sbic: the library {path} does not exist; build it with `swift build -c release` "
                          "and install this package with `pip install ./python`, or set SBIC_LIBRARY "
                          "to .build/release/libsbic_capi.so")
    return path


EPOCH_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_void_p)


def _load():
    _configure_openblas()
    # RTLD_GLOBAL: the JIT's generated code calls OpenBLAS (cblas_sgemm), which it finds among
    # the process's global symbols; loaded locally, the library's OpenBLAS would be invisible to it.
    lib = ctypes.CDLL(library_path(), mode=ctypes.RTLD_GLOBAL)
    c_double_p = ctypes.POINTER(ctypes.c_double)
    signatures = {
        "sbic_version": (ctypes.c_char_p, []),
        "sbic_last_error": (ctypes.c_char_p, []),
        "sbic_model_load": (ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_char_p]),
        "sbic_model_free": (None, [ctypes.c_void_p]),
        "sbic_model_parameter_dimension": (ctypes.c_int64, [ctypes.c_void_p]),
        "sbic_model_observation_dimension": (ctypes.c_int64, [ctypes.c_void_p]),
        "sbic_model_parameter_name": (ctypes.c_char_p, [ctypes.c_void_p, ctypes.c_int64]),
        "sbic_model_sample": (ctypes.c_int, [ctypes.c_void_p, c_double_p, ctypes.c_int64, ctypes.c_int64,
                                             ctypes.c_uint64, ctypes.c_int, c_double_p]),
        "sbic_model_log_prob": (ctypes.c_int, [ctypes.c_void_p, c_double_p, ctypes.c_int64, c_double_p, ctypes.c_int64,
                                               ctypes.c_int64, ctypes.c_uint64, c_double_p]),
        "sbic_model_log_prob_is_exact": (ctypes.c_int, [ctypes.c_void_p]),
        # The returned text is freed by sbic_string_free, so it is kept as a raw pointer.
        "sbic_compile": (ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_char_p]),
        "sbic_string_free": (None, [ctypes.c_void_p]),
        "sbic_train": (ctypes.c_int, [ctypes.c_char_p, c_double_p, ctypes.c_int64, ctypes.c_int64, c_double_p,
                                      ctypes.c_int64, ctypes.c_char_p, ctypes.c_char_p, EPOCH_CALLBACK, ctypes.c_void_p]),
        "sbic_interrupt": (None, []),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    return lib


lib = _load()


def last_error():
    return lib.sbic_last_error().decode("utf-8", "replace")


def check(status):
    """Raises SbicError with sbic's message when a call returned -1 or NULL."""
    if status is None or status == -1:
        raise SbicError(last_error())
    return status
