#pragma once

#include "harness/monitor.hpp"

#include <optional>
#include <string_view>

namespace harness {

/// The value of `probe_success` in a Prometheus text exposition (blackbox_exporter's /probe
/// answer): true for 1, false for 0, nothing when the series is absent or not a number.
std::optional<bool> parse_probe_success(std::string_view exposition) noexcept;

/// An HTTP GET's result.
struct http_response {
    /// The status code, or 0 when no response came.
    int status = 0;
    /// The body, at most 1 MiB.
    std::string body;
    /// Why there is no response (connect failed, time limit, malformed URL, ...).
    std::string error;
};

/// GETs an http:// URL within `time_limit` (HTTP/1.1, one connection, no redirects).
http_response http_get(std::string_view url, std::chrono::milliseconds time_limit);

/// What an HTTP answer says, as an observation: 200 with probe_success 1 is OK, 200 with
/// probe_success 0 is CRITICAL, anything else is an error. Pure.
observation to_observation(const http_response& r);

/// `http:URL`: a blackbox_exporter-style endpoint, judged by probe_success.
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
