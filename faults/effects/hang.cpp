// `do.hang: true`: send nothing more and keep the connection open.
#include "faults/effect.hpp"

namespace faults::effects {
namespace {

class hang_effect final : public effect_of<hang_effect> {
public:
    static constexpr std::string_view name = "hang";

    static std::shared_ptr<const effect> read(const config::yaml_reader& in,
                                              const config::field& value)
    {
        // `hang: false` asks for nothing.
        return in.boolean(value) ? std::make_shared<hang_effect>() : nullptr;
    }

    boost::json::value to_json() const override { return true; }

    void apply(action& a) const override { a.end = ending::hang; }

    friend bool operator==(const hang_effect&, const hang_effect&) = default;
};

} // namespace

extern const effect_type hang;
const effect_type hang{hang_effect::name, &hang_effect::read};

} // namespace faults::effects
