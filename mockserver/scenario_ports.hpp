#pragma once

// --scenario-ports BASE: a listener per scenario, each serving its scenario's faults to whoever
// connects, so that a monitor that cannot call the control API (check_smtp, Uptime Kuma, Gatus)
// is pointed at a failure by its port alone: port BASE+k serves scenario k.

#include "faults/controller.hpp"
#include "mockserver/control/controller_fault_source.hpp"
#include "mockserver/server.hpp"
#include "mockserver/server_options.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mock {

/// The scenarios of the scenario listeners and their fixed faults.
class scenario_ports {
public:
    /// Loads the scenarios `options.port_scenarios` names (catalog names or scenario files, in
    /// that order), or the whole compiled-in catalog sorted by name when it names none; nothing
    /// when `options.scenario_ports` is unset. Throws std::runtime_error naming the option and
    /// the scenario at fault (unknown name, invalid file, duplicate, ports beyond 65535).
    scenario_ports(const server_options& options, std::uint64_t seed);
    ~scenario_ports();
    scenario_ports(const scenario_ports&) = delete;
    scenario_ports& operator=(const scenario_ports&) = delete;

    /// Adds a listener per scenario to `smtp` (before its start), on the address of the first
    /// --listen and port BASE+k (ephemeral ports when BASE is 0). `smtp` must not outlive this.
    void add_listeners(server& smtp) const;

    /// Whether there are any.
    bool empty() const noexcept { return ports_.empty(); }

    /// For the ready line: {"NAME": "ADDR:PORT", ...} in port order (after the server started).
    boost::json::object ready_json(const server& smtp) const;

    /// For GET /api/v1/ports: [{"scenario", "address", "port", "listener", "summary"}, ...].
    boost::json::array ports_json(const server& smtp) const;

private:
    struct port;
    std::string address_;
    std::uint16_t base_ = 0;
    std::vector<std::unique_ptr<port>> ports_;
};

} // namespace mock
