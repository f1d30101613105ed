#include "harness/verdict.hpp"

#include <algorithm>
#include <array>

namespace harness {

namespace {

constexpr std::array<std::string_view, 7> names{
    "caught", "missed", "misreported", "false_alarm", "passed", "no_contact", "error"};

template <typename T>
bool mismatch(const std::optional<T>& expected, const std::optional<T>& observed)
{
    return expected && observed && *expected != *observed;
}

} // namespace

std::string_view to_string(verdict v) noexcept
{
    return names[static_cast<std::size_t>(v)];
}

std::optional<verdict> parse_verdict(std::string_view name) noexcept
{
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (name == names[i]) {
            return static_cast<verdict>(i);
        }
    }
    return std::nullopt;
}

bool is_healthy_name(std::string_view scenario_name) noexcept
{
    return scenario_name == "healthy" || scenario_name.rfind("healthy-", 0) == 0;
}

verdict judge(const observation& observed, const expected_outcome& expected,
              const judgement_context& context)
{
    // UNKNOWN is a status like the others: Nagios alerts on it, and an expectation may name it.
    if (!observed.status) {
        return verdict::error;
    }
    if (context.contact_checked && !context.contacted) {
        return verdict::no_contact;
    }
    const auto status = *observed.status;
    // Named series are part of the report, like kind and phase: all must hold (see verdict.hpp).
    const bool series_named = !expected.series.empty();
    const bool series_hold =
        all_hold(read_series(expected.series, observed.series, observed.observed_at));
    // A scenario whose only acceptable status is OK is healthy for this monitor (e.g. EHLO
    // refused with a working HELO fallback): an alert there is a false alarm. Not when series
    // are named: they are how this monitor reports the fault.
    const bool expects_only_ok =
        expected.statuses.size() == 1 && expected.statuses.front() == monitor_status::ok;
    if (context.healthy || (expects_only_ok && !series_named)) {
        if (status != monitor_status::ok) {
            return verdict::false_alarm;
        }
        return series_hold ? verdict::passed : verdict::misreported;
    }
    const auto& accepted = expected.statuses;
    const bool status_expected =
        std::find(accepted.begin(), accepted.end(), status) != accepted.end();
    if (status == monitor_status::ok && !status_expected) {
        return verdict::missed;
    }
    if (!status_expected || mismatch(expected.kind, observed.kind) ||
        mismatch(expected.phase, observed.phase) || !series_hold) {
        return verdict::misreported;
    }
    return status == monitor_status::ok && !series_named ? verdict::passed : verdict::caught;
}

} // namespace harness
