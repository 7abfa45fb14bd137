import json
import os

import numpy as np
import pytest

import sbic
from conftest import REPOSITORY, SPEC, gaussian_linear, run_sbic


def test_sampling_moments_match_the_closed_form_posterior(trained):
    # gaussian_linear's posterior given x is N(x / 2, 0.05 I) (as the Swift calibration tests
    # use). docs/results.md measured means within 0.098 of x / 2 and variances within 32 % for
    # the full protocol; a model that learned nothing of x (mean 0) is 0.2 or more off for
    # these observations, about one prior standard deviation of x out.
    observations = np.array([[0.5, -0.5] * 5, [0.45] * 10, [-0.5, 0.4, -0.4, 0.5, -0.5] * 2])
    samples = trained.sample((20_000,), x=observations, seed=5)
    assert samples.shape == (3, 20_000, 10)
    for x, drawn in zip(observations, samples):
        np.testing.assert_allclose(drawn.mean(axis=0), x / 2, atol=0.1)
        np.testing.assert_allclose(drawn.var(axis=0), 0.05, rtol=0.35)


def test_the_same_seed_gives_the_command_line_samples_byte_for_byte(trained, tmp_path):
    _, observations = gaussian_linear(2, seed=12)
    np.save(tmp_path / "observations.npy", observations)
    run_sbic("sample", trained.directory, "--observation", tmp_path / "observations.npy", "-n", 1500, "--seed", 77,
             "--out", tmp_path / "samples.npy")
    ours = trained.sample(1500, observations, seed=77)
    theirs = np.load(tmp_path / "samples.npy")
    # The command writes float32 .npy files; the library returns the doubles they round.
    assert theirs.dtype == np.float32 and theirs.shape == (2, 1500, 10)
    assert ours.astype(np.float32).tobytes() == theirs.tobytes()


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


def exact_log_posterior(theta, x):
    """log N(θ; x / 2, 0.05 I), gaussian_linear's posterior, in float64."""
    return -0.5 * (((theta - x / 2) ** 2).sum(axis=-1) / 0.05 + 10 * np.log(2 * np.pi * 0.05))


def test_log_prob_of_the_vae_is_the_commands_iwae_bound(trained, tmp_path):
    # At θ drawn from the exact posterior the bound averages about −KL(p ‖ q) − its gap: a
    # lost Jacobian of θ's scaling (θ's scale ≈ √0.1 in ten dimensions) would move it by 11.5.
    assert not trained.log_prob_is_exact
    x = np.array([0.5, -0.5] * 5)
    rng = np.random.default_rng(8)
    theta = x / 2 + np.sqrt(0.05) * rng.normal(size=(200, 10))
    ours = trained.log_prob(theta, x, samples=100, seed=6)
    assert ours.shape == (200,)
    gap = ours - exact_log_posterior(theta, x)
    assert -3 < gap.mean() < 0.5, gap.mean()
    np.save(tmp_path / "theta.npy", theta[:5])
    printed = run_sbic("logprob", trained.directory, "--theta", tmp_path / "theta.npy", "--observation",
                       ",".join(map(str, x)), "--samples", 100, "--seed", 6).splitlines()
    assert printed[0] == "# IWAE lower bound on log q(θ | y), 100 importance samples per row (seed 6)"
    np.testing.assert_allclose([float(v) for v in printed[1:]], ours[:5], atol=2e-6)
    # One θ gives a float; a seed repeats the estimate, and the fresh one is kept.
    assert trained.log_prob(theta[0], x, samples=100, seed=6) == ours[0]
    trained.log_prob(theta[:2], x, samples=10)
    assert trained.log_prob(theta[:2], x, samples=10, seed=trained.last_seed).shape == (2,)


def test_log_prob_of_an_npe_is_exact(tmp_path):
    theta, x = gaussian_linear(2000, seed=9)
    spec = os.path.join(REPOSITORY, "specs", "beyond", "gaussian_linear_npe.json")
    npe = sbic.train(theta, x, spec=spec, out=tmp_path / "npe", seed=1, max_epochs=5, progress=False)
    assert npe.log_prob_is_exact
    values = npe.log_prob(theta[:4], x[:4])
    # Exact: the seed does not matter, and one observation per row is row by row.
    np.testing.assert_array_equal(values, npe.log_prob(theta[:4], x[:4], seed=123))
    assert npe.log_prob(theta[2], x[2]) == values[2]
    gap = npe.log_prob(theta, x) - exact_log_posterior(theta, x)
    assert -2 < gap.mean() < 0.5, gap.mean()


def test_log_prob_refuses_bad_shapes(trained):
    with pytest.raises(ValueError, match="theta has shape"):
        trained.log_prob(np.zeros((2, 3)), np.zeros(10))
    with pytest.raises(ValueError, match="x holds 3 observations for 2 rows of theta"):
        trained.log_prob(np.zeros((2, 10)), np.zeros((3, 10)))
    with pytest.raises(ValueError, match="samples must be a positive integer"):
        trained.log_prob(np.zeros(10), np.zeros(10), samples=0)
    with pytest.raises(sbic.SbicError, match="θ row 1, value 3 is nan"):
        theta = np.zeros(10)
        theta[2] = np.nan
        trained.log_prob(theta, np.zeros(10))


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
    with pytest.raises(sbic.SbicError, match="parameter_names must be a list of non-empty strings without commas"):
        sbic.train(theta, x, spec=SPEC, out=tmp_path / "c", parameter_names=["a,b"] + ["c"] * 9, progress=False)
    with pytest.raises(sbic.SbicError, match="the prior has 2 dimensions for θ's 10 columns"):
        sbic.train(theta, x, spec=SPEC, out=tmp_path / "d", prior={"lower": [0, 0], "upper": [1, 1]}, progress=False)
    with pytest.raises(sbic.SbicError, match=r"prior: field '\[0\].normal': the standard deviation 0.0 is not positive"):
        sbic.train(theta, x, spec=SPEC, out=tmp_path / "e", prior=[{"normal": [0, 0]}] * 10, progress=False)
    with pytest.raises(sbic.SbicError, match="no such model directory"):
        sbic.load(tmp_path / "nothing")
    with pytest.raises(ValueError, match="observations of 10 values"):
        trained.sample(10, np.zeros(3))
    with pytest.raises(sbic.SbicError, match="NaN"):
        trained.sample(10, np.full(10, np.nan))
    with pytest.raises(sbic.SbicError, match="spec"):
        sbic.compile({"name": "broken"})


def read_safetensors(path):
    """The safetensors format: an 8-byte little-endian header length, a JSON header, the data."""
    with open(path, "rb") as file:
        data = file.read()
    length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + length])
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32"
        begin, end = entry["data_offsets"]
        tensors[name] = np.frombuffer(data[8 + length + begin:8 + length + end], dtype="<f4").reshape(entry["shape"])
    return tensors


def test_the_documented_layout_reimplements_the_sampler(trained):
    # docs/training.md, "The networks": weights in × out, inputs concatenated in the spec's
    # order, the log-variance clamped, θ unscaled. The same weights must give the same
    # distribution as sbic's own sampler.
    directory = trained.directory
    record = trained.record
    w = read_safetensors(os.path.join(directory, record["weights"]))
    with open(os.path.join(directory, record["spec"])) as file:
        spec = json.load(file)
    low, high = spec.get("log_variance_range", [-20, 20])
    rng = np.random.default_rng(8)

    def gaussian(net, h):
        for k in range(len(spec["networks"][net].get("hidden", []))):
            h = h @ w[f"{net}.layer{k}.weight"] + w[f"{net}.layer{k}.bias"]
            h = np.where(h > 0, h, 0.1 * h)
        mean = h @ w[f"{net}.mean.weight"] + w[f"{net}.mean.bias"]
        log_variance = np.clip(h @ w[f"{net}.log_variance.weight"] + w[f"{net}.log_variance.bias"], low, high)
        return mean + np.exp(0.5 * log_variance) * rng.standard_normal(mean.shape)

    _, (x_o,) = gaussian_linear(1, seed=14)
    ys, ts = record["y_scaler"], record["theta_scaler"]
    y = np.tile((x_o - np.array(ys["shift"])) / np.array(ys["scale"]), (40_000, 1))
    z = gaussian("prior", y)
    ours = gaussian("decoder", np.concatenate([y, z], axis=1)) * np.array(ts["scale"]) + np.array(ts["shift"])
    theirs = trained.sample(40_000, x_o, seed=9)
    # Posterior standard deviations are about 0.22: the means of 40,000 samples differ by
    # about 0.0016 (one standard error of the difference); 0.01 is six of them.
    np.testing.assert_allclose(ours.mean(axis=0), theirs.mean(axis=0), atol=0.01)
    np.testing.assert_allclose(ours.var(axis=0), theirs.var(axis=0), rtol=0.05)
    np.testing.assert_allclose(np.cov(ours.T), np.cov(theirs.T), atol=0.003)


def test_data_provenance_of_arrays(trained):
    # The same seed and data as the session's model: the hashes of the arrays' bytes.
    import hashlib
    theta, x = gaussian_linear(20_000, seed=0)
    data = trained.record["data"]
    assert data["source"] == "arrays"
    assert data["simulations"] == 20_000 and data["dropped"] == 0
    assert data["theta"] == {"sha256": hashlib.sha256(np.ascontiguousarray(theta, "<f8").tobytes()).hexdigest()}
    assert data["y"] == {"sha256": hashlib.sha256(np.ascontiguousarray(x, "<f8").tobytes()).hexdigest()}


def test_resume_is_training_straight_on(tmp_path):
    theta, x = gaussian_linear(1_000, seed=21)
    straight = sbic.train(theta, x, spec=SPEC, out=tmp_path / "straight", seed=4, max_epochs=4, progress=False)
    half = sbic.train(theta, x, spec=SPEC, out=tmp_path / "resumed", seed=4, max_epochs=2, progress=False)
    halfway = half.record["weights"]
    resumed = sbic.train(theta, x, spec=SPEC, resume=tmp_path / "resumed", max_epochs=4, progress=False)
    assert resumed.directory == os.fspath(tmp_path / "resumed")
    assert resumed.record["weights"] != halfway
    # Files are named by their content: the same names are the same weights and optimizer state.
    assert resumed.record["weights"] == straight.record["weights"]
    assert resumed.record["state"] == straight.record["state"]
    assert resumed.record["summary"]["epochs"] == 4
    with pytest.raises(sbic.SbicError, match=r"field 'data.theta.sha256': this run's theta is other data"):
        sbic.train(theta + 1, x, spec=SPEC, resume=tmp_path / "resumed", max_epochs=6, progress=False)
    # Starting from its weights on other data is what init_from is for.
    tuned = sbic.train(theta[:500], x[:500], spec=SPEC, init_from=tmp_path / "resumed", out=tmp_path / "tuned",
                       max_epochs=1, progress=False)
    assert tuned.record["theta_scaler"] == resumed.record["theta_scaler"]
    assert tuned.record["initialized_from"].endswith("/resumed/" + resumed.record["weights"])
    other = os.path.join(REPOSITORY, "specs", "gaussian_linear_upvae.json")
    with pytest.raises(sbic.SbicError, match=r"init_from .*resumed: the (weight|model has)"):
        sbic.train(theta, x, spec=other, init_from=tmp_path / "resumed", out=tmp_path / "other", max_epochs=1, progress=False)
    assert not (tmp_path / "other").exists()


def test_refusals_name_the_keyword_arguments(trained, tmp_path):
    theta, x = gaussian_linear(300, seed=22)
    with pytest.raises(sbic.SbicError, match="pass overwrite=True to replace it, or choose another out directory"):
        sbic.train(theta, x, spec=SPEC, out=trained.directory, max_epochs=1, progress=False)
    with pytest.raises(sbic.SbicError, match="fewer than one batch"):
        sbic.train(theta[:20], x[:20], spec=SPEC, out=tmp_path / "new" / "m", max_epochs=1, progress=False)
    assert not (tmp_path / "new").exists()
