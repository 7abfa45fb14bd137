/* sbic's C interface: load a trained model and draw posterior samples into the caller's
 * buffer, train a model from the caller's arrays, compile a spec. Built by
 * `swift build -c release` as .build/release/libsbic_capi.so.
 *
 * Every function that can fail returns 0 (or a non-NULL pointer) on success and -1 (or NULL)
 * on failure; sbic_last_error() then says why, in the words `sbic` itself prints. The error
 * is kept per thread until that thread's next failing call. Arrays are row-major doubles.
 * Nothing here starts a process, and nothing prints. */
#ifndef SBIC_H
#define SBIC_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sbic_model sbic_model;

/* The version of sbic, e.g. "0.4.0". */
const char *sbic_version(void);

/* Why the last failing call on this thread failed; "" when none has. */
const char *sbic_last_error(void);

/* A model directory written by `sbic train` or sbic_train. backend: "jit" or "interpreter"
 * (NULL: "jit"). Free with sbic_model_free. */
sbic_model *sbic_model_load(const char *directory, const char *backend);
void sbic_model_free(sbic_model *model);

/* The sizes of θ and of an observation y. */
int64_t sbic_model_parameter_dimension(const sbic_model *model);
int64_t sbic_model_observation_dimension(const sbic_model *model);

/* The name of parameter `index` (0-based): the model's own names, its task's, or theta_<i>.
 * Valid while the model lives. */
const char *sbic_model_parameter_name(const sbic_model *model, int64_t index);

/* `count` samples of θ for each of the `observations` rows of `y` (observations × the
 * observation dimension), written to `out` (observations × count × the parameter dimension).
 * The same seed gives the same samples as `sbic sample --seed`. With within_prior != 0,
 * draws outside the support of the model's prior are rejected, as `--within-prior` does. */
int sbic_model_sample(sbic_model *model, const double *y, int64_t observations, int64_t count,
                      uint64_t seed, int within_prior, double *out);

/* log q(θ | y) for each of the `rows` rows of `theta` (rows × the parameter dimension), given
 * `y`: one observation for every row (observations = 1) or one per row (observations = rows).
 * Written to `out` (rows). Exact for a model without latent variables; for a VAE the IWAE
 * lower bound with `samples` draws from the encoder per row, as `sbic logprob --samples
 * --seed` computes it. θ ≤ 0 under log scaling has density 0: -inf. */
int sbic_model_log_prob(sbic_model *model, const double *theta, int64_t rows, const double *y, int64_t observations,
                        int64_t samples, uint64_t seed, double *out);

/* 1 when sbic_model_log_prob is exact (no latent variable), 0 when it is an IWAE bound, -1
 * on failure (a graph compiled without a log_density program). */
int sbic_model_log_prob_is_exact(sbic_model *model);

/* Compiles a spec (JSON text; `source` names it in errors, may be NULL) and returns the
 * compiled graph's text (.sbig), to be freed with sbic_string_free. */
char *sbic_compile(const char *spec_json, const char *source);
void sbic_string_free(char *text);

/* Trains on `rows` simulations, θ (rows × theta_columns) and y (rows × y_columns), and writes
 * the model to `directory`. `graph` is a spec (JSON text, starting with '{') or a compiled
 * graph (.sbig text). `settings` is NULL or a JSON object of overrides: seed, max_epochs,
 * patience, learning_rate, batch_size (spec only), backend, overwrite, checkpoint_interval,
 * parameter_names (a list of strings), prior (the JSON of a prior file, docs/training.md),
 * graph_source (how errors name the graph, e.g. its file), resume (a model directory whose
 * training goes on from its saved state, on the same θ and y: `directory` may be that model's
 * own, which it then replaces; the seed defaults to the model's), init_from (a model
 * directory whose weights and scalers training starts from, with a fresh optimizer).
 * model.json records the data as arrays passed through the C API, with the SHA-256 of θ's
 * and y's bytes (little-endian doubles). Errors name these settings as Python's keyword
 * arguments (overwrite=True). A run that fails before it saves a model removes the
 * directory if it created it. on_epoch, when not NULL, is called after every epoch with the
 * epoch's record as JSON (the line train.jsonl gets) and `context`. */
typedef void (*sbic_epoch_callback)(const char *record, void *context);
int sbic_train(const char *graph, const double *theta, int64_t rows, int64_t theta_columns,
               const double *y, int64_t y_columns, const char *directory, const char *settings,
               sbic_epoch_callback on_epoch, void *context);

/* Asks a running sbic_train (on another thread) to stop after its current step; it saves
 * the best model so far and returns 0, as Ctrl-C does for `sbic train`. */
void sbic_interrupt(void);

#ifdef __cplusplus
}
#endif

#endif
