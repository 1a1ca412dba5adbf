// Elaboration from the config: instances, connection checks, socket binding. See elaborator.h.
#include "explorer/elab/elaborator.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

#include "explorer/elab/system_devices.h"
#include "models/core/error.h"
#include "models/core/param_schema.h"
#include "models/core/registry.h"

namespace llmx {

uint64_t System::dram_capacity_bytes() const {
  uint64_t total = 0;
  for (const auto& c : components)
    if (auto* m = dynamic_cast<const MemoryDevice*>(c.get()); m && m->is_dram()) total += m->capacity_bytes();
  return total;
}

uint64_t System::dram_capacity_bytes(size_t device) const {
  uint64_t total = 0;
  for (const Component* c : devices[device].components)
    if (auto* m = dynamic_cast<const MemoryDevice*>(c); m && m->is_dram()) total += m->capacity_bytes();
  return total;
}

std::vector<DeviceResources> System::device_resources() const {
  std::vector<DeviceResources> out;
  for (size_t d = 0; d < devices.size(); ++d) out.push_back({dram_capacity_bytes(d), driver->devices()[d].pes});
  return out;
}

double System::dram_peak_bytes_per_s() const {
  double total = 0;
  for (const auto& c : components)
    if (auto* m = dynamic_cast<const MemoryDevice*>(c.get()); m && m->is_dram()) total += m->peak_bandwidth_bytes_per_s();
  return total;
}

namespace {

const ParamSchema& connections_schema() {
  static const ParamSchema s{
      "connections",
      "each item of `connections:` (a system's or a device's), binding an initiator socket to a target "
      "socket",
      {{"",
        "",
        {text("from", kRequired, "initiator socket as instance.socket or instance[i].socket"),
         text("to", kRequired, "target socket, written as `from`")}}}};
  return s;
}

const ParamSchemaRegistrar connections_schema_registrar(&connections_schema);

bool valid_name(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

struct Endpoint {
  Instance* instance = nullptr;
  std::vector<int> indices;  // elements meant
  std::string socket;
  std::string text;
};


std::string element_label(const Instance& inst, int i, const std::string& socket) {
  return inst.elements.size() > 1 ? cat(inst.name, "[", i, "].", socket) : cat(inst.name, ".", socket);
}

SocketPort* find_port(Component& c, const std::string& socket) {
  for (auto& p : c.ports())
    if (p.name == socket) return &p;
  return nullptr;
}

std::string port_list(Component& c) {
  std::string out;
  for (auto& p : c.ports()) out += (out.empty() ? "" : ", ") + p.name + (p.is_initiator ? " (initiator)" : " (target)");
  return out;
}

// Requests flow from initiators to targets; a cycle of components would pass one around forever.
void refuse_wiring_loops(const std::vector<std::pair<Binding, Binding>>& pairs) {
  std::map<const Component*, std::vector<const std::pair<Binding, Binding>*>> out;
  for (const auto& p : pairs) out[p.first.component].push_back(&p);
  std::map<const Component*, int> state;  // 0 unseen, 1 on the path, 2 done
  std::vector<const std::pair<Binding, Binding>*> path;
  std::function<void(const Component*)> visit = [&](const Component* c) {
    state[c] = 1;
    for (const auto* edge : out[c]) {
      const Component* next = edge->second.component;
      path.push_back(edge);
      if (state[next] == 1) {
        std::string loop;
        for (const auto* e : path) loop += e->first.label + " -> ";
        throw Error(cat(edge->second.where.str(), ": ", edge->second.path, ".to: wiring loop ", loop,
                        edge->second.label, " (a request would circle forever)"));
      }
      if (state[next] == 0) visit(next);
      path.pop_back();
    }
    state[c] = 2;
  };
  for (const auto& p : pairs)
    if (state[p.first.component] == 0) visit(p.first.component);
}

}  // namespace

void elaborate_device(Params& scope, const std::string& prefix, System& sys_ref, Wiring& wiring,
                      const DriverConfig& driver_config) {
  System* sys = &sys_ref;
  SystemDevice device{prefix, {}};
  std::map<std::string, Instance*> own;  // this device's instances by config name
  std::vector<std::string> order{"driver"};
  own["driver"] = &sys->instances.at("driver");
  Params modules = scope.required_child("modules", "the module instances of the system");
  for (const std::string& name : modules.keys()) {
    Params m = modules.required_child(name, "a module instance");
    if (!valid_name(name)) modules.fail(name, "instance names are letters, digits and '_', starting with a letter");
    if (name == "driver") modules.fail(name, "'driver' is reserved for the decode driver (configured by `workload:`)");
    std::string type_list;
    for (const auto& [t, _] : Registry::instance().types()) type_list += (type_list.empty() ? "" : ", ") + t;
    const std::string type = m.required<std::string>("type", "implementation, one of: " + type_list);
    const ComponentType* impl = Registry::instance().find(type);
    if (!impl) m.fail("type", cat("unknown module type '", type, "' (known: ", type_list, ")"));
    const int count = m.optional<int>("count", 1, "number of identical instances", Bound::range(1, 4096));

    Instance inst{name, type, {}, modules.location_of(name), m.path(), {}};
    inst.cost = read_module_cost(m, type);
    for (int i = 0; i < count; ++i) {
      ElabContext ctx{i, count, driver_config.quantum};
      const std::string sc_name = prefix + (count > 1 ? cat(name, "_", i) : name);
      // Each element reads the same parameters; only the first records them in the resolved config.
      Params element = i == 0 ? m : Params(m.node(), m.path(), nullptr);
      if (i > 0) {
        element.claim("type");
        element.claim("count");
        element.claim("cost");
      }
      auto component = impl->factory(sc_name, element, ctx);
      element.finish();
      inst.elements.push_back(component.get());
      device.components.push_back(component.get());
      sys->components.push_back(std::move(component));
    }
    auto [it, fresh] = sys->instances.emplace(prefix + name, inst);
    if (!fresh) modules.fail(name, cat("a second instance named '", prefix + name, "'"));
    own[name] = &it->second;
    order.push_back(name);
    sys->instance_order.push_back(prefix + name);
  }

  auto resolve = [&](Params& conn, const std::string& key) {
    Endpoint e;
    e.text = conn.get<std::string>(key);
    const auto dot = e.text.rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == e.text.size())
      conn.fail(key, cat("'", e.text, "' is not of the form instance.socket"));
    std::string inst_name = e.text.substr(0, dot);
    e.socket = e.text.substr(dot + 1);
    int index = -1;
    if (auto lb = inst_name.find('['); lb != std::string::npos) {
      if (inst_name.back() != ']') conn.fail(key, cat("'", e.text, "': expected instance[index].socket"));
      try {
        size_t used = 0;
        const std::string num = inst_name.substr(lb + 1, inst_name.size() - lb - 2);
        index = std::stoi(num, &used);
        if (used != num.size() || index < 0) throw std::invalid_argument("");
      } catch (const std::exception&) {
        conn.fail(key, cat("'", e.text, "': the index must be a whole number >= 0"));
      }
      inst_name = inst_name.substr(0, lb);
    }
    auto it = own.find(inst_name);
    if (it == own.end()) conn.fail(key, cat("no module instance named '", inst_name, "'"));
    e.instance = it->second;
    const int n = static_cast<int>(e.instance->elements.size());
    if (index >= n) conn.fail(key, cat("'", e.text, "': index out of range (", inst_name, " has ", n, " elements)"));
    if (index >= 0) e.indices = {index};
    else
      for (int i = 0; i < n; ++i) e.indices.push_back(i);
    Component& first = *e.instance->elements[e.indices[0]];
    if (!find_port(first, e.socket))
      conn.fail(key, cat("module '", inst_name, "' (type ", e.instance->type, ") has no socket '", e.socket,
                         "'; it has: ", port_list(first)));
    return e;
  };

  // The driver's sockets serve every device: count this device's bindings of them on their own.
  std::vector<int> driver_bound;
  for (auto& p : sys->driver->ports()) driver_bound.push_back(p.bound), p.bound = 0;
  // Check all connections, recording the pairs; bind only when all are sound.
  std::vector<std::pair<Binding, Binding>>& pairs = wiring.pairs;
  std::map<SocketPort*, SourceLocation>& first_binding = wiring.first_binding;
  for (Params& conn : scope.map_list("connections", "initiator -> target socket connections", true)) {
    conn.bind(connections_schema());
    Endpoint from = resolve(conn, "from");
    Endpoint to = resolve(conn, "to");
    SocketPort& fp = *find_port(*from.instance->elements[from.indices[0]], from.socket);
    SocketPort& tp = *find_port(*to.instance->elements[to.indices[0]], to.socket);
    if (!fp.is_initiator)
      conn.fail("from", cat("'", from.text, "' is a target socket; a connection goes from an initiator to a target"));
    if (tp.is_initiator)
      conn.fail("to", cat("'", to.text, "' is an initiator socket; a connection goes from an initiator to a target"));
    if (fp.protocol != tp.protocol)
      conn.fail("to", cat("mistyped connection: '", from.text, "' speaks the ", protocol_name(fp.protocol),
                          " protocol but '", to.text, "' speaks ", protocol_name(tp.protocol)));

    std::vector<std::pair<int, int>> element_pairs;
    const size_t nf = from.indices.size(), nt = to.indices.size();
    if (nf == nt) {
      for (size_t i = 0; i < nf; ++i) element_pairs.emplace_back(from.indices[i], to.indices[i]);
    } else if (nt == 1) {
      for (int f : from.indices) element_pairs.emplace_back(f, to.indices[0]);
    } else if (nf == 1) {
      for (int t : to.indices) element_pairs.emplace_back(from.indices[0], t);
    } else {
      conn.fail("to", cat("cannot connect ", nf, " elements of '", from.instance->name, "' to ", nt, " elements of '",
                          to.instance->name, "' (counts must match, or one side must be a single instance)"));
    }
    for (auto [f, t] : element_pairs) {
      Binding bf{find_port(*from.instance->elements[f], from.socket), element_label(*from.instance, f, from.socket),
                 conn.location_of("from"), from.instance->elements[f], conn.path()};
      Binding bt{find_port(*to.instance->elements[t], to.socket), element_label(*to.instance, t, to.socket),
                 conn.location_of("to"), to.instance->elements[t], conn.path()};
      if (bf.component == bt.component)
        conn.fail("to", cat("'", bf.label, "' is wired to its own '", bt.label,
                            "' (a request would circle forever)"));
      for (Binding* b : {&bf, &bt}) {
        if (!b->port->multi && b->port->bound > 0)
          throw Error(cat(b->where.str(), ": ", conn.path(), ": socket '", b->label, "' is bound twice (already bound at ",
                          first_binding[b->port].str(), "); only multi-sockets take several connections"));
        if (b->port->bound++ == 0) first_binding[b->port] = b->where;
      }
      pairs.emplace_back(bf, bt);
    }
  }
  refuse_wiring_loops(pairs);
  for (const std::string& name : order) {
    const Instance& inst = *own.at(name);
    for (size_t i = 0; i < inst.elements.size(); ++i) {
      for (auto& p : inst.elements[i]->ports()) {
        if (p.bound == 0 && !p.optional)
          throw Error(cat(inst.where.str(), ": ", inst.path, ": socket '", element_label(inst, static_cast<int>(i), p.name),
                          "' (", p.is_initiator ? "initiator" : "target", ", ", protocol_name(p.protocol),
                          ") is not bound; add a connection for it"));
      }
    }
  }
  DeviceBinding binding;
  auto& ports = sys->driver->ports();
  for (size_t i = 0; i < ports.size(); ++i) {
    if (ports[i].name == "pe") binding.first_pe = static_cast<uint32_t>(driver_bound[i]), binding.pes = ports[i].bound;
    if (ports[i].name == "host" && ports[i].bound > 0) binding.host = driver_bound[i];
    ports[i].bound += driver_bound[i];
  }
  std::vector<DeviceBinding> bindings = sys->driver->devices();
  bindings.push_back(binding);
  sys->driver->set_devices(std::move(bindings));
  sys->devices.push_back(std::move(device));
}

void bind_all(Wiring& wiring) {
  for (auto& [from, to] : wiring.pairs) {
    try {
      from.component->bound_to(from.port->name, *to.component);
    } catch (const Error& e) {
      throw Error(cat(from.where.str(), ": ", from.path, ": ", from.label, " -> ", to.label, ": ", e.what()));
    }
    from.port->bind_to(*to.port->target);
  }
}

std::unique_ptr<System> elaborate(Params& root, const DriverConfig& driver_config, const Workload& workload) {
  auto sys = std::make_unique<System>();

  // The decode driver is a fixed instance named `driver`.
  {
    auto driver = std::make_unique<DecodeDriver>("driver", driver_config, workload);
    sys->driver = driver.get();
    Instance inst{"driver", "decode_driver", {driver.get()}, root.location_of("workload"), "workload", {}};
    sys->instances.emplace("driver", inst);
    sys->instance_order.push_back("driver");
    sys->components.push_back(std::move(driver));
  }
  Wiring wiring;
  elaborate_devices(root, *sys, wiring, driver_config);
  bind_all(wiring);
  elaborate_links(root, *sys, driver_config);
  for (auto& c : sys->components) c->validate_topology();
  return sys;
}

}  // namespace llmx
