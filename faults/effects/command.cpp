// `do.command: apply|skip`: whether the command the rule answers takes effect (the sender is
// recorded, the message stored, TLS started, the session ended at QUIT). Without it the command
// takes effect when the normal reply is sent, or when what the rule sends starts with the same
// digit (see command_takes_effect in faults/action.hpp).
#include "faults/effect.hpp"
#include "faults/scenario.hpp"

#include <boost/json/string.hpp>

namespace faults::effects {
namespace {

class command_effect final : public effect_of<command_effect> {
public:
    static constexpr std::string_view name = "command";

    explicit command_effect(command_disposition disposition)
        : disposition_(disposition)
    {
    }

    static std::shared_ptr<const effect> read(const config::yaml_reader& in,
                                              const config::field& value)
    {
        static constexpr command_disposition values[] = {command_disposition::apply,
                                                         command_disposition::skip};
        return std::make_shared<command_effect>(values[in.choice(value, {"apply", "skip"})]);
    }

    boost::json::value to_json() const override
    {
        return boost::json::string(disposition_ == command_disposition::apply ? "apply" : "skip");
    }

    std::optional<rule_problem> check(const rule& r) const override
    {
        // Phases where the client has sent no command to apply or skip.
        for (auto p :
             {smtp::phase::connect, smtp::phase::tls, smtp::phase::banner, smtp::phase::body}) {
            if (r.when.has_phase(p)) {
                return rule_problem{"do.command",
                                    "command says what becomes of the client's command; there "
                                    "is none at phase " +
                                        std::string(smtp::to_string(p))};
            }
        }
        return std::nullopt;
    }

    void apply(action& a) const override { a.command = disposition_; }

    friend bool operator==(const command_effect&, const command_effect&) = default;

private:
    command_disposition disposition_;
};

} // namespace

extern const effect_type command;
const effect_type command{command_effect::name, &command_effect::read};

} // namespace faults::effects
