#pragma once

#include "harness/monitor.hpp"

#include <string>

namespace harness {

/// `http:URL`: a blackbox_exporter-style endpoint (http:// or https://), judged by
/// probe_success and the series an expectation names (its series and the time of the answer
/// are kept in the observation); fetched with io::http::fetch, answers up to 1 MiB. It is asked for
/// its debug answer (which holds the same series), so that the summary says why; an endpoint that
/// refuses `debug=true` is asked again without it.
class http_monitor final : public monitor {
public:
    /// `url` with placeholders; each request is abandoned after `time_limit`. `credentials` are
    /// what the mailbox placeholders say.
    http_monitor(std::string url, std::chrono::milliseconds time_limit,
                 harness_credentials credentials = {})
        : url_(std::move(url))
        , time_limit_(time_limit)
        , credentials_(std::move(credentials))
    {
    }

    observation observe(const monitor_target& target) const override;

private:
    std::string url_;
    std::chrono::milliseconds time_limit_;
    harness_credentials credentials_;
};

} // namespace harness
