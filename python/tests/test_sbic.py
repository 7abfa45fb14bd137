import json
import os

import numpy as np
import pytest

import sbic
from conftest import REPOSITORY, SPEC, gaussian_linear, run_sbic


def test_sampling_moments_match_the_closed_form_posterior(trained):
    # gaussian_linear's posterior given x is N(x / 2, 0.05 I) (as the Swift calibration tests
    # use); a trained model should be near it, and an untrained one (mean 0, variance 0.1 or
    # worse) is far from it.
    _, observations = gaussian_linear(3, seed=11)
    samples = trained.sample((20_000,), x=observations, seed=5)
    assert samples.shape == (3, 20_000, 10)
    for x, drawn in zip(observations, samples):
        np.testing.assert_allclose(drawn.mean(axis=0), x / 2, atol=0.08)
        np.testing.assert_allclose(drawn.var(axis=0), 0.05, rtol=0.35)


def test_the_same_seed_gives_the_command_line_samples_byte_for_byte(trained, tmp_path):
    _, observations = gaussian_linear(2, seed=12)
    np.save(tmp_path / "observations.npy", observations)
    run_sbic("sample", trained.directory, "--observation", tmp_path / "observations.npy", "-n", 1500, "--seed", 77,
             "--out", tmp_path / "samples.npy")
    ours = trained.sample(1500, observations, seed=77)
    for i in range(2):
        theirs = np.load(tmp_path / f"samples_{i + 1}.npy")
        # The command writes float32 .npy files; the library returns the doubles they round.
        assert theirs.dtype == np.float32
        assert ours[i].astype(np.float32).tobytes() == theirs.tobytes()


def test_training_from_arrays_matches_training_from_files(tmp_path):
    theta, x = gaussian_linear(600, seed=3)
    np.save(tmp_path / "theta.npy", theta)
    np.save(tmp_path / "y.npy", x)
    run_sbic("train", SPEC, "--theta", tmp_path / "theta.npy", "--y", tmp_path / "y.npy", "--seed", 4,
             "--max-epochs", 2, "--out", tmp_path / "cli")
    sbic.train(theta, x, spec=SPEC, out=tmp_path / "python", seed=4, max_epochs=2, progress=False)
    records = [json.load(open(tmp_path / name / "model.json")) for name in ("cli", "python")]
    # The weights file is named by its content's hash: the same name is the same weights.
    assert records[0]["weights"] == records[1]["weights"]
    assert records[0]["theta_scaler"] == records[1]["theta_scaler"]


def test_one_observation_gives_the_first_of_a_batch(trained):
    _, observations = gaussian_linear(2, seed=13)
    one = trained.sample(100, observations[0], seed=3)
    batch = trained.sample(100, observations, seed=3)
    assert one.shape == (100, 10)
    np.testing.assert_array_equal(one, batch[0])


def test_without_a_seed_each_call_draws_afresh(trained):
    x = np.zeros(10)
    first = trained.sample(50, x)
    first_seed = trained.last_seed
    second = trained.sample(50, x)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, trained.sample(50, x, seed=first_seed))


def test_parameter_names(trained, tmp_path):
    # gaussian_linear's own names, as the command's sample headers give them.
    assert trained.parameter_names == [f"parameter_{i}" for i in range(1, 11)]
    theta, x = gaussian_linear(300, seed=4)
    names = [f"w{i}" for i in range(10)]
    named = sbic.train(theta, x, spec=SPEC, out=tmp_path / "named", max_epochs=1, parameter_names=names, progress=False)
    assert named.parameter_names == names
    assert sbic.load(tmp_path / "named").parameter_names == names


def test_within_a_prior_given_at_training(tmp_path):
    theta, x = gaussian_linear(400, seed=5)
    # A box on the first parameter, unbounded normals (whose support is everything) on the rest.
    prior = [{"name": "a", "uniform": [-0.2, 0.2]}] + [{"name": f"b{i}", "normal": [0, 0.3]} for i in range(9)]
    posterior = sbic.train(theta, x, spec=SPEC, out=tmp_path / "boxed", max_epochs=1, prior=prior, progress=False)
    assert posterior.parameter_names == ["a"] + [f"b{i}" for i in range(9)], "names come from the prior"
    samples = posterior.sample(500, np.zeros(10), seed=1, within_prior=True)
    assert np.all(np.abs(samples[:, 0]) <= 0.2)
    unrestricted = posterior.sample(500, np.zeros(10), seed=1)
    assert np.any(np.abs(unrestricted[:, 0]) > 0.2), "the test needs draws outside the box"
    # The draws kept are the unrestricted ones less those outside, in order.
    inside = unrestricted[np.abs(unrestricted[:, 0]) <= 0.2]
    np.testing.assert_array_equal(samples[:len(inside)], inside)
    assert posterior.record["prior"][0] == {"name": "a", "uniform": [-0.2, 0.2]}


def test_log_prob_is_not_implemented(trained):
    with pytest.raises(NotImplementedError, match="log-density"):
        trained.log_prob(np.zeros((1, 10)), np.zeros(10))


def test_compile_gives_the_checked_in_graph():
    graph = sbic.compile(os.path.join(REPOSITORY, "specs", "two_moons_cpvae.json"))
    with open(os.path.join(REPOSITORY, "generated", "two_moons_cpvae.sbig")) as file:
        assert graph == file.read()


def test_errors_are_sbics_messages(trained, tmp_path):
    theta, x = gaussian_linear(100, seed=6)
    with pytest.raises(sbic.SbicError, match="θ has 3 columns; gaussian_linear_cpvae expects 10 for theta"):
        sbic.train(theta[:, :3], x, spec=SPEC, out=tmp_path / "a", progress=False)
    assert not (tmp_path / "a" / "model.json").exists()
    with pytest.raises(sbic.SbicError, match='unknown setting "max_epoch"'):
        sbic.train(theta, x, spec=SPEC, out=tmp_path / "b", max_epoch=2, progress=False)
    with pytest.raises(sbic.SbicError, match="no such model directory"):
        sbic.load(tmp_path / "nothing")
    with pytest.raises(ValueError, match="observations of 10 values"):
        trained.sample(10, np.zeros(3))
    with pytest.raises(sbic.SbicError, match="NaN"):
        trained.sample(10, np.full(10, np.nan))
    with pytest.raises(sbic.SbicError, match="spec"):
        sbic.compile({"name": "broken"})
