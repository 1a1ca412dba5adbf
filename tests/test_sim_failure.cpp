// An exception inside the simulation thread (a model's error, a std::exception, a SystemC report) ends the
// run as one line and a failed exit, not a crash: a test-only memory type fails on its 50th request.
#include <catch2/catch.hpp>

#include <tlm_utils/simple_target_socket.h>

#include <stdexcept>

#include "explorer/run/process.h"
#include "explorer/run/run.h"
#include "models/core/component.h"
#include "models/core/error.h"
#include "models/core/registry.h"
#include "tests/support.h"

using namespace llmx;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace llmx {

class FailingMemory : public Component, public MemoryDevice {
 public:
  tlm_utils::simple_target_socket<FailingMemory> target;

  FailingMemory(const sc_core::sc_module_name& name, Params& p, const ElabContext&)
      : Component(name, "test_failing_memory"), target("target") {
    how_ = p.choice("fail_with", {"error", "std", "report"}, std::nullopt, "what to throw");
    target.register_b_transport(this, &FailingMemory::b_transport);
    expose_target("target", target, Protocol::memory, false);
  }
  ComponentStats stats(const sc_core::sc_time&) const override { return {}; }
  uint64_t capacity_bytes() const override { return uint64_t{2} << 30; }
  double peak_bandwidth_bytes_per_s() const override { return 1e10; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
    if (++requests_ == 50) {
      if (how_ == "error") throw Error("test_failing_memory: a model's error");
      if (how_ == "std") throw std::length_error("test_failing_memory: deque too long");
      SC_REPORT_ERROR("test_failing_memory", "a SystemC report");
    }
    delay += sc_core::sc_time(1, sc_core::SC_NS);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  std::string how_;
  uint64_t requests_ = 0;
};

LLMX_REGISTER_COMPONENT(FailingMemory, "test_failing_memory", "test only: fails on its 50th request");

}  // namespace llmx

TEST_CASE("run: an exception inside the simulation thread is one line and exit 1, with no output",
          "[run][errors]") {
  const auto dir = test::scratch_dir("sim-failure");
  const std::string src = test::source_dir();
  std::string system = test::read_text(src + "/configs/systems/ideal-roofline.yaml");
  const std::string memory = "    include: ../memory/ideal-lpddr5x-8533-x16.yaml\n";
  REQUIRE(system.find(memory) != std::string::npos);
  system.replace(system.find(memory), memory.size(), "    type: test_failing_memory\n    fail_with: FAIL\n");
  for (size_t at; (at = system.find(" ../")) != std::string::npos;)
    system.replace(at, 4, " " + src + "/configs/");
  for (const std::string how : {"error", "std", "report"}) {
    INFO(how);
    const fs::path out = dir / how;
    const fs::path err = dir / (how + ".err");
    const int code = run_in_child([&] {
      std::freopen(err.c_str(), "w", stderr);
      RunRequest req;
      std::string text = system;
      text.replace(text.find("FAIL"), 4, how);
      req.config_path = test::write_text(dir / (how + ".yaml"), text).string();
      req.overrides = {"workload.decode_steps=1"};
      req.out_dir = out.string();
      run_point(req);
      return 0;
    });
    const std::string text = test::read_text(err);
    INFO(text);
    CHECK(code == 1);
    CHECK(test::count_lines(text) == 1);
    // A model's own error keeps its text; anything else is named a simulation failure.
    CHECK_THAT(text, Contains(how == "error" ? "explorer: test_failing_memory: a model's error"
                                             : "explorer: simulation failed: "));
    CHECK_THAT(text, Contains("test_failing_memory"));
    CHECK(!fs::exists(out));
  }
}
