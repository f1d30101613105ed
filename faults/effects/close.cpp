// `do.close: fin` or `do.close: rst`: close the connection, gracefully or with a reset.
#include "faults/effect.hpp"
#include "faults/scenario.hpp"

#include <boost/json/string.hpp>

namespace faults::effects {
namespace {

class close_effect final : public effect_of<close_effect> {
public:
    static constexpr std::string_view name = "close";

    explicit close_effect(ending how)
        : how_(how)
    {
    }

    static std::shared_ptr<const effect> read(const config::yaml_reader& in,
                                              const config::field& value)
    {
        static constexpr ending endings[] = {ending::close_fin, ending::close_rst};
        return std::make_shared<close_effect>(endings[in.choice(value, {"fin", "rst"})]);
    }

    boost::json::value to_json() const override
    {
        return boost::json::string(how_ == ending::close_rst ? "rst" : "fin");
    }

    std::optional<rule_problem> check(const rule& r) const override
    {
        if (r.effects.has("hang")) {
            return rule_problem{"do.close", "hang and close are exclusive: the connection "
                                            "either stays open or is closed"};
        }
        return std::nullopt;
    }

    void apply(action& a) const override { a.end = how_; }

    friend bool operator==(const close_effect&, const close_effect&) = default;

private:
    ending how_;
};

} // namespace

extern const effect_type close;
const effect_type close{close_effect::name, &close_effect::read};

} // namespace faults::effects
