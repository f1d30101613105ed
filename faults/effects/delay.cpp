// `do.delay: 1.5s`: wait before sending anything.
#include "faults/effect.hpp"

#include <boost/json/string.hpp>

namespace faults::effects {
namespace {

class delay_effect final : public effect_of<delay_effect> {
public:
    static constexpr std::string_view name = "delay";

    explicit delay_effect(std::chrono::milliseconds d)
        : duration_(d)
    {
    }

    static std::shared_ptr<const effect> read(const config::yaml_reader& in,
                                              const config::field& value)
    {
        // The reader bounds durations (faults/limits.hpp): a wait stays far inside the range
        // of every timer.
        return std::make_shared<delay_effect>(in.duration(value));
    }

    boost::json::value to_json() const override
    {
        return boost::json::string(config::format_duration(duration_));
    }

    void apply(action& a) const override { a.delay = duration_; }

    friend bool operator==(const delay_effect&, const delay_effect&) = default;

private:
    std::chrono::milliseconds duration_;
};

} // namespace

extern const effect_type delay;
const effect_type delay{delay_effect::name, &delay_effect::read};

} // namespace faults::effects
