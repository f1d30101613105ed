// `do.raw: "220 no crlf"` or `do.raw: {hex: "ff00"}`: bytes sent verbatim in place of the
// normal reply, for malformed replies.
#include "faults/effect.hpp"
#include "faults/scenario.hpp"
#include "smtp/utf8.hpp"

#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

namespace faults::effects {
namespace {

std::optional<std::string> parse_hex(std::string_view text)
{
    std::string out;
    int high = -1;
    for (char c : text) {
        int v = -1;
        if (c >= '0' && c <= '9') {
            v = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            v = c - 'A' + 10;
        } else if (c == ' ' || c == ':') {
            continue;
        } else {
            return std::nullopt;
        }
        if (high < 0) {
            high = v;
        } else {
            out += static_cast<char>(high * 16 + v);
            high = -1;
        }
    }
    if (high >= 0) {
        return std::nullopt;
    }
    return out;
}

std::string to_hex(std::string_view bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (char ch : bytes) {
        const auto b = static_cast<unsigned char>(ch);
        out += digits[b >> 4];
        out += digits[b & 0x0f];
    }
    return out;
}

class raw_effect final : public effect_of<raw_effect> {
public:
    static constexpr std::string_view name = "raw";

    explicit raw_effect(std::string bytes)
        : bytes_(std::move(bytes))
    {
    }

    static std::shared_ptr<const effect> read(const config::yaml_reader& in,
                                              const config::field& value)
    {
        std::string bytes;
        if (value.node.IsMap()) {
            auto hex = in.map(value, {"hex"});
            if (hex.empty()) {
                in.fail(value, "raw as a map needs hex: \"0d0a...\"");
            }
            const auto text = in.scalar(hex.at("hex"));
            auto parsed = parse_hex(text);
            if (!parsed) {
                in.fail(hex.at("hex"),
                        "bad hex '" + text + "'; expected pairs of hex digits, spaces allowed");
            }
            bytes = std::move(*parsed);
        } else {
            bytes = in.scalar(value);
        }
        if (bytes.empty()) {
            in.fail(value, "raw is empty; to send nothing use hang or close");
        }
        return std::make_shared<raw_effect>(std::move(bytes));
    }

    boost::json::value to_json() const override
    {
        // Bytes that are not UTF-8 cannot be a JSON string: they are written as hex.
        if (smtp::is_valid_utf8(bytes_)) {
            return boost::json::string(bytes_);
        }
        return boost::json::object{{"hex", to_hex(bytes_)}};
    }

    std::optional<rule_problem> check(const rule& r) const override
    {
        if (r.effects.has("reply")) {
            return rule_problem{"do.raw", "reply and raw are exclusive: give one of them"};
        }
        if (r.when.has_phase(smtp::phase::connect) || r.when.has_phase(smtp::phase::tls)) {
            return rule_problem{"do.raw", "nothing is sent at phase connect or tls; put the "
                                          "greeting at phase banner"};
        }
        return std::nullopt;
    }

    void apply(action& a) const override { a.send = bytes_; }

    friend bool operator==(const raw_effect&, const raw_effect&) = default;

private:
    std::string bytes_;
};

} // namespace

extern const effect_type raw;
const effect_type raw{raw_effect::name, &raw_effect::read};

} // namespace faults::effects
