#pragma once

#include "harness/builtin_options.hpp"
#include "harness/monitor.hpp"

namespace harness {

/// Our probe, run in process with the mode each scenario needs.
class builtin_monitor final : public monitor {
public:
    explicit builtin_monitor(harness_credentials credentials)
        : credentials_(std::move(credentials))
    {
    }

    observation observe(const monitor_target& target) const override;
    bool names_kinds() const noexcept override { return true; }

private:
    harness_credentials credentials_;
};

} // namespace harness
