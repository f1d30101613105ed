#pragma once

// --scenario-ports BASE: a listener per scenario, each serving its scenario's faults to whoever
// connects, so that a monitor that cannot call the control API (check_smtp, Uptime Kuma, Gatus)
// is pointed at a failure by its port alone: port BASE+k serves scenario k. Or
// --scenario-ports-file FILE, a map of port to scenario:
//
//   2601: banner-missing              # a catalog name
//   2602: scenarios/my-fault.yaml     # a scenario file, relative to this file's folder
//   0: [rcpt-550-unknown-user, ehlo-switches]   # ephemeral ports (the ready line says which)

#include "faults/controller.hpp"
#include "mockserver/control/controller_fault_source.hpp"
#include "mockserver/server.hpp"
#include "mockserver/server_options.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mock {

/// One port of a --scenario-ports-file.
struct port_assignment {
    std::uint16_t port = 0; ///< 0: an ephemeral port
    std::string scenario;   ///< a catalog name or a scenario file, as written
    std::string where;      ///< "FILE:LINE:COLUMN" of the scenario, for errors about it
};

/// Reads a --scenario-ports-file's text: a map whose keys are ports (0 to 65535) and whose
/// values are a catalog name or scenario file, or for port 0 a list of them (each gets an
/// ephemeral port). Entries in file order. Throws config::error with `source`, line, column and
/// the key at fault (not a port, a port twice, a list for a fixed port, no scenario, no ports).
std::vector<port_assignment> parse_port_map(std::string_view text, const std::string& source);

/// The scenarios of the scenario listeners and their fixed faults.
class scenario_ports {
public:
    /// Loads the scenarios `options.port_scenarios` names (catalog names or scenario files, in
    /// that order), or the whole compiled-in catalog sorted by name when it names none; or
    /// those of `options.scenario_ports_file`; nothing when neither option is set. Throws
    /// std::runtime_error naming the option (or file, line and column) and the scenario at
    /// fault (unknown name, invalid file, duplicate, ports beyond 65535).
    scenario_ports(const server_options& options, std::uint64_t seed);
    ~scenario_ports();
    scenario_ports(const scenario_ports&) = delete;
    scenario_ports& operator=(const scenario_ports&) = delete;

    /// Adds a listener per scenario to `smtp` (before its start), on the address of the first
    /// --listen and its port (BASE+k, or the file's; 0: ephemeral). `smtp` must not outlive
    /// this.
    void add_listeners(server& smtp) const;

    /// Whether there are any.
    bool empty() const noexcept { return ports_.empty(); }

    /// For the ready line: {"NAME": "ADDR:PORT", ...} in port order, or the file's order (after
    /// the server started).
    boost::json::object ready_json(const server& smtp) const;

    /// For GET /api/v1/ports: [{"scenario", "address", "port", "listener", "summary"}, ...].
    boost::json::array ports_json(const server& smtp) const;

private:
    struct port;
    void add(faults::scenario s, std::uint16_t number, const std::string& where,
             std::uint64_t seed);
    std::string address_;
    std::vector<std::unique_ptr<port>> ports_;
};

} // namespace mock
