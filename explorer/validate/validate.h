// `explorer validate`: predicts every measured row of the validation set (validation/measured.csv) with its
// machine's system config (configs/validation/<machine>.yaml, written by the machine rule) and the row's
// runtime preset (configs/runtime/<runtime>.yaml), one process per row, and compares with the measurement.
//
// A row: id, machine, runtime, trace (relative to the repository), the measured tokens/s, its set (`fit`:
// the rows the runtime constants were fitted on; `check`: rows seen while building the model but not
// fitted; `holdout`: systems nobody tuned to), what was measured and the source. The table gives per row the
// measured and predicted tokens/s and the signed error (predicted / measured - 1), then the median and the
// worst absolute error over all rows and per class (apple, gpu) and set. Left out: the simulation itself
// (explorer/run/run.h) and how machines become configs (explorer/validate/machine_rule.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace llmx {

struct ValidationRow {
  std::string id, machine, runtime, trace, set, measurement, source;
  std::string machine_class;  // from the machine table
  double measured_tokens_per_s = 0;
};

// Reads the validation set and joins each row with its machine (class); file:line errors.
std::vector<ValidationRow> read_validation_set(const std::string& set_path, const std::string& machines_path);

struct ValidationResult {
  ValidationRow row;
  bool ok = false;
  std::string failure;  // why the row has no prediction
  double predicted_tokens_per_s = 0;
  double error = 0;  // predicted / measured - 1
};

// Median and worst absolute error of the rows that ran.
struct ErrorSummary {
  size_t rows = 0;
  double median = 0, worst = 0;
  std::string worst_id;
};
ErrorSummary summarize(const std::vector<const ValidationResult*>& results);

struct ValidateOptions {
  std::string root;      // repository (configs/, traces/, validation/)
  std::string set_path;  // default: <root>/validation/measured.csv
  int jobs = 1;
  uint32_t decode_steps = 2;      // decode steps simulated per row
  std::vector<std::string> only;  // ids or id prefixes to run (empty: all)
  std::string points_dir;         // keep each row's run directory here (default: a temporary one)
};

// Runs the rows (one child process each, `jobs` at once); rows that fail are reported, not thrown.
std::vector<ValidationResult> run_validation(const ValidateOptions& options);

// The table as CSV (one row per result) and as aligned text with the summaries.
std::string results_csv(const std::vector<ValidationResult>& results);
std::string results_text(const std::vector<ValidationResult>& results);

}  // namespace llmx
