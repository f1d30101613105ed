// `do.rate_limit: {max: 3, per: 60s}`: a sliding-window limit per client address. Each time
// the rule applies (a connection at phase connect or banner, a message at data_end, ...) is one
// event; the rule fires (its reply refuses, e.g. 421 or 451) when the client already had `max`
// accepted events within the last `per`. Refused events do not count, so the client gets
// through again as soon as its oldest accepted event leaves the window.
#include "faults/effects/memory.hpp"

#include <deque>

namespace faults::effects {
namespace {

using std::chrono::milliseconds;

// The largest `max`: each accepted event within the window is remembered.
constexpr std::uint64_t max_events = 10000;

struct window_entry {
    milliseconds last_seen{0};
    std::deque<milliseconds> accepted; // times of the accepted events within the window
    std::uint64_t limited = 0;         // events refused
};

boost::json::object show(const std::string& client, const window_entry& e)
{
    boost::json::object o;
    o["client"] = client;
    o["in_window"] = e.accepted.size();
    o["limited"] = e.limited;
    return o;
}

using clients = memory<std::string, window_entry>;

class rate_limit_effect final : public effect_of<rate_limit_effect> {
public:
    static constexpr std::string_view name = "rate_limit";

    rate_limit_effect(std::uint64_t max, milliseconds per)
        : max_(max)
        , per_(per)
    {
    }

    static std::shared_ptr<const effect> read(const config::yaml_reader& in,
                                              const config::field& value)
    {
        auto entries = in.map(value, {"max", "per"});
        const auto max = entries.find("max");
        const auto per = entries.find("per");
        if (max == entries.end() || per == entries.end()) {
            in.fail(value, "rate_limit needs max (events) and per (the window, e.g. 60s)");
        }
        const auto n = in.count(max->second, max_events);
        const auto window = in.duration(per->second);
        if (window.count() == 0) {
            in.fail(per->second, "per: 0ms is no window; give a duration such as 60s");
        }
        return std::make_shared<rate_limit_effect>(n, window);
    }

    boost::json::value to_json() const override
    {
        boost::json::object o;
        o["max"] = max_;
        o["per"] = config::format_duration(per_);
        return o;
    }

    std::optional<rule_problem> check(const rule& r) const override
    {
        return needs_company(r, name);
    }

    void apply(action&) const override {}

    std::unique_ptr<effect_state> make_state() const override
    {
        return std::make_unique<clients>(&show);
    }

    bool admits(const effect_context& c, effect_state* state) const override
    {
        const auto now = c.since_load;
        return static_cast<clients*>(state)->update(
            client_key(c.connection), now, [&](window_entry& e) {
                while (!e.accepted.empty() && now - e.accepted.front() >= per_) {
                    e.accepted.pop_front();
                }
                if (e.accepted.size() < max_) {
                    e.accepted.push_back(now);
                    return false;
                }
                ++e.limited;
                return true;
            });
    }

    friend bool operator==(const rate_limit_effect&, const rate_limit_effect&) = default;

private:
    std::uint64_t max_;
    milliseconds per_;
};

} // namespace

extern const effect_type rate_limit;
const effect_type rate_limit{rate_limit_effect::name, &rate_limit_effect::read};

} // namespace faults::effects
