// `do.trickle: 10B/s`: send what is sent at this many bytes per second, in slices.
#include "faults/effect.hpp"
#include "faults/limits.hpp"

#include <charconv>
#include <cmath>

namespace faults::effects {
namespace {

// "10", "10B/s", "2.5kB/s" (also KB/s), "1MB/s", "1GB/s": bytes per second. Decimal numbers
// only; nothing for anything else (inf and nan included).
std::optional<double> parse_rate(std::string_view text)
{
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end == text.data() || !std::isfinite(value)) {
        return std::nullopt;
    }
    const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
    if (unit.empty() || unit == "B/s") {
        return value;
    }
    if (unit == "kB/s" || unit == "KB/s") {
        return value * 1e3;
    }
    if (unit == "MB/s") {
        return value * 1e6;
    }
    if (unit == "GB/s") {
        return value * 1e9;
    }
    return std::nullopt;
}

class trickle_effect final : public effect_of<trickle_effect> {
public:
    static constexpr std::string_view name = "trickle";

    explicit trickle_effect(double bytes_per_second)
        : pace_(pace::at(bytes_per_second))
    {
    }

    static std::shared_ptr<const effect> read(const config::yaml_reader& in,
                                              const config::field& value)
    {
        const auto text = in.scalar(value);
        const auto rate = parse_rate(text);
        if (!rate) {
            in.fail(value, "bad rate '" + text +
                               "'; expected bytes per second, e.g. 10, '10B/s', '2kB/s' or "
                               "'1MB/s'");
        }
        if (!(*rate >= limits::min_trickle_rate && *rate <= limits::max_trickle_rate)) {
            in.fail(value, "trickle must be from 1 B/s to 1 GB/s, got '" + text + "'");
        }
        return std::make_shared<trickle_effect>(*rate);
    }

    boost::json::value to_json() const override { return pace_.bytes_per_second; }

    void apply(action& a) const override { a.trickle = pace_; }

    friend bool operator==(const trickle_effect&, const trickle_effect&) = default;

private:
    pace pace_;
};

} // namespace

extern const effect_type trickle;
const effect_type trickle{trickle_effect::name, &trickle_effect::read};

} // namespace faults::effects
