// `do.deliver: {to: inbox|junk|nowhere, after: 30s, copies: 2, subject: TEXT, body: TEXT}` with
// phase data_end: the message is accepted as usual, and reaches the mailboxes that POP3 and
// IMAP read late, in Junk, twice, changed, or never (the mail-loop failures).
#include "faults/effect.hpp"
#include "faults/scenario.hpp"

#include <boost/json/object.hpp>

namespace faults::effects {
namespace {

using destination = delivery_fault::destination;

constexpr std::uint64_t max_copies = 10;
constexpr std::size_t max_text = 64 * 1024;

std::string read_text(const config::yaml_reader& in, const config::field& f, bool one_line)
{
    auto text = in.scalar(f);
    if (text.size() > max_text) {
        in.fail(f, "longer than " + std::to_string(max_text) + " octets");
    }
    if (one_line && text.find_first_of("\r\n") != std::string::npos) {
        in.fail(f, "a subject is one line: no CR or LF");
    }
    return text;
}

delivery_fault read_delivery(const config::yaml_reader& in, const config::field& value)
{
    auto entries = in.map(value, {"to", "after", "copies", "subject", "body"});
    if (entries.empty()) {
        in.fail(value, "deliver needs to, after, copies, subject or body");
    }
    delivery_fault d;
    if (auto it = entries.find("to"); it != entries.end()) {
        static constexpr destination places[] = {destination::inbox, destination::junk,
                                                 destination::nowhere};
        d.to = places[in.choice(it->second, {"inbox", "junk", "nowhere"})];
    }
    if (auto it = entries.find("after"); it != entries.end()) {
        d.after = in.duration(it->second);
    }
    if (auto it = entries.find("copies"); it != entries.end()) {
        d.copies = static_cast<unsigned>(in.count(it->second, max_copies));
        if (d.copies == 0) {
            in.fail(it->second, "copies is at least 1; for a message never delivered use "
                                "to: nowhere");
        }
    }
    if (auto it = entries.find("subject"); it != entries.end()) {
        d.subject = read_text(in, it->second, true);
    }
    if (auto it = entries.find("body"); it != entries.end()) {
        d.body = read_text(in, it->second, false);
    }
    if (d.to == destination::nowhere && entries.size() > 1) {
        in.fail(value, "to: nowhere delivers nothing: after, copies, subject and body have "
                       "nothing to change");
    }
    return d;
}

const char* destination_name(destination d)
{
    switch (d) {
    case destination::inbox:
        return "inbox";
    case destination::junk:
        return "junk";
    case destination::nowhere:
        return "nowhere";
    }
    return "inbox";
}

class deliver_effect final : public effect_of<deliver_effect> {
public:
    static constexpr std::string_view name = "deliver";

    explicit deliver_effect(delivery_fault d)
        : delivery_(std::move(d))
    {
    }

    static std::shared_ptr<const effect> read(const config::yaml_reader& in,
                                              const config::field& value)
    {
        return std::make_shared<deliver_effect>(read_delivery(in, value));
    }

    boost::json::value to_json() const override
    {
        boost::json::object o;
        if (delivery_.to != destination::inbox) {
            o["to"] = destination_name(delivery_.to);
        }
        if (delivery_.after.count() > 0) {
            o["after"] = config::format_duration(delivery_.after);
        }
        if (delivery_.copies != 1) {
            o["copies"] = delivery_.copies;
        }
        if (delivery_.subject) {
            o["subject"] = *delivery_.subject;
        }
        if (delivery_.body) {
            o["body"] = *delivery_.body;
        }
        if (o.empty()) {
            o["to"] = "inbox"; // reads back as the same healthy delivery
        }
        return o;
    }

    std::optional<rule_problem> check(const rule& r) const override
    {
        if (!r.when.only_phase(smtp::phase::data_end)) {
            return rule_problem{"do.deliver", "deliver decides what becomes of an accepted "
                                              "message: it needs when.phase: data_end"};
        }
        const auto a = compose(r.effects);
        if ((a.send && !a.send->starts_with('2')) || a.command == command_disposition::skip) {
            return rule_problem{"do.deliver", "deliver needs the message stored: the reply must "
                                              "stay 2xx and the command must take effect"};
        }
        return std::nullopt;
    }

    void apply(action& a) const override { a.delivery = delivery_; }

    friend bool operator==(const deliver_effect&, const deliver_effect&) = default;

private:
    delivery_fault delivery_;
};

} // namespace

extern const effect_type deliver;
const effect_type deliver{deliver_effect::name, &deliver_effect::read};

} // namespace faults::effects
