// The `type:` registry: implementations of each module kind register a factory under a type name, and the
// elaborator builds the instance the config names. Registration is a static object in the module's .cpp
// (the library is an OBJECT library, so none is dropped):
//
//   LLMX_REGISTER_COMPONENT(DramChannel, "dram", "JEDEC DRAM channel (LPDDR, HBM, DDR) with bank timing");
//
// The factory receives the instance name and the instance's Params (type, count, include already claimed);
// it reads its parameters and must leave none unread (the elaborator calls finish()).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "models/core/component.h"
#include "models/core/params.h"

namespace llmx {

struct ElabContext {
  int index = 0;  // position within an instance array (`count:`), 0 for a single instance
  int count = 1;  // size of the instance array
  sc_core::sc_time quantum;  // temporal-decoupling quantum of this run
};

using ComponentFactory =
    std::function<std::unique_ptr<Component>(const std::string& name, Params& params, const ElabContext& ctx)>;

struct ComponentType {
  std::string name;
  std::string description;
  ComponentFactory factory;
};

class Registry {
 public:
  static Registry& instance();
  void add(ComponentType type);
  const ComponentType* find(const std::string& name) const;
  const std::map<std::string, ComponentType>& types() const { return types_; }

 private:
  std::map<std::string, ComponentType> types_;
};

struct ComponentRegistrar {
  ComponentRegistrar(const char* name, const char* description, ComponentFactory factory);
};

#define LLMX_REGISTER_COMPONENT(Class, type_name, description)                                     \
  static ::llmx::ComponentRegistrar llmx_registrar_##Class(                                        \
      type_name, description,                                                                      \
      [](const std::string& name, ::llmx::Params& params, const ::llmx::ElabContext& ctx)         \
          -> std::unique_ptr<::llmx::Component> {                                                   \
        return std::make_unique<Class>(name.c_str(), params, ctx);                                 \
      })

}  // namespace llmx
