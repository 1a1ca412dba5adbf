// One design point end to end; see run.h.
#include "explorer/run/run.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "explorer/config/loader.h"
#include "explorer/cost/cost_model.h"
#include "explorer/elab/elaborator.h"
#include "explorer/plan/parallel.h"
#include "explorer/run/bottleneck.h"
#include "explorer/run/csv.h"
#include "explorer/run/multidev_results.h"
#include "explorer/run/request_metrics.h"
#include "explorer/run/results_dir.h"
#include "explorer/run/run_summary_print.h"
#include "explorer/run/runtime_columns.h"
#include "explorer/run/sanitizer_stack.h"
#include "models/compute/processing_element.h"
#include "models/core/error.h"

namespace fs = std::filesystem;

#include "models/core/param_schema.h"

namespace llmx {

namespace {

const ParamSchema& system_schema() {
  static const ParamSchema s{"system",
                             "name and description of the system (`system:`)",
                             {{"",
                               "",
                               {text("name", std::string("unnamed"), "short name used in reports"),
                                text("description", std::string(""), "what this system is")}}}};
  return s;
}

const ParamSchemaRegistrar system_schema_registrar(&system_schema);

}  // namespace
namespace {

using sc_core::sc_time;

std::string file_hash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return fnv1a_hex(s.str());
}

void install_report_handler() {
  using sc_core::sc_report_handler;
  // Warnings count as failures: a model that warns is wrong until shown otherwise.
  sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_THROW);
  sc_report_handler::set_actions(sc_core::SC_ERROR, sc_core::SC_THROW);
  sc_report_handler::set_actions(sc_core::SC_FATAL, sc_core::SC_THROW);
}

struct Snapshot {
  EnergyBreakdown energy, energy_max;  // typical and maximum bounds
  uint64_t dram_read = 0, dram_written = 0;
};

Snapshot snapshot(const System& sys, const sc_time& now) {
  Snapshot s;
  for (const auto& c : sys.components) {
    const ComponentStats st = c->stats(now);
    s.energy += st.energy;
    s.energy_max += st.energy_at(true);
    if (auto* m = dynamic_cast<const MemoryDevice*>(c.get()); m && m->is_dram()) {
      s.dram_read += st.bytes_read;
      s.dram_written += st.bytes_written;
    }
  }
  return s;
}

// A run's identity: its resolved config with the trace named by its content instead of its path, so that the
// same point has the same hash in every checkout.
std::string identity_hash(ConfigNode& resolved, const std::string& trace_hash) {
  ConfigNode& workload = *resolved.find("workload");
  const std::shared_ptr<ConfigNode> path = workload.find("trace");
  workload.set("trace", ConfigNode::make_scalar("content " + trace_hash, {}, true));
  const std::string text = to_yaml(resolved);
  workload.set("trace", path);
  return fnv1a_hex(text);
}

// The files a loaded config was read from (the config and its includes), in first-seen order.
std::vector<std::string> config_files(const ConfigNode& root) {
  std::vector<std::string> files;
  std::vector<const ConfigNode*> todo{&root};
  while (!todo.empty()) {
    const ConfigNode* n = todo.back();
    todo.pop_back();
    if (n->location.line > 0 && std::find(files.begin(), files.end(), n->location.file) == files.end())
      files.push_back(n->location.file);
    for (const auto& i : n->items) todo.push_back(i.get());
    for (const auto& e : n->entries) todo.push_back(e.second.get());
  }
  return files;
}

// The clock that counts a runtime's min_kernel_cycles: a kernel spans the PEs and ends when the slowest
// drains (0 when the system has none).
double slowest_pe_clock_hz(const System& sys) {
  double slowest = 0;
  for (const auto& c : sys.components)
    if (auto* pe = dynamic_cast<const ProcessingElement*>(c.get())) {
      const double hz = pe->inventory().clock_hz;
      slowest = slowest == 0 ? hz : std::min(slowest, hz);
    }
  return slowest;
}

}  // namespace

std::string trace_path_in(const ConfigNode& root) {
  auto workload = root.find("workload");
  auto node = workload ? workload->find("trace") : nullptr;
  if (!node || node->kind != ConfigNode::Kind::scalar) return {};
  fs::path p(node->scalar);
  if (p.is_absolute() || node->location.line == 0) return p.lexically_normal().string();
  return (fs::path(node->location.file).parent_path() / p).lexically_normal().string();
}

void run_point(const RunRequest& request) {
  install_report_handler();
  auto tree = load_config(request.config_path, request.overrides);
  if (!request.trace_path.empty()) {
    // The option is to blame for its own path (not the --set it becomes below).
    std::error_code ec;
    if (fs::is_directory(request.trace_path, ec))
      throw Error(cat("--trace ", request.trace_path, ": is a directory, not a trace file"));
    if (!fs::is_regular_file(request.trace_path, ec))
      throw Error(cat("--trace ", request.trace_path, ": cannot open trace file"));
    apply_override(*tree, "workload.trace=" + request.trace_path);
  }
  const std::string trace_path = trace_path_in(*tree);
  std::vector<std::string> inputs = config_files(*tree);
  inputs.push_back(request.config_path);
  inputs.push_back(trace_path);
  check_results_dir(request.out_dir, inputs);

  auto resolved = ConfigNode::make_map({});
  Params root(tree, "", resolved);
  Params sysinfo = root.optional_child("system", "name and description of the system");
  sysinfo.bind(system_schema());
  const std::string system_name = sysinfo.get<std::string>("name");
  sysinfo.get<std::string>("description");
  Params workload_params = root.required_child("workload", "the decode trace and what of it to simulate");
  Params simulation = root.optional_child("simulation", "simulation settings");
  Params driver_params = root.optional_child("driver", "command dispatch and offload of the decode driver");
  WorkloadSpec spec = WorkloadSpec::read(workload_params);
  const DriverConfig driver_config = DriverConfig::read(workload_params, simulation);
  const RuntimeConfig runtime = RuntimeConfig::read(driver_params);
  PlanConfig plan_config = PlanConfig::read(driver_params);
  plan_config.parallel = read_parallelism(root);
  if (!trace_path.empty() && !fs::is_regular_file(trace_path))
    workload_params.fail("trace", cat("cannot open trace file '", trace_path, "'"));
  spec.trace_path = fs::absolute(trace_path).lexically_normal().string();
  resolved->find("workload")->set("trace", ConfigNode::make_scalar(spec.trace_path, {}, true));
  const Workload workload = build_workload(trace::read_trace_cached(spec.trace_path), spec);

  std::unique_ptr<System> sys = elaborate(root, driver_config, workload);
  const SystemCostSpec cost_spec = read_system_cost(root);
  root.finish();
  const SystemCost cost = price_system(cost_spec, *sys);
  Plan plan = make_plan(workload, sys->device_resources(), plan_config,
                        cat(request.config_path, sys->device_list ? ": devices" : ": modules"));
  for (size_t d = 0; d < plan.devices.size() && plan_config.kv_cache == KvCachePlacement::on_chip; ++d) {
    std::vector<const ProcessingElement*> pes;
    for (const Component* c : sys->devices[d].components)
      if (auto* pe = dynamic_cast<const ProcessingElement*>(c)) pes.push_back(pe);
    for (size_t i = 0; i < pes.size(); ++i) {
      const uint64_t share = plan.devices[d].kv_share(static_cast<uint32_t>(i));
      if (!pes[i]->kv_fits_on_chip(share))
        driver_params.fail("kv_cache", cat("on_chip, but ", pes[i]->name(), "'s share of the KV cache (",
                                           share, " B) does not fit its buffer beside its tiles in flight"));
    }
  }
  const double core_clock_hz = slowest_pe_clock_hz(*sys);
  if (runtime.min_kernel_cycles > 0 && core_clock_hz <= 0)
    driver_params.fail("min_kernel_cycles",
                       "counts core-clock cycles, but the system has no PE to clock them");
  Schedule schedule = make_schedule(plan, workload, runtime, core_clock_hz);
  sys->driver->load(std::move(plan), std::move(schedule));
  const MemoryLayout memory = total_memory(sys->driver->plan());

  const std::string trace_hash = file_hash(spec.trace_path);
  const std::string config_hash = identity_hash(*resolved, trace_hash);
  const std::string resolved_text = to_yaml(*resolved);

  CsvTable tokens({"step", "phase", "context_len", "tokens", "start_ms", "latency_ms", "dram_read_bytes",
                   "dram_write_bytes", "energy_j", "energy_max_j", "avg_power_w"});
  Snapshot last;
  sc_time decode_start = sc_core::SC_ZERO_TIME, decode_end = sc_core::SC_ZERO_TIME;
  bool decode_started = false;
  EnergyBreakdown decode_energy, decode_energy_max;
  double peak_step_power = 0;
  uint64_t decode_tokens = 0, decode_steps = 0;
  RequestMetrics per_request(workload);
  RunProgress progress(workload.steps.size());
  sys->driver->on_step = [&](const StepRecord& step) {
    progress.step_done();
    const Snapshot now = snapshot(*sys, step.end);
    const double latency_s = (step.end - step.start).to_seconds();
    const EnergyBreakdown spent = now.energy - last.energy;
    const EnergyBreakdown spent_max = now.energy_max - last.energy_max;
    tokens.row()
        .add(step.step)
        .add(step.phase == trace::Phase::prefill ? "prefill" : "decode")
        .add(step.context_len)
        .add(step.tokens)
        .add(step.start.to_seconds() * 1e3)
        .add(latency_s * 1e3)
        .add(now.dram_read - last.dram_read)
        .add(now.dram_written - last.dram_written)
        .add(spent.total())
        .add(spent_max.total())
        .add(latency_s > 0 ? spent.total() / latency_s : 0.0);
    if (step.phase == trace::Phase::decode) {
      if (!decode_started) {
        decode_started = true;
        decode_start = step.start;
      }
      decode_end = step.end;
      decode_tokens += step.tokens;
      ++decode_steps;
      decode_energy += spent;
      decode_energy_max += spent_max;
    }
    if (latency_s > 0) peak_step_power = std::max(peak_step_power, spent.total() / latency_s);
    per_request.on_step(step, spent.total(), spent_max.total());
    last = now;
  };

  try {
    sc_core::sc_start();
  } catch (const sc_core::sc_report& r) {
    sanitizer_back_on_main_stack();
    throw Error(cat("simulation failed: ", r.get_msg_type(), ": ", r.get_msg()));
  }
  sanitizer_back_on_main_stack();
  try {
    sys->driver->rethrow_failure();
  } catch (const sc_core::sc_report& r) {
    throw Error(cat("simulation failed: ", r.get_msg_type(), ": ", r.get_msg()));
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(cat("simulation failed: ", e.what()));
  }
  progress.finish();
  if (!sys->driver->finished()) throw Error("simulation ended before the trace was replayed");

  const sc_time end = sc_core::sc_time_stamp();
  const double sim_s = end.to_seconds();
  const double decode_s = (decode_end - decode_start).to_seconds();

  // Per-component table and totals.
  std::vector<std::string> comp_cols{"component",  "type",          "busy_s",  "utilization",
                                     "bytes_read", "bytes_written", "requests"};
  for (int k = 0; k < kEnergyKinds; ++k)
    comp_cols.push_back(cat("energy_", energy_kind_name(EnergyKind(k)), "_j"));
  comp_cols.push_back("energy_total_j");
  for (int k = 0; k < kEnergyKinds; ++k)
    comp_cols.push_back(cat("energy_", energy_kind_name(EnergyKind(k)), "_max_j"));
  comp_cols.push_back("energy_total_max_j");
  CsvTable components(comp_cols);
  CsvTable metrics({"component", "metric", "value"});
  EnergyBreakdown total_energy, total_energy_max;
  uint64_t dram_read = 0, dram_written = 0;
  for (const auto& c : sys->components) {
    const ComponentStats st = c->stats(end);
    auto& row = components.row()
                    .add(std::string(c->name()))
                    .add(c->type_name())
                    .add(st.busy.to_seconds())
                    .add(sim_s > 0 ? st.busy.to_seconds() / sim_s : 0.0)
                    .add(st.bytes_read)
                    .add(st.bytes_written)
                    .add(st.requests);
    for (int k = 0; k < kEnergyKinds; ++k) row.add(st.energy.joules[k]);
    row.add(st.energy.total());
    const EnergyBreakdown& max = st.energy_at(true);
    for (int k = 0; k < kEnergyKinds; ++k) row.add(max.joules[k]);
    row.add(max.total());
    for (const auto& [metric, value] : st.extra)
      metrics.row().add(std::string(c->name())).add(metric).add(value);
    total_energy += st.energy;
    total_energy_max += max;
    if (auto* m = dynamic_cast<const MemoryDevice*>(c.get()); m && m->is_dram()) {
      dram_read += st.bytes_read;
      dram_written += st.bytes_written;
    }
  }

  const double peak = sys->dram_peak_bytes_per_s();
  const double achieved = sim_s > 0 ? (dram_read + dram_written) / sim_s : 0.0;
  CsvTable summary(with_cost_columns(with_columns({"config_hash",
                                                   "trace_hash",
                                                   "system",
                                                   "model",
                                                   "weight_format",
                                                   "batch",
                                                   "decode_steps",
                                                   "tokens",
                                                   "sim_time_s",
                                                   "decode_time_s",
                                                   "ms_per_token",
                                                   "tokens_per_s",
                                                   "energy_j",
                                                   "j_per_token",
                                                   "energy_max_j",
                                                   "j_per_token_max",
                                                   "avg_power_w",
                                                   "dram_read_bytes",
                                                   "dram_write_bytes",
                                                   "dram_bandwidth_gbps",
                                                   "dram_peak_gbps",
                                                   "dram_bandwidth_share",
                                                   "device_memory_used_bytes",
                                                   "dram_capacity_bytes",
                                                   "offloaded_weight_bytes",
                                                   "dispatch_share",
                                                   "peak_step_power_w"},
                                                  RequestMetrics::columns())));
  const double decode_j = decode_energy.total();
  CsvTable::Row& summary_row = summary.row()
      .add(config_hash)
      .add(trace_hash)
      .add(system_name)
      .add(workload.header.model)
      .add(workload.header.weight_format)
      .add(workload.header.batch)
      .add(decode_steps)
      .add(decode_tokens)
      .add(sim_s)
      .add(decode_s)
      .add(decode_steps ? decode_s / decode_steps * 1e3 : 0.0)
      .add(decode_s > 0 ? decode_tokens / decode_s : 0.0)
      .add(total_energy.total())
      .add(decode_tokens ? decode_j / decode_tokens : 0.0)
      .add(total_energy_max.total())
      .add(decode_tokens ? decode_energy_max.total() / decode_tokens : 0.0)
      .add(sim_s > 0 ? total_energy.total() / sim_s : 0.0)
      .add(dram_read)
      .add(dram_written)
      .add(achieved / 1e9)
      .add(peak / 1e9)
      .add(peak > 0 ? achieved / peak : 0.0)
      .add(memory.end)
      .add(sys->dram_capacity_bytes())
      .add(memory.offloaded_bytes)
      .add(sim_s > 0 ? sys->driver->dispatch_time().to_seconds() / sim_s : 0.0)
      .add(peak_step_power);
  per_request.add_cells(summary_row);
  add_cost_summary_cells(summary_row, cost, decode_s > 0 ? decode_tokens / decode_s : 0.0,
                         decode_tokens ? decode_j / decode_tokens : 0.0);
  const auto runtime_cells = runtime_columns(*sys->driver, decode_s);
  summary.append_columns(runtime_cells);
  const std::vector<ResourceUse> uses = resource_uses(*sys, end, runtime_dispatch_share(runtime_cells));
  const ResourceUse bound = bounding_resource(uses);
  summary.append_column("bound_resource", bound.resource);
  summary.append_columns({{"bound_utilization", bound.utilization}});

  // Where decode time goes: per layer and per op kind, with the memory-bound share. time_share is of the
  // decode time, or of the ops' summed time when ops of different stages overlap (micro-batches), so the
  // shares never sum above 1.
  double op_time_s = 0;
  for (const auto& [layer, g] : sys->driver->layer_totals()) op_time_s += g.time.to_seconds();
  const double share_base = std::max(decode_s, op_time_s);
  auto group_table = [&](const std::string& key) {
    return CsvTable({key, "ops", "memory_bound_ops", "time_ms", "time_share", "device_bytes", "gflop",
                     "achieved_gbps", "achieved_gflops", "memory_bound_time_share", "bound"});
  };
  auto group_row = [&](CsvTable& t, const std::string& name, const OpGroupTotals& g) {
    const double s = g.time.to_seconds();
    t.row()
        .add(name)
        .add(g.ops)
        .add(g.memory_bound)
        .add(s * 1e3)
        .add(share_base > 0 ? s / share_base : 0.0)
        .add(g.device_bytes)
        .add(g.flops / 1e9)
        .add(s > 0 ? g.device_bytes / s / 1e9 : 0.0)
        .add(s > 0 ? g.flops / s / 1e9 : 0.0)
        .add(s > 0 ? g.memory_bound_time.to_seconds() / s : 0.0)
        .add(2 * g.memory_bound_time >= g.time ? "memory" : "compute");
  };
  CsvTable layers = group_table("layer");
  for (const auto& [layer, g] : sys->driver->layer_totals())
    group_row(layers, layer < 0 ? "outside" : std::to_string(layer), g);
  CsvTable kinds = group_table("kind");
  for (const auto& [kind, g] : sys->driver->kind_totals()) group_row(kinds, trace::op_kind_name(kind), g);

  std::string ops_text;
  if (driver_config.per_op) {
    CsvTable ops({"step", "index", "layer", "kind", "engine_op", "start_us", "latency_us", "memory_time_us",
                  "compute_time_us", "bound", "device_read_bytes", "device_write_bytes"});
    for (const auto& o : sys->driver->ops()) {
      ops.row()
          .add(o.step)
          .add(o.index)
          .add(static_cast<int64_t>(o.layer))
          .add(trace::op_kind_name(o.kind))
          .add(o.engine_op)
          .add(o.start.to_seconds() * 1e6)
          .add((o.end - o.start).to_seconds() * 1e6)
          .add(o.memory_time.to_seconds() * 1e6)
          .add(o.compute_time.to_seconds() * 1e6)
          .add(o.compute_time > o.memory_time ? "compute" : "memory")
          .add(o.device_bytes_read)
          .add(o.device_bytes_written);
    }
    ops_text = ops.text();
  }

  std::vector<OutputFile> files{
      {"summary.csv", summary.text()},       {"tokens.csv", tokens.text()},
      {"components.csv", components.text()}, {"component_metrics.csv", metrics.text()},
      {"layers.csv", layers.text()},         {"op_kinds.csv", kinds.text()}};
  if (driver_config.per_op) files.push_back({"ops.csv", ops_text});
  files.push_back({"cost.csv", cost_csv(cost)});
  files.push_back({"bottleneck.csv", bottleneck_csv(uses)});
  if (sys->device_list) add_multidevice_results(*sys, end, decode_s, files);
  files.push_back({"resolved_config.yaml",
                   "# Fully resolved configuration of this run (defaults included); config_hash " +
                       config_hash + "\n" + resolved_text});
  install_results_dir(request.out_dir, files, inputs);
  print_run_summary({request.out_dir, decode_s > 0 ? decode_tokens / decode_s : 0.0,
                     decode_steps ? decode_s / decode_steps * 1e3 : 0.0,
                     decode_tokens ? decode_j / decode_tokens : 0.0, bound});
}

}  // namespace llmx
