#pragma once

// The fault engine's decisions for the mock's DNS server: each query is a decision point of
// phase dns (command: the query type, argument: the name asked, client: the sender), and the
// action the rules give is turned into dns::fault_decisions for the responder. No I/O.
//
//   dns_server dns("--dns", addr, responder, dns_fault_source(controller, own_addresses));

#include "dns/responder.hpp"
#include "faults/action.hpp"

#include <vector>

namespace faults {
class controller;
}

namespace mock {

/// The decisions for one query from `a`, an action of the fault engine at phase dns: its delay,
/// hang (no answer) and `dns` fault; a listing lists each of `own_addresses` (where the mock's
/// SMTP listeners are) on every blocklist zone.
dns::fault_decisions to_fault_decisions(const faults::action& a,
                                        const std::vector<dns::ip_address>& own_addresses);

/// A fault source that asks `c` for each query. `c` outlives the source.
dns::fault_source dns_fault_source(faults::controller& c,
                                   std::vector<dns::ip_address> own_addresses);

} // namespace mock
