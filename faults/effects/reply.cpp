// `do.reply: "421 4.3.2 Service shutting down"`: a reply in place of the normal one, one line or
// a list of lines, each starting with the reply code (RFC 5321 §4.2).
#include "faults/effect.hpp"
#include "faults/reply_text.hpp"
#include "faults/scenario.hpp"

#include <boost/json/array.hpp>
#include <boost/json/string.hpp>

namespace faults::effects {
namespace {

// Splits a reply written as one string ("250 ok", or a block with one line per line).
std::vector<std::string> reply_lines(const std::string& text)
{
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        std::string line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        lines.push_back(std::move(line));
        start = end + 1;
    }
    if (lines.empty()) {
        lines.emplace_back();
    }
    return lines;
}

class reply_effect final : public effect_of<reply_effect> {
public:
    static constexpr std::string_view name = "reply";

    reply_effect(std::vector<std::string> lines, std::string wire)
        : lines_(std::move(lines))
        , wire_(std::move(wire))
    {
    }

    static std::shared_ptr<const effect> read(const config::yaml_reader& in,
                                              const config::field& value)
    {
        std::vector<std::string> lines;
        const bool list = value.node.IsSequence();
        const auto items = in.one_or_list(value);
        if (list) {
            for (const auto& item : items) {
                lines.push_back(in.scalar(item));
            }
        } else {
            lines = reply_lines(in.scalar(value));
        }
        auto rendered = render_reply(lines);
        if (!rendered.ok()) {
            in.fail(list && !items.empty() ? items.at(rendered.bad_line) : value, rendered.error);
        }
        return std::make_shared<reply_effect>(std::move(lines), std::move(rendered.wire));
    }

    boost::json::value to_json() const override
    {
        if (lines_.size() == 1) {
            return boost::json::string(lines_.front());
        }
        boost::json::array out;
        for (const auto& line : lines_) {
            out.emplace_back(boost::json::string(line));
        }
        return out;
    }

    std::optional<rule_problem> check(const rule& r) const override
    {
        if (r.when.has_phase(smtp::phase::connect) || r.when.has_phase(smtp::phase::tls)) {
            return rule_problem{"do.reply", "nothing is sent at phase connect or tls; put the "
                                            "greeting at phase banner"};
        }
        return std::nullopt;
    }

    void apply(action& a) const override { a.send = wire_; }

    friend bool operator==(const reply_effect& a, const reply_effect& b)
    {
        return a.lines_ == b.lines_;
    }

private:
    std::vector<std::string> lines_;
    std::string wire_;
};

} // namespace

extern const effect_type reply;
const effect_type reply{reply_effect::name, &reply_effect::read};

} // namespace faults::effects
