#include "harness/series_check.hpp"

#include "config/duration.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fmt/format.h>

namespace harness {

namespace {

constexpr std::array<std::string_view, 6> symbols{"<", "<=", ">", ">=", "==", "!="};
constexpr std::array<std::string_view, 6> words{"lt", "le", "gt", "ge", "eq", "ne"};
constexpr double seconds_per_day = 86400;

bool compare(double value, series_op op, double bound) noexcept
{
    switch (op) {
    case series_op::lt:
        return value < bound;
    case series_op::le:
        return value <= bound;
    case series_op::gt:
        return value > bound;
    case series_op::ge:
        return value >= bound;
    case series_op::eq:
        return value == bound;
    case series_op::ne:
        return value != bound && !std::isnan(value);
    }
    return false;
}

bool has_labels(const prometheus_text::sample& s, const prometheus_text::label_set& wanted)
{
    return std::all_of(wanted.begin(), wanted.end(), [&](const auto& label) {
        return std::find(s.labels.begin(), s.labels.end(), label) != s.labels.end();
    });
}

std::string series_name(std::string_view name, const prometheus_text::label_set& labels)
{
    std::string out(name);
    if (labels.empty()) {
        return out;
    }
    out += '{';
    for (std::size_t i = 0; i < labels.size(); ++i) {
        out += fmt::format("{}{}=\"{}\"", i == 0 ? "" : ",", labels[i].first,
                           prometheus_text::label_value(labels[i].second));
    }
    return out + '}';
}

// "now", "now+30d", "now-90m": the bound of a condition from now.
std::string bound_from_now(double seconds)
{
    if (seconds == 0) {
        return "now";
    }
    const auto sign = seconds < 0 ? "-" : "+";
    const auto magnitude = std::fabs(seconds);
    if (std::fmod(magnitude, seconds_per_day) == 0) {
        return fmt::format("now{}{}d", sign, magnitude / seconds_per_day);
    }
    return fmt::format("now{}{}", sign,
                       config::format_duration(std::chrono::milliseconds(
                           static_cast<std::int64_t>(std::llround(magnitude * 1000)))));
}

// "in 9.9 days", "3.0 days ago", "in 2.5 h": a timestamp against the time of the check.
std::string relative(double timestamp, std::chrono::system_clock::time_point at)
{
    const auto now = std::chrono::duration<double>(at.time_since_epoch()).count();
    const auto delta = timestamp - now;
    const auto magnitude = std::fabs(delta);
    const auto amount = magnitude >= seconds_per_day
                            ? fmt::format("{:.1f} days", magnitude / seconds_per_day)
                            : fmt::format("{:.1f} h", magnitude / 3600);
    return delta < 0 ? amount + " ago" : "in " + amount;
}

} // namespace

std::string_view to_string(series_op op) noexcept
{
    return symbols[static_cast<std::size_t>(op)];
}

std::optional<series_op> parse_series_op(std::string_view name) noexcept
{
    for (std::size_t i = 0; i < symbols.size(); ++i) {
        if (name == symbols[i] || name == words[i]) {
            return static_cast<series_op>(i);
        }
    }
    return std::nullopt;
}

std::string describe(const series_condition& c)
{
    return fmt::format("{} {} {}", series_name(c.name, c.labels), to_string(c.op),
                       c.from_now ? bound_from_now(c.bound) : fmt::format("{}", c.bound));
}

series_reading read_series(const series_condition& c,
                           const std::vector<prometheus_text::sample>& samples,
                           std::chrono::system_clock::time_point at)
{
    series_reading r;
    r.condition = c;
    r.at = at;
    const auto bound = c.from_now
                           ? std::chrono::duration<double>(at.time_since_epoch()).count() + c.bound
                           : c.bound;
    r.holds = true;
    for (const auto& s : samples) {
        if (s.name != c.name || !has_labels(s, c.labels)) {
            continue;
        }
        const auto value = prometheus_text::sample_value(s.value);
        r.holds = r.holds && value && compare(*value, c.op, bound);
        r.found.push_back(s);
    }
    r.holds = r.holds && !r.found.empty();
    return r;
}

std::vector<series_reading> read_series(const std::vector<series_condition>& conditions,
                                        const std::vector<prometheus_text::sample>& samples,
                                        std::chrono::system_clock::time_point at)
{
    std::vector<series_reading> out;
    out.reserve(conditions.size());
    for (const auto& c : conditions) {
        out.push_back(read_series(c, samples, at));
    }
    return out;
}

bool all_hold(const std::vector<series_reading>& readings) noexcept
{
    return std::all_of(readings.begin(), readings.end(),
                       [](const series_reading& r) { return r.holds; });
}

std::string describe(const series_reading& r)
{
    const auto& c = r.condition;
    const auto expected =
        fmt::format("expected {} {}", to_string(c.op),
                    c.from_now ? bound_from_now(c.bound) : fmt::format("{}", c.bound));
    const auto verdict = r.holds ? "holds" : "fails";
    if (r.found.empty()) {
        return fmt::format("{} absent ({}): {}", series_name(c.name, c.labels), expected, verdict);
    }
    std::string values;
    for (const auto& s : r.found) {
        values += fmt::format("{}{} {}", values.empty() ? "" : ", ", series_name(s.name, s.labels),
                              s.value);
        const auto value = prometheus_text::sample_value(s.value);
        if (c.from_now && value && std::isfinite(*value)) {
            values += fmt::format(" ({})", relative(*value, r.at));
        }
    }
    return fmt::format("{} ({}): {}", values, expected, verdict);
}

} // namespace harness
