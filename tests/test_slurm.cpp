// The Slurm path end to end on a real (private, single-node) Slurm cluster started on localhost by
// scripts/slurm/local-cluster.sh: scripts/slurm/sweep-array.sh submits a 16-point sweep as an 8-task job
// array, waits, merges, and the merged results.csv must equal a local `explorer sweep` run's byte for byte.
// Fails (does not skip) when slurm-wlm or munge is missing: scripts/setup.sh tests installs them. Needs root.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>

#include "tests/support.h"

using namespace llmx;
namespace fs = std::filesystem;

namespace {

const std::string kScripts = test::source_dir() + "/scripts/slurm";

// Stops the cluster however the test ends.
struct LocalCluster {
  fs::path dir;
  ~LocalCluster() { test::run_command("'" + kScripts + "/local-cluster.sh' stop '" + dir.string() + "'"); }
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("slurm: an 8-shard array job on a local Slurm cluster merges to the local run's results",
          "[slurm]") {
  for (const char* tool : {"sbatch", "scancel", "sinfo", "slurmctld", "slurmd", "munged", "mungekey"}) {
    const auto r = test::run_command(std::string("command -v ") + tool + " || test -x /usr/sbin/" + tool);
    INFO(tool << " is not installed: run scripts/setup.sh tests (Debian packages slurm-wlm and munge)");
    REQUIRE(r.exit_code == 0);
  }
  INFO("slurmd runs jobs as their user and must run as root");
  REQUIRE(::geteuid() == 0);

  const auto dir = test::scratch_dir("slurm");
  // Private copies of the inputs: concurrent edits elsewhere in the tree cannot change the point keys.
  const fs::path src = test::source_dir();
  fs::copy(src / "configs", dir / "configs", fs::copy_options::recursive);
  fs::create_directories(dir / "traces");
  fs::copy_file(src / "traces/captured/tinyllama-1.1b-q4_0.lxt.gz", dir / "traces/q4.lxt.gz");
  fs::copy_file(src / "traces/captured/tinyllama-1.1b-q8_0.lxt.gz", dir / "traces/q8.lxt.gz");
  // 2 x 4 x 2 = 16 points: two per array task.
  const fs::path spec = test::write_text(dir / "sweep16.yaml",
                                         "base: configs/systems/ideal-roofline.yaml\n"
                                         "set: {workload.decode_steps: 2}\n"
                                         "axes:\n"
                                         "  - zip:\n"
                                         "      - {key: modules.pe.count, values: [4, 8]}\n"
                                         "      - {key: modules.buf.count, values: [4, 8]}\n"
                                         "  - key: modules.mem.bandwidth_gbps\n"
                                         "    values: [8.533, 17.066, 34.132, 68.264]\n"
                                         "  - key: workload.trace\n"
                                         "    values: [traces/q4.lxt.gz, traces/q8.lxt.gz]\n");

  auto r = test::explorer("sweep '" + spec.string() + "' -j 2 --out '" + (dir / "local").string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const std::string local = test::read_text(dir / "local/results.csv");
  REQUIRE(test::count_lines(local) == 17);

  const auto start = std::chrono::steady_clock::now();
  LocalCluster cluster{dir / "cluster"};
  r = test::run_command("'" + kScripts + "/local-cluster.sh' start '" + cluster.dir.string() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const fs::path conf = cluster.dir / "slurm.conf";
  REQUIRE(fs::exists(conf));

  const fs::path out = dir / "slurm-run";
  r = test::run_command("SLURM_CONF='" + conf.string() + "' '" + kScripts + "/sweep-array.sh' '" +
                        spec.string() + "' --shards 8 --out '" + out.string() +
                        "' --timeout 180 --explorer '" + test::explorer_bin() + "'");
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN("local cluster start + 8-task array job + merge: " << seconds << " s");

  CHECK(test::read_text(out / "results.csv") == local);
  // Every array task ran its own shard, under Slurm.
  for (int i = 0; i < 8; ++i) {
    const auto manifest = test::read_text(out / "shards" / std::to_string(i) / "sweep.txt");
    CHECK(manifest.find("\nshard " + std::to_string(i) + "/8\n") != std::string::npos);
    CHECK(test::count_lines(test::read_text(out / "shards" / std::to_string(i) / "results.csv")) == 3);
  }
  const auto job_id = lines_of(test::read_text(out / "slurm/job-id"));
  REQUIRE(job_id.size() == 1);
  for (int i = 0; i < 8; ++i) {
    const fs::path task_out = out / "slurm" / (job_id[0] + "_" + std::to_string(i) + ".out");
    INFO(task_out);
    CHECK(test::read_text(task_out).find("shard " + std::to_string(i) + "/8") != std::string::npos);
  }

  // Stopping leaves none of the daemons it started.
  std::vector<pid_t> pids;
  for (const char* name : {"munged.pid", "slurmctld.pid", "slurmd.pid"}) {
    const auto text = test::read_text(cluster.dir / "run" / name);
    REQUIRE(!text.empty());
    pids.push_back(static_cast<pid_t>(std::stol(text)));
  }
  r = test::run_command("'" + kScripts + "/local-cluster.sh' stop '" + cluster.dir.string() + "'");
  REQUIRE(r.exit_code == 0);
  for (pid_t pid : pids) {
    INFO("pid " << pid);
    const std::string stat = test::read_text("/proc/" + std::to_string(pid) + "/stat");
    const auto paren = stat.rfind(')');
    CHECK((stat.empty() || (paren != std::string::npos && stat.compare(paren, 3, ") Z") == 0)));
  }
}
