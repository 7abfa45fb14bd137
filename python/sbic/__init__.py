"""sbic from Python: load a trained model and sample its posterior, train on your own
simulations, compile a spec. The work runs in sbic's library (libsbic_capi.so, see
docs/python.md), in this process; numpy arrays are passed to it without copies.

    import sbic
    posterior = sbic.train(theta, x, spec="specs/gaussian_linear_cpvae.json")
    samples = posterior.sample((10000,), x=x_o)
"""
from ._library import SbicError, library_path, lib as _lib
from .posterior import Posterior, load
from .training import compile, train

__version__ = _lib.sbic_version().decode()
__all__ = ["Posterior", "SbicError", "compile", "library_path", "load", "train"]
