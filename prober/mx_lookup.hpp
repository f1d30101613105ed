#pragma once

// I/O file: the route of --mx, mx_route driven over the project's one resolver
// (io/dns_resolver.hpp). It decides nothing: the state machine says what to ask, the resolver's
// outcome goes back to it as it came.

#include "prober/mx_route.hpp"
#include "prober/probe_options.hpp"

#include <boost/asio/awaitable.hpp>
#include <chrono>

namespace prober {

/// The route of mail for the domain `o.host`: its MX host and address of `o.family`, asking
/// `o.dns_server` (or the system's resolver), each lookup ending by `deadline`.
boost::asio::awaitable<mx_outcome> find_mail_route(const probe_options& o,
                                                   std::chrono::steady_clock::time_point deadline);

} // namespace prober
