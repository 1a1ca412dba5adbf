// Component base: socket registry for the wiring layer and the shared scratch byte of timing-only payloads.
#include "models/core/component.h"

namespace llmx {

const char* protocol_name(Protocol p) {
  switch (p) {
    case Protocol::memory: return "memory";
    case Protocol::command: return "command";
    case Protocol::host: return "host";
    case Protocol::link: return "link";
  }
  return "?";
}

Component::Component(const sc_core::sc_module_name& name, std::string type_name)
    : sc_core::sc_module(name), type_name_(std::move(type_name)) {}

unsigned char* Component::scratch_data() {
  static unsigned char scratch[64] = {};
  return scratch;
}

}  // namespace llmx
