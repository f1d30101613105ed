// `do.address_faults: true` with phase mail and/or rcpt: the local part of the sender (MAIL)
// or recipient (RCPT) picks the fault, e.g. RCPT TO:<fail-550-5.1.1@example.com> (grammar in
// faults/address_fault.hpp). An ordinary address leaves the rule unfired.
#include "faults/address_fault.hpp"
#include "faults/effects/memory.hpp"
#include "smtp/command.hpp"

#include <algorithm>

namespace faults::effects {
namespace {

// The local part of the address the command at `at` carries; nothing when it has none.
std::optional<std::string> local_part(const decision_point& at)
{
    auto path = at.phase == smtp::phase::mail ? smtp::parse_mail_argument(at.argument)
                                              : smtp::parse_rcpt_argument(at.argument);
    if (!path) {
        return std::nullopt;
    }
    const auto at_sign = path->mailbox.rfind('@');
    if (at_sign == std::string::npos) {
        return std::nullopt;
    }
    return path->mailbox.substr(0, at_sign);
}

std::optional<action> decoded(const decision_point& at)
{
    if (at.phase != smtp::phase::mail && at.phase != smtp::phase::rcpt) {
        return std::nullopt;
    }
    auto local = local_part(at);
    return local ? decode_address_fault(*local) : std::nullopt;
}

class address_faults_effect final : public effect_of<address_faults_effect> {
public:
    static constexpr std::string_view name = "address_faults";

    static std::shared_ptr<const effect> read(const config::yaml_reader& in,
                                              const config::field& value)
    {
        // `address_faults: false` asks for nothing.
        return in.boolean(value) ? std::make_shared<address_faults_effect>() : nullptr;
    }

    boost::json::value to_json() const override { return true; }

    std::optional<rule_problem> check(const rule& r) const override
    {
        const auto& phases = r.when.phases;
        const bool only_addresses =
            !phases.empty() && std::all_of(phases.begin(), phases.end(), [](smtp::phase p) {
                return p == smtp::phase::mail || p == smtp::phase::rcpt;
            });
        if (!only_addresses) {
            return rule_problem{"do.address_faults",
                                "the address picks the fault at MAIL or RCPT: the rule needs "
                                "when: {phase: [mail, rcpt]} (or one of them)"};
        }
        for (const auto& e : r.effects.items()) {
            if (e->key() != name && !only_decides(e->key())) {
                return rule_problem{"do.address_faults", "the address says what to do; " +
                                                             std::string(e->key()) +
                                                             " would contradict it"};
            }
        }
        return std::nullopt;
    }

    void apply(action&) const override {}

    void apply_at(action& a, const effect_context& c) const override
    {
        if (auto from_address = decoded(c.at)) {
            a.delay = from_address->delay;
            a.send = from_address->send;
            a.end = from_address->end;
        }
    }

    bool admits(const effect_context& c, effect_state*) const override
    {
        return decoded(c.at).has_value();
    }

    friend bool operator==(const address_faults_effect&, const address_faults_effect&) = default;
};

} // namespace

extern const effect_type address_faults;
const effect_type address_faults{address_faults_effect::name, &address_faults_effect::read};

} // namespace faults::effects
