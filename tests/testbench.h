// A minimal SystemC testbench: an initiator whose SC_THREAD runs a test body that issues timing-only
// transactions, and a factory for components from YAML text. One simulation per TEST_CASE.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>

#include <functional>
#include <memory>
#include <systemc>

#include "explorer/config/loader.h"
#include "models/core/component.h"
#include "models/core/registry.h"
#include "models/core/work_item.h"

namespace llmx::test {

class TestInitiator : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<TestInitiator> socket;
  std::function<void(TestInitiator&)> body;

  explicit TestInitiator(const sc_core::sc_module_name& name) : sc_module(name), socket("socket") {
    SC_HAS_PROCESS(TestInitiator);
    SC_THREAD(run);
  }

  // One transaction starting at local offset `start`; returns the annotated completion offset.
  sc_core::sc_time access(tlm::tlm_command cmd, uint64_t address, uint64_t bytes, sc_core::sc_time start,
                          WorkItem* extension = nullptr) {
    tlm::tlm_generic_payload p;
    p.set_command(cmd);
    p.set_address(address);
    p.set_data_ptr(Component::scratch_data());
    p.set_data_length(static_cast<unsigned>(bytes));
    p.set_streaming_width(static_cast<unsigned>(bytes));
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (extension) p.set_extension(extension);
    socket->b_transport(p, start);
    if (extension) p.clear_extension(extension);
    last_status = p.get_response_status();
    return start;
  }
  tlm::tlm_response_status last_status = tlm::TLM_INCOMPLETE_RESPONSE;

 private:
  void run() {
    if (body) body(*this);
  }
};

// Builds a registered component from YAML text (all keys must be used).
inline std::unique_ptr<Component> make_component(const std::string& name, const std::string& yaml) {
  auto tree = parse_yaml_text(yaml, name + ".yaml");
  Params p(tree, name, nullptr);
  const std::string type = p.required<std::string>("type", "type");
  const ComponentType* t = Registry::instance().find(type);
  if (!t) throw Error("no such type " + type);
  auto c = t->factory(name, p, ElabContext{0, 1, sc_core::sc_time(1, sc_core::SC_US)});
  p.finish();
  return c;
}

inline SocketPort& port(Component& c, const std::string& name) {
  for (auto& p : c.ports())
    if (p.name == name) return p;
  throw Error("no port " + name);
}

}  // namespace llmx::test
