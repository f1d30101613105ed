#include "harness/http_monitor.hpp"

#include <charconv>
#include <cstdlib>

namespace harness {

std::optional<bool> parse_probe_success(std::string_view exposition) noexcept
{
    constexpr std::string_view metric = "probe_success";
    while (!exposition.empty()) {
        const auto eol = exposition.find('\n');
        auto line = exposition.substr(0, eol);
        exposition =
            eol == std::string_view::npos ? std::string_view{} : exposition.substr(eol + 1);
        if (line.rfind(metric, 0) != 0) {
            continue;
        }
        line.remove_prefix(metric.size());
        // The exposition format allows labels: probe_success{...} 1
        if (!line.empty() && line.front() == '{') {
            const auto close = line.find('}');
            if (close == std::string_view::npos) {
                return std::nullopt;
            }
            line.remove_prefix(close + 1);
        }
        if (line.empty() || (line.front() != ' ' && line.front() != '\t')) {
            continue; // another metric whose name starts the same, e.g. probe_success_total
        }
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
            line.remove_prefix(1);
        }
        const auto value = line.substr(0, line.find_first_of(" \t\r"));
        double v = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
        if (ec != std::errc() || end != value.data() + value.size()) {
            return std::nullopt;
        }
        return v == 1.0;
    }
    return std::nullopt;
}

observation to_observation(const io::http::client_response& r)
{
    observation o;
    o.output = r.body;
    if (r.ec || !r.error.empty()) {
        o.error = r.error;
        return o;
    }
    if (r.status != 200) {
        o.error = "HTTP status " + std::to_string(r.status);
        o.summary = o.error;
        return o;
    }
    const auto success = parse_probe_success(r.body);
    if (!success) {
        o.error = "the answer has no probe_success series";
        return o;
    }
    o.status = *success ? monitor_status::ok : monitor_status::critical;
    o.summary = *success ? "probe_success 1" : "probe_success 0";
    return o;
}

observation http_monitor::observe(const monitor_target& target) const
{
    const auto start = std::chrono::steady_clock::now();
    observation o;
    try {
        const auto url = substitute(url_, target_values(target));
        io::http::client_request request;
        request.url = url;
        request.timeout = time_limit_;
        request.response_limit = 1024 * 1024;
        o = to_observation(io::http::fetch(std::move(request)));
    } catch (const std::exception& e) {
        o.error = e.what();
    }
    o.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    return o;
}

} // namespace harness
