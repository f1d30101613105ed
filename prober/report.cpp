#include "prober/report.hpp"

namespace prober {

std::optional<report_format> parse_report_format(std::string_view name) noexcept
{
    if (name == "text") {
        return report_format::text;
    }
    if (name == "nagios") {
        return report_format::nagios;
    }
    if (name == "json") {
        return report_format::json;
    }
    if (name == "prometheus") {
        return report_format::prometheus;
    }
    return std::nullopt;
}

std::string format_results(const std::vector<probe_result>& results, report_format format,
                           bool verbose)
{
    std::string out;
    switch (format) {
    case report_format::text:
        for (std::size_t i = 0; i < results.size(); ++i) {
            if (i > 0) {
                out += '\n';
            }
            out += format_text(results[i], verbose);
        }
        break;
    case report_format::nagios:
        for (const auto& r : results) {
            out += format_nagios(r);
        }
        break;
    case report_format::json:
        for (const auto& r : results) {
            append_json(out, r);
            out += '\n';
        }
        break;
    case report_format::prometheus:
        out = format_prometheus(results);
        break;
    }
    return out;
}

int severity_rank(probe_status s) noexcept
{
    // Nagios order of severity: CRITICAL > WARNING > UNKNOWN > OK for an aggregate.
    switch (s) {
    case probe_status::ok:
        return 0;
    case probe_status::unknown:
        return 1;
    case probe_status::warning:
        return 2;
    case probe_status::critical:
        return 3;
    }
    return 1;
}

probe_status worst_status(const std::vector<probe_result>& results) noexcept
{
    probe_status worst = probe_status::ok;
    for (const auto& r : results) {
        if (severity_rank(r.status) > severity_rank(worst)) {
            worst = r.status;
        }
    }
    return worst;
}

} // namespace prober
