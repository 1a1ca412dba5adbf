// The `type:` registry of component implementations.
#include "models/core/registry.h"

#include "models/core/error.h"

namespace llmx {

Registry& Registry::instance() {
  static Registry registry;
  return registry;
}

void Registry::add(ComponentType type) {
  if (types_.count(type.name)) throw Error(cat("component type '", type.name, "' registered twice"));
  types_.emplace(type.name, std::move(type));
}

const ComponentType* Registry::find(const std::string& name) const {
  auto it = types_.find(name);
  return it == types_.end() ? nullptr : &it->second;
}

ComponentRegistrar::ComponentRegistrar(const char* name, const char* description, ComponentFactory factory) {
  Registry::instance().add({name, description, std::move(factory)});
}

}  // namespace llmx
