// The devices and links of a system; see system_devices.h.
#include "explorer/elab/system_devices.h"

#include "explorer/plan/topology.h"
#include "models/core/error.h"
#include "models/core/param_schema.h"
#include "models/core/registry.h"
#include "models/interconnect/chip_link.h"
#include "models/interconnect/device_link.h"
#include "models/interconnect/link_switch.h"

namespace llmx {

namespace {

// `links:` is the topology and the keys of the link type it implies: chip_link (ring) or link_switch
// (switch), taken from their own declarations.
const ParamSchema& links_schema() {
  static const ParamSchema s = [] {
    ParamSchema x{
        "links",
        "the links between the devices of a multi-device system (`links:`, configs/links/): a topology "
        "and the keys of its link type (explorer types chip_link, link_switch)",
        {{"",
          "",
          {choice("topology", {"ring", "switch"}, kRequired,
                  "ring: a chip_link from each device to the next; switch: a link_switch with a port "
                  "per device")}}}};
    const ParamSchema* ring = &chip_link_parameters();
    const ParamSchema* star = &link_switch_parameters();
    auto own = [](const ParamDecl& d) { return d.key != "type" && d.key != "count" && d.key != "cost"; };
    for (const ParamDecl& d : ring->find("")->keys) {
      if (!own(d)) continue;
      const ParamDecl* other = star->find("", d.key);
      x.sections[0].keys.push_back(other ? d : only_when(d, "topology: ring"));
      if (other && other->description != d.description)
        x.sections[0].keys.back().description = "ring: " + d.description + "; switch: " + other->description;
    }
    for (const ParamDecl& d : star->find("")->keys)
      if (own(d) && !ring->find("", d.key)) x.sections[0].keys.push_back(only_when(d, "topology: switch"));
    for (const ParamSection& sec : star->sections)
      if (!sec.path.empty()) {
        x.sections.push_back(sec);
        for (ParamDecl& d : x.sections.back().keys) d = only_when(d, "topology: switch");
      }
    return x;
  }();
  return s;
}

const ParamSchemaRegistrar links_schema_registrar(&links_schema);

// `devices:` is one device's subsystem (configs/devices/) and the number of its copies; each module is then
// read through its own type's declarations, each connection through `connections`.
const ParamSchema& devices_schema() {
  static const ParamSchema s{
      "devices",
      "the devices of a multi-device system (`devices:`, configs/devices/): identical copies of one "
      "subsystem",
      {{"",
        "",
        {integer("count", "1", Bound::range(1, 1024),
                 "number of identical devices (more than 1 needs `links:`)"),
         section("modules", true, "the module instances of one device, as a system's `modules:`"),
         section_list("connections", true, "the connections of one device (explorer types connections)")}},
       {"modules",
        "",
        {section("<name>", true, "a module instance, its keys those of its type (explorer types TYPE)")}},
       {"modules.<name>",
        "the keys every instance holds beside its type's own",
        {text("type", kRequired, "implementation (explorer types lists them)"),
         integer("count", "1", Bound::range(1, 4096), "number of identical instances"),
         section("cost", false, "what one element costs (explorer types cost)")}},
       {"modules.<name>.cost", "read through the `cost` declarations (explorer types cost)", {}},
       {"connections[]", "read through the `connections` declarations", {}}}};
  return s;
}

const ParamSchemaRegistrar devices_schema_registrar(&devices_schema);

}  // namespace

void elaborate_devices(Params& root, System& sys, Wiring& wiring, const DriverConfig& driver_config) {
  if (!root.has("devices")) {
    elaborate_device(root, "", sys, wiring, driver_config);
    return;
  }
  if (root.has("modules") || root.has("connections"))
    root.fail(
        root.has("modules") ? "modules" : "connections",
        "a system has either `devices:` (each with its modules and connections) or `modules:` at the top");
  Params devices = root.required_child("devices", "the devices of the system, each the same subsystem");
  devices.bind(devices_schema());
  sys.device_list = true;
  const int count = devices.get<int>("count");
  if (count > 1 && !root.has("links"))
    devices.fail("count", cat(count, " devices need `links:` between them (a topology and a link preset)"));
  for (int d = 0; d < count; ++d) {
    // Each device reads the same keys; only the first records them in the resolved config.
    Params device = d == 0 ? devices : Params(devices.node(), devices.path(), nullptr);
    if (d > 0) device.claim("count");
    elaborate_device(device, count > 1 ? cat("dev", d, "_") : "", sys, wiring, driver_config);
    if (d > 0) device.finish();
  }
}

void elaborate_links(Params& root, System& sys, const DriverConfig& driver_config) {
  if (!root.has("links")) return;
  Params links = root.required_child("links", "the links between the devices");
  links.bind(links_schema());
  Topology::Kind kind = Topology::Kind::none;
  const std::string name = links.get<std::string>("topology");
  Topology::parse(name, kind);
  const Topology topology(kind, static_cast<uint32_t>(sys.devices.size()));
  const std::string type = kind == Topology::Kind::ring ? "chip_link" : "link_switch";
  const ComponentType* impl = Registry::instance().find(type);
  const uint32_t count = topology.links();
  SocketPort* driver_port = nullptr;
  for (auto& p : sys.driver->ports())
    if (p.name == "link") driver_port = &p;
  Params element = links;
  for (uint32_t k = 0; k < count; ++k) {
    if (k > 0) {
      element = Params(links.node(), links.path(), nullptr);
      element.claim("topology");
    }
    const ElabContext ctx{static_cast<int>(k), static_cast<int>(count), driver_config.quantum};
    const std::string sc_name = kind == Topology::Kind::switched ? "switch"
                                : count > 1                      ? cat("link_", k)
                                                                 : "link";
    auto component = impl->factory(sc_name, element, ctx);
    if (k > 0) element.finish();
    dynamic_cast<DeviceLink&>(*component).join(topology.joined(k));
    for (auto& p : component->ports())
      if (p.name == "target") driver_port->bind_to(*p.target), ++p.bound;
    ++driver_port->bound;
    sys.links.push_back(component.get());
    sys.components.push_back(std::move(component));
  }
  // One device has no links: the declared link keys stay unused (a sweep over the device count keeps its
  // config).
  if (count == 0)
    for (const std::string& key : links.keys())
      if (links_schema().find("", key)) links.claim(key);  // an unknown key stays an error
  sys.driver->set_topology(topology);
}

}  // namespace llmx
