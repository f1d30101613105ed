// `do.expires: 30s`: the rule stops firing this long after it was put in force: after its
// scenario was loaded, or, for a rule added to a running mock (POST /api/v1/rules), after it
// was added. A fault a test forgot to remove cannot break the tests that come after it. (To
// expire after N firings, use `when.times: N`.)
#include "faults/effect.hpp"
#include "faults/scenario.hpp"

#include <boost/json/string.hpp>

namespace faults::effects {
namespace {

class expires_effect final : public effect_of<expires_effect> {
public:
    static constexpr std::string_view name = "expires";

    explicit expires_effect(std::chrono::milliseconds after)
        : after_(after)
    {
    }

    static std::shared_ptr<const effect> read(const config::yaml_reader& in,
                                              const config::field& value)
    {
        return std::make_shared<expires_effect>(in.duration(value));
    }

    boost::json::value to_json() const override
    {
        return boost::json::string(config::format_duration(after_));
    }

    std::optional<rule_problem> check(const rule& r) const override
    {
        if (r.effects.items().size() == 1) {
            return rule_problem{"do.expires", "expires only ends the rule; add what it does "
                                              "until then (e.g. reply: \"451 4.3.0 ...\")"};
        }
        return std::nullopt;
    }

    void apply(action&) const override {}

    bool admits(const effect_context& c, effect_state*) const override
    {
        return c.since_added < after_;
    }

    friend bool operator==(const expires_effect&, const expires_effect&) = default;

private:
    std::chrono::milliseconds after_;
};

} // namespace

extern const effect_type expires;
const effect_type expires{expires_effect::name, &expires_effect::read};

} // namespace faults::effects
