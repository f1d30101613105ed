// `do.fail_first: N`: the rule fires for the first N times it applies to each client address,
// then never again for that client ("fail the first N attempts, then succeed").
#include "faults/effects/memory.hpp"

namespace faults::effects {
namespace {

// A client sends at most this many attempts that a rule could fail.
constexpr std::uint64_t max_attempts = 1000000;

struct attempts_entry {
    std::chrono::milliseconds last_seen{0};
    std::uint64_t failed = 0; // attempts the rule failed
    std::uint64_t passed = 0; // attempts let through after the first N
};

boost::json::object show(const std::string& client, const attempts_entry& e)
{
    boost::json::object o;
    o["client"] = client;
    o["failed"] = e.failed;
    o["passed"] = e.passed;
    return o;
}

using clients = memory<std::string, attempts_entry>;

class fail_first_effect final : public effect_of<fail_first_effect> {
public:
    static constexpr std::string_view name = "fail_first";

    explicit fail_first_effect(std::uint64_t n)
        : n_(n)
    {
    }

    static std::shared_ptr<const effect> read(const config::yaml_reader& in,
                                              const config::field& value)
    {
        const auto n = in.count(value, max_attempts);
        if (n == 0) {
            in.fail(value, "fail_first: 0 would never fail; give at least 1");
        }
        return std::make_shared<fail_first_effect>(n);
    }

    boost::json::value to_json() const override { return n_; }

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
        return static_cast<clients*>(state)->update(client_key(c.connection), c.since_load,
                                                    [&](attempts_entry& e) {
                                                        if (e.failed < n_) {
                                                            ++e.failed;
                                                            return true;
                                                        }
                                                        ++e.passed;
                                                        return false;
                                                    });
    }

    friend bool operator==(const fail_first_effect&, const fail_first_effect&) = default;

private:
    std::uint64_t n_;
};

} // namespace

extern const effect_type fail_first;
const effect_type fail_first{fail_first_effect::name, &fail_first_effect::read};

} // namespace faults::effects
