"""A trained model's posterior: samples of θ given observations x."""
import ctypes
import json
import os

import numpy as np

from ._library import SbicError, check, lib

_DOUBLE_P = ctypes.POINTER(ctypes.c_double)


def _pointer(array):
    return array.ctypes.data_as(_DOUBLE_P)


def fresh_seed():
    """A seed from the operating system's entropy: two runs without a seed draw different samples."""
    return int.from_bytes(os.urandom(8), "little")


class Posterior:
    """The posterior p(θ | x) of a model directory written by `sbic train` or `sbic.train`.

    `parameter_names` are θ's names (the data's, the task's, or theta_1 …); `record` is the
    directory's model.json. Sampling runs the model's compiled sample program; one Posterior
    is not to be sampled from several threads at once.
    """

    def __init__(self, directory, backend="jit"):
        self.directory = os.fspath(directory)
        self._handle = None
        handle = lib.sbic_model_load(self.directory.encode(), backend.encode())
        if not handle:
            raise SbicError(_last_error())
        self._handle = handle
        self.parameter_dimension = lib.sbic_model_parameter_dimension(handle)
        self.observation_dimension = lib.sbic_model_observation_dimension(handle)
        self.parameter_names = [check(lib.sbic_model_parameter_name(handle, i)).decode()
                                for i in range(self.parameter_dimension)]
        with open(os.path.join(self.directory, "model.json")) as file:
            self.record = json.load(file)
        self.last_seed = None

    def sample(self, sample_shape=(10000,), x=None, seed=None, within_prior=False):
        """`n` posterior samples of θ for the observation `x`.

        `sample_shape` is a count or a one-element tuple, as in sbi. `x` is one observation
        (shape (m,)): the result has shape (n, d); or a batch (shape (k, m)): the result has
        shape (k, n, d). `seed` makes the draw repeatable, and gives exactly what
        `sbic sample --seed` gives; without one, a fresh seed is drawn and kept in
        `last_seed`. `within_prior` rejects draws outside the prior's support, as
        `sbic sample --within-prior` does.
        """
        n = _count(sample_shape)
        if x is None:
            raise ValueError("sample needs an observation x")
        observations, batch = self._observations(x, "k")
        if batch.shape[0] == 0:
            raise ValueError("x holds no observation")
        seed = _seed(seed)
        out = np.empty((batch.shape[0], n, self.parameter_dimension), dtype=np.float64)
        check(lib.sbic_model_sample(self._handle, _pointer(batch), batch.shape[0], n, seed,
                                    int(bool(within_prior)), _pointer(out)))
        self.last_seed = seed
        return out[0] if observations.ndim == 1 else out

    def log_prob(self, theta, x, samples=1000, seed=None):
        """log q(θ | x) for each row of `theta`, in θ's own units.

        `theta` is one θ (shape (d,)): the result is a float; or a batch (shape (n, d)): the
        result has shape (n,). `x` is one observation (shape (m,)) for every θ, or one per
        row (shape (n, m)). Exact for a model without latent variables (`log_prob_is_exact`);
        for a VAE, the IWAE lower bound with `samples` draws from the encoder per row, as
        `sbic logprob --samples --seed` gives it (a fresh seed, kept in `last_seed`, when
        none is given). θ outside what the model can draw (θ ≤ 0 under log scaling) gives -inf.
        """
        if not isinstance(samples, (int, np.integer)) or samples <= 0:
            raise ValueError(f"samples must be a positive integer, not {samples!r}")
        points = np.ascontiguousarray(theta, dtype=np.float64)
        if points.ndim not in (1, 2) or points.shape[-1] != self.parameter_dimension:
            raise ValueError(f"theta has shape {points.shape}; the model's θ has {self.parameter_dimension} values, "
                             f"shaped ({self.parameter_dimension},) or (n, {self.parameter_dimension})")
        rows = points.reshape(-1, self.parameter_dimension)
        if rows.shape[0] == 0:
            raise ValueError("theta holds no row")
        _, given = self._observations(x, "n")
        if given.shape[0] not in (1, rows.shape[0]):
            raise ValueError(f"x holds {given.shape[0]} observations for {rows.shape[0]} rows of theta: "
                             "give one, or one per row")
        seed = _seed(seed)
        out = np.empty(rows.shape[0], dtype=np.float64)
        check(lib.sbic_model_log_prob(self._handle, _pointer(rows), rows.shape[0], _pointer(given), given.shape[0],
                                      int(samples), seed, _pointer(out)))
        self.last_seed = seed
        return float(out[0]) if points.ndim == 1 else out

    @property
    def log_prob_is_exact(self):
        """True when log_prob is exact (no latent variable), False when it is an IWAE lower bound."""
        return bool(check(lib.sbic_model_log_prob_is_exact(self._handle)))

    def _observations(self, x, rows):
        """x as a float64 array, and as rows of observations: from shape (m,) or (`rows`, m)."""
        observations = np.ascontiguousarray(x, dtype=np.float64)
        if observations.ndim not in (1, 2) or observations.shape[-1] != self.observation_dimension:
            raise ValueError(f"x has shape {observations.shape}; the model takes observations of "
                             f"{self.observation_dimension} values, shaped ({self.observation_dimension},) "
                             f"or ({rows}, {self.observation_dimension})")
        return observations, observations.reshape(-1, self.observation_dimension)

    def close(self):
        if self._handle:
            lib.sbic_model_free(self._handle)
            self._handle = None

    def __del__(self):
        self.close()

    def __repr__(self):
        return (f"Posterior({self.directory!r}: {self.observation_dimension} observed values → "
                f"θ = ({', '.join(self.parameter_names)}))")


def _count(sample_shape):
    shape = (sample_shape,) if isinstance(sample_shape, (int, np.integer)) else tuple(sample_shape)
    if len(shape) != 1 or not isinstance(shape[0], (int, np.integer)) or shape[0] <= 0:
        raise ValueError(f"the number of samples is a positive integer or a one-element tuple, not {sample_shape!r}")
    return int(shape[0])


def _seed(seed):
    """A fresh seed when none is given; a given one checked to fit in 64 bits."""
    seed = fresh_seed() if seed is None else int(seed)
    if not 0 <= seed < 2**64:
        raise ValueError(f"seed must be an integer from 0 to 2^64 - 1, not {seed}")
    return seed


def _last_error():
    return lib.sbic_last_error().decode("utf-8", "replace")


def load(directory, backend="jit"):
    """The posterior of a model directory. `backend`: "jit" (native code) or "interpreter"."""
    return Posterior(directory, backend=backend)
