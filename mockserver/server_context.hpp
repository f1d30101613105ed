#pragma once

#include "mockserver/fault_source.hpp"
#include "mockserver/message_store.hpp"
#include "mockserver/session_config.hpp"
#include "mockserver/session_registry.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>

namespace mock {

class tls_contexts;

/// Counters of the server as a whole, for /api/v1/stats and /metrics.
struct server_counters {
    std::atomic<std::uint64_t> connections_accepted{0}; ///< every accepted connection
    std::atomic<std::uint64_t> connections_refused{0};  ///< turned away over --max-connections
                                                        ///< (counted when they end)
    std::atomic<std::uint64_t> connections_active{0};   ///< open now
    std::atomic<std::uint64_t> bytes_received{0};       ///< octets read from clients
    std::atomic<std::uint64_t> bytes_sent{0};           ///< octets written to clients
};

/// What every session of a server shares; owned by the server, outlives every session.
struct server_context {
    session_config config;                 ///< identity, limits, capabilities
    message_store* store = nullptr;        ///< where accepted messages go
    session_registry* registry = nullptr;  ///< where session records go
    tls_contexts* tls = nullptr;           ///< SSL contexts; null when TLS is off
    fault_source* faults = nullptr;        ///< the fault engine; null for a healthy server
    server_counters counters;              ///< live counters
};

} // namespace mock
