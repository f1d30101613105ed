#pragma once

#include "prober/probe_options.hpp"
#include "prober/probe_result.hpp"
#include "smtp/failure_kind.hpp"
#include "smtp/reply.hpp"

#include <chrono>
#include <string>

namespace prober {

/// The failure kind of a reply the step did not accept: `blocklisted` when a 4xx/5xx text names
/// a DNS blocklist, else `temp_failure` (4xx), `perm_failure` (5xx) or `unexpected_reply`.
smtp::failure_kind classify_reply(const smtp::reply& r);

/// The Nagios status of a failure: failures at QUIT are WARNING, `slow` and
/// `cert_expiring` carry their own level in `critical_level`, 4xx are WARNING with
/// `temp_failure_warning`, everything else is CRITICAL.
probe_status status_of(const probe_failure& f, const probe_options& options, bool critical_level);

/// Seconds with millisecond precision, e.g. "3.000s".
std::string format_seconds(std::chrono::microseconds d);


} // namespace prober
