// `do.greylist: {delay: 300s, window: 24h}` with phase rcpt: greylisting (RFC 6647). The rule
// fires (its reply, a 450, defers the recipient) on the first attempt of each (client address,
// sender, recipient) triplet and on retries that come sooner than `delay`; a retry after
// `delay` and within `window` of the first attempt passes, and so does every later attempt of
// that triplet. A retry after the window starts over, as a first attempt.
#include "faults/effects/memory.hpp"
#include "smtp/ascii.hpp"
#include "smtp/command.hpp"

#include <boost/json/string.hpp>
#include <tuple>

namespace faults::effects {
namespace {

using std::chrono::milliseconds;

// RFC 6647 §2.1: the client's address, the envelope sender and the recipient, case-folded.
using triplet = std::tuple<std::string, std::string, std::string>;

struct triplet_entry {
    milliseconds first_attempt{-1}; // since the scenario was loaded; -1 before any
    milliseconds last_seen{0};
    std::uint64_t deferred = 0; // attempts deferred
    bool passed = false;        // a retry came in time: the triplet is let through from now on
};

boost::json::object show(const triplet& key, const triplet_entry& e)
{
    boost::json::object o;
    o["client"] = std::get<0>(key);
    o["sender"] = std::get<1>(key);
    o["recipient"] = std::get<2>(key);
    o["first_attempt_ms"] = e.first_attempt.count();
    o["deferred"] = e.deferred;
    o["passed"] = e.passed;
    return o;
}

using triplets = memory<triplet, triplet_entry>;

class greylist_effect final : public effect_of<greylist_effect> {
public:
    static constexpr std::string_view name = "greylist";

    greylist_effect(milliseconds delay, milliseconds window)
        : delay_(delay)
        , window_(window)
    {
    }

    static std::shared_ptr<const effect> read(const config::yaml_reader& in,
                                              const config::field& value)
    {
        auto entries = in.map(value, {"delay", "window"});
        const auto delay = entries.find("delay");
        if (delay == entries.end()) {
            in.fail(value, "greylist needs delay: the least time before a retry is accepted");
        }
        const auto d = in.duration(delay->second);
        auto w = std::chrono::duration_cast<milliseconds>(std::chrono::hours(24));
        if (auto it = entries.find("window"); it != entries.end()) {
            w = in.duration(it->second);
            if (w < d) {
                in.fail(it->second, "the window ends before the delay: a retry could never pass");
            }
        }
        return std::make_shared<greylist_effect>(d, w);
    }

    boost::json::value to_json() const override
    {
        boost::json::object o;
        o["delay"] = config::format_duration(delay_);
        o["window"] = config::format_duration(window_);
        return o;
    }

    std::optional<rule_problem> check(const rule& r) const override
    {
        if (!r.when.only_phase(smtp::phase::rcpt)) {
            return rule_problem{"do.greylist", "greylisting defers recipients: the rule needs "
                                               "when: {phase: rcpt}"};
        }
        return needs_company(r, name);
    }

    void apply(action&) const override {}

    std::unique_ptr<effect_state> make_state() const override
    {
        return std::make_unique<triplets>(&show);
    }

    bool admits(const effect_context& c, effect_state* state) const override
    {
        auto recipient = smtp::parse_rcpt_argument(c.at.argument);
        if (!recipient) {
            return false; // a syntax error is the server's to answer
        }
        const triplet key{client_key(c.connection), smtp::to_lower(c.at.sender),
                          smtp::to_lower(recipient->mailbox)};
        const auto now = c.since_load;
        return static_cast<triplets*>(state)->update(
            key, now, [&](triplet_entry& e) { return defers(e, now); });
    }

    friend bool operator==(const greylist_effect&, const greylist_effect&) = default;

private:
    // True when this attempt is deferred.
    bool defers(triplet_entry& e, milliseconds now) const
    {
        if (e.passed) {
            return false;
        }
        const bool first = e.first_attempt.count() < 0 || now - e.first_attempt > window_;
        if (first) {
            e.first_attempt = now;
        } else if (now - e.first_attempt >= delay_) {
            e.passed = true;
            return false;
        }
        ++e.deferred;
        return true;
    }

    milliseconds delay_;
    milliseconds window_;
};

} // namespace

extern const effect_type greylist;
const effect_type greylist{greylist_effect::name, &greylist_effect::read};

} // namespace faults::effects
