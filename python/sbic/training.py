"""Training on the caller's simulations, and compiling specs."""
import ctypes
import json
import os
import shutil
import sys
import tempfile
import threading

import numpy as np

from ._library import EPOCH_CALLBACK, SbicError, last_error, lib
from .posterior import Posterior, _pointer


def _spec_text(spec):
    """A spec given as a dict, a path to a .json spec or a .sbig graph, or their text."""
    if isinstance(spec, dict):
        return json.dumps(spec), "spec"
    path = os.fspath(spec)
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as file:
            return file.read(), path
    raise FileNotFoundError(f"spec {path!r}: no such file (give a path to a .json spec or .sbig graph, or a dict)")


def compile(spec, out=None):
    """Compiles a spec (a path or a dict) and returns the graph's text (.sbig); writes it to
    `out` too when given."""
    text, source = _spec_text(spec)
    pointer = lib.sbic_compile(text.encode(), source.encode())
    if not pointer:
        raise SbicError(last_error())
    try:
        graph = ctypes.string_at(pointer).decode()
    finally:
        lib.sbic_string_free(pointer)
    if out is not None:
        with open(out, "w", encoding="utf-8") as file:
            file.write(graph)
    return graph


def _matrix(name, values):
    array = np.ascontiguousarray(values, dtype=np.float64)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2 or array.shape[0] == 0:
        raise ValueError(f"{name} must be a 2-d array, one simulation a row; it has shape {array.shape}")
    return array


def train(theta, x, spec, out=None, prior=None, parameter_names=None, overwrite=False, backend="jit",
          progress=True, resume=None, init_from=None, **overrides):
    """Trains the model of `spec` on simulations (θ, x), one a row, and returns its posterior.

    `spec`: a path to a spec (.json) or compiled graph (.sbig), or a spec as a dict.
    `out`: the model directory to write (default: a new temporary directory, or with
    `resume` the model's own; the posterior's `directory` says where). `prior`: the prior
    the θ were drawn from, as a path to a prior file or its JSON as a list or dict
    (docs/training.md), recorded with the model for `within_prior` and `sbic calibrate`.
    `parameter_names`: θ's names. `resume`: a model directory whose training goes on from
    its saved state, on the same θ and x and spec, exactly as if it had not stopped (the
    seed defaults to the model's). `init_from`: a model directory whose weights and scalers
    training starts from, with a fresh optimizer, on any data (fine-tuning). `overrides`:
    seed, max_epochs, patience, learning_rate, batch_size (with a spec), checkpoint_interval.
    Ctrl-C stops training after the current step and keeps the best model so far.
    """
    theta, x = _matrix("theta", theta), _matrix("x", x)
    if theta.shape[0] != x.shape[0]:
        raise ValueError(f"theta has {theta.shape[0]} rows and x {x.shape[0]}; they must be pairs, one a row")
    graph, source = _spec_text(spec)
    if resume is not None and init_from is not None:
        raise ValueError("give resume or init_from, not both")
    if out is None and resume is not None:
        out = resume
    temporary = out is None
    if temporary:
        out = tempfile.mkdtemp(prefix="sbic-model-")
    settings = dict(overrides, overwrite=bool(overwrite), backend=backend, graph_source=source)
    if resume is not None:
        settings["resume"] = os.fspath(resume)
    if init_from is not None:
        settings["init_from"] = os.fspath(init_from)
    if parameter_names is not None:
        settings["parameter_names"] = [str(name) for name in parameter_names]
    if prior is not None:
        if isinstance(prior, (dict, list)):
            settings["prior"] = prior
        else:
            with open(os.fspath(prior), encoding="utf-8") as file:
                settings["prior"] = json.load(file)

    def show(record, _context):
        r = json.loads(record)
        print(f"\repoch {r['epoch']}  train {r['train_loss']:.4f}  validation {r['validation_loss']:.4f}  "
              f"best {r['best_validation_loss']:.4f} @ {r['best_epoch']}\x1b[K", end="", file=sys.stderr, flush=True)

    callback = EPOCH_CALLBACK(show) if progress else EPOCH_CALLBACK()
    outcome = {}

    def work():
        # The error is kept per thread, so it is read on the thread that failed.
        status = lib.sbic_train(graph.encode(), _pointer(theta), theta.shape[0], theta.shape[1], _pointer(x),
                                x.shape[1], os.fspath(out).encode(), json.dumps(settings).encode(), callback, None)
        outcome["error"] = last_error() if status != 0 else None

    # Training runs on a thread of its own so that Ctrl-C reaches Python, which asks sbic to stop.
    worker = threading.Thread(target=work, name="sbic.train")
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
    except KeyboardInterrupt:
        lib.sbic_interrupt()
        worker.join()
        print("\ninterrupted: kept the best model so far", file=sys.stderr)
    if progress:
        print(file=sys.stderr)
    if outcome.get("error") is not None:
        if temporary:
            shutil.rmtree(out, ignore_errors=True)
        raise SbicError(outcome["error"])
    return Posterior(out, backend=backend)
