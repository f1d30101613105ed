#pragma once

#include "harness/monitor.hpp"
#include "io/http_client.hpp"

#include <optional>
#include <string_view>

namespace harness {

/// The value of `probe_success` in a Prometheus text exposition (blackbox_exporter's /probe
/// answer): true for 1, false for 0, nothing when the series is absent or not a number.
std::optional<bool> parse_probe_success(std::string_view exposition) noexcept;

/// What an HTTP answer says, as an observation: 200 with probe_success 1 is OK, 200 with
/// probe_success 0 is CRITICAL, anything else (no answer, another status) is an error. Pure.
observation to_observation(const io::http::client_response& r);

/// `http:URL`: a blackbox_exporter-style endpoint (http:// or https://), judged by
/// probe_success; fetched with io::http::fetch, answers up to 1 MiB.
class http_monitor final : public monitor {
public:
    /// `url` with placeholders; each request is abandoned after `time_limit`.
    http_monitor(std::string url, std::chrono::milliseconds time_limit)
        : url_(std::move(url))
        , time_limit_(time_limit)
    {
    }

    observation observe(const monitor_target& target) const override;

private:
    std::string url_;
    std::chrono::milliseconds time_limit_;
};

} // namespace harness
