#pragma once

#include "prober/probe_result.hpp"

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace prober {

/// The output formats of `--format`.
enum class report_format {
    text,       ///< for people; with `verbose`, an annotated transcript with timings
    nagios,     ///< one status line with perfdata (Nagios plugin guidelines)
    json,       ///< one JSON object per target (schema smtp-harness/probe-result/v1)
    prometheus, ///< one exposition with a target label (blackbox_exporter names)
};

/// The format with this name ("text", "nagios", "json", "prometheus"), if any.
std::optional<report_format> parse_report_format(std::string_view name) noexcept;

/// The JSON schema name of a probe result.
inline constexpr std::string_view probe_result_schema = "smtp-harness/probe-result/v1";

/// A person's report of one result, ending with a newline; `verbose` adds the transcript.
std::string format_text(const probe_result& r, bool verbose);

/// The Nagios status line with perfdata, ending with a newline, e.g.
/// "SMTP CRITICAL - timeout at banner: no reply within 3.000s, received nothing | time=...".
std::string format_nagios(const probe_result& r);

/// The JSON object of a result (schema smtp-harness/probe-result/v1), for embedding in other
/// documents such as watch's status: format_json's text, read back.
boost::json::object to_json(const probe_result& r);

/// One JSON object on one line (no newline), schema smtp-harness/probe-result/v1.
std::string format_json(const probe_result& r);

/// Appends format_json(r) to `out`, written directly as text (a fleet writes thousands).
void append_json(std::string& out, const probe_result& r);

/// One Prometheus text exposition for all results, each series labelled with its target.
std::string format_prometheus(const std::vector<probe_result>& results);

/// Whether the SMTP service worked, as `probe_success` says: slowness and certificate expiry
/// have their own series, as with blackbox_exporter, and do not fail the probe.
bool probe_succeeded(const probe_result& r);

/// The exposition of one result without a target label, as the exporter's /probe answers it
/// (Prometheus labels the series with the scrape's `instance`).
std::string format_probe_metrics(const probe_result& result);

/// All results in a format, as the program prints them: text blocks, Nagios lines, JSON lines,
/// or one exposition.
std::string format_results(const std::vector<probe_result>& results, report_format format,
                           bool verbose);

/// The rank of a status for aggregates, higher is worse: OK 0, UNKNOWN 1, WARNING 2, CRITICAL 3.
int severity_rank(probe_status s) noexcept;

/// The worst status among results (the exit code for several targets).
probe_status worst_status(const std::vector<probe_result>& results) noexcept;

} // namespace prober
