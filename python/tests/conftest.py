import os
import subprocess

import numpy as np
import pytest

import sbic

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC = os.path.join(REPOSITORY, "specs", "gaussian_linear_cpvae.json")


def executable():
    """The `sbic` command built with the library (the tests compare the two)."""
    return os.environ.get("SBIC_EXECUTABLE") or os.path.join(REPOSITORY, ".build", "release", "sbic")


def run_sbic(*arguments):
    return subprocess.run([executable(), *map(str, arguments)], check=True, capture_output=True, text=True).stdout


def gaussian_linear(count, seed):
    """sbibm's gaussian_linear, drawn by numpy: θ ~ N(0, 0.1 I), x = θ + N(0, 0.1 I), ten
    dimensions. Its posterior is N(x / 2, 0.05 I)."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, np.sqrt(0.1), (count, 10))
    return theta, theta + rng.normal(0, np.sqrt(0.1), (count, 10))


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    """A gaussian_linear CP-VAE trained from Python on 20,000 numpy simulations."""
    theta, x = gaussian_linear(20_000, seed=0)
    directory = tmp_path_factory.mktemp("models") / "gaussian_linear"
    return sbic.train(theta, x, spec=SPEC, out=directory, seed=2, max_epochs=40, progress=False)
