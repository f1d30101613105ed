// `do.after_bytes: 64` with phase body: the hang or close happens after this many octets of
// message content, in the middle of the body.
#include "faults/effect.hpp"
#include "faults/scenario.hpp"

namespace faults::effects {
namespace {

class after_bytes_effect final : public effect_of<after_bytes_effect> {
public:
    static constexpr std::string_view name = "after_bytes";

    explicit after_bytes_effect(std::uint64_t octets)
        : octets_(octets)
    {
    }

    static std::shared_ptr<const effect> read(const config::yaml_reader& in,
                                              const config::field& value)
    {
        return std::make_shared<after_bytes_effect>(in.count(value));
    }

    boost::json::value to_json() const override { return octets_; }

    std::optional<rule_problem> check(const rule& r) const override
    {
        if (!r.when.only_phase(smtp::phase::body)) {
            return rule_problem{"do.after_bytes",
                                "after_bytes counts message content: it needs when.phase: body"};
        }
        if (compose(r.effects).end == ending::proceed) {
            return rule_problem{"do.after_bytes", "after_bytes says when the ending applies: it "
                                                  "needs hang or close"};
        }
        return std::nullopt;
    }

    void apply(action& a) const override { a.after_bytes = octets_; }

    friend bool operator==(const after_bytes_effect&, const after_bytes_effect&) = default;

private:
    std::uint64_t octets_;
};

} // namespace

extern const effect_type after_bytes;
const effect_type after_bytes{after_bytes_effect::name, &after_bytes_effect::read};

} // namespace faults::effects
