#include "mockserver/imap/envelope.hpp"

#include "mockserver/imap/message_text.hpp"
#include "smtp/imap_syntax.hpp"

namespace mock::imap {

namespace {

// Reads an RFC 5322 address list one token at a time. Display names and local parts keep
// their words as written, quoted strings unquoted; comments are dropped.
class address_scanner {
public:
    explicit address_scanner(std::string_view s)
        : s_(s)
    {
    }

    std::vector<envelope_address> run()
    {
        while (pos_ < s_.size()) {
            const char c = s_[pos_];
            if (c == '(') {
                skip_comment();
            } else if (c == '"') {
                phrase_word(quoted_string());
            } else if (c == '<') {
                angle_address();
            } else if (c == ':' && !in_group_) {
                ++pos_;
                out_.push_back({std::nullopt, std::nullopt, phrase_text(), std::nullopt});
                phrase_.clear();
                in_group_ = true;
            } else if (c == ';' && in_group_) {
                ++pos_;
                flush();
                out_.push_back({});
                in_group_ = false;
            } else if (c == ',') {
                ++pos_;
                flush();
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                ++pos_;
                space_ = true;
            } else {
                const auto start = pos_;
                while (pos_ < s_.size() && std::string_view("()<>,;:\" \t\r\n").find(s_[pos_]) ==
                                               std::string_view::npos) {
                    ++pos_;
                }
                if (pos_ == start) {
                    ++pos_; // a stray special
                    continue;
                }
                phrase_word(std::string(s_.substr(start, pos_ - start)));
            }
        }
        flush();
        if (in_group_) {
            out_.push_back({}); // RFC 5322 §4.4 tolerance: a group without its ";"
        }
        return std::move(out_);
    }

private:
    void skip_comment()
    {
        int depth = 0;
        while (pos_ < s_.size()) {
            const char c = s_[pos_++];
            if (c == '\\') {
                ++pos_;
            } else if (c == '(') {
                ++depth;
            } else if (c == ')' && --depth == 0) {
                break;
            }
        }
        space_ = true;
    }

    std::string quoted_string()
    {
        std::string out;
        ++pos_;
        while (pos_ < s_.size() && s_[pos_] != '"') {
            if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) {
                ++pos_;
            }
            if (s_[pos_] != '\r' && s_[pos_] != '\n') {
                out += s_[pos_];
            }
            ++pos_;
        }
        ++pos_;
        return out;
    }

    void phrase_word(std::string word)
    {
        // Words separated by white space or comments are joined by one space.
        if (!phrase_.empty() && space_) {
            phrase_ += ' ';
        }
        phrase_ += word;
        space_ = false;
    }

    std::optional<std::string> phrase_text() const
    {
        return phrase_.empty() ? std::nullopt : std::optional<std::string>(phrase_);
    }

    void angle_address()
    {
        const auto close = s_.find('>', pos_);
        auto spec =
            s_.substr(pos_ + 1, (close == std::string_view::npos ? s_.size() : close) - pos_ - 1);
        pos_ = close == std::string_view::npos ? s_.size() : close + 1;
        envelope_address a;
        a.name = phrase_text();
        // RFC 5322 §4.4: obs-route = obs-domain-list ":" before the addr-spec.
        if (!spec.empty() && spec.front() == '@') {
            if (auto colon = spec.find(':'); colon != std::string_view::npos) {
                a.route = std::string(spec.substr(0, colon));
                spec.remove_prefix(colon + 1);
            }
        }
        split_addr_spec(spec, a);
        pending_ = std::move(a);
        phrase_.clear();
    }

    static void split_addr_spec(std::string_view spec, envelope_address& a)
    {
        std::string clean;
        for (std::size_t i = 0; i < spec.size(); ++i) {
            if (spec[i] == '"') {
                continue; // "john doe"@example.com: the local part without its quotes
            }
            if (spec[i] != ' ' && spec[i] != '\t' && spec[i] != '\r' && spec[i] != '\n') {
                clean += spec[i];
            }
        }
        const auto at = clean.rfind('@');
        if (at == std::string::npos) {
            a.mailbox = clean;
            a.host = "MISSING_DOMAIN"; // a host is required outside group markers
        } else {
            a.mailbox = clean.substr(0, at);
            a.host = clean.substr(at + 1);
        }
    }

    // Ends one address: an angle address seen, or a bare addr-spec in the phrase.
    void flush()
    {
        if (pending_) {
            out_.push_back(std::move(*pending_));
            pending_.reset();
        } else if (!phrase_.empty()) {
            envelope_address a;
            split_addr_spec(phrase_, a);
            out_.push_back(std::move(a));
        }
        phrase_.clear();
        space_ = false;
    }

    std::string_view s_;
    std::size_t pos_ = 0;
    std::string phrase_;
    bool space_ = false;
    bool in_group_ = false;
    std::optional<envelope_address> pending_;
    std::vector<envelope_address> out_;
};

std::optional<std::string> first_value(std::string_view header, std::string_view name)
{
    auto values = header_values(header, name);
    return values.empty() ? std::nullopt : std::optional<std::string>(std::move(values.front()));
}

std::string address_list(const std::optional<std::string>& value)
{
    if (!value) {
        return "NIL";
    }
    const auto list = parse_address_list(*value);
    if (list.empty()) {
        return "NIL";
    }
    std::string out = "(";
    for (const auto& a : list) {
        out += "(" + nstring(a.name) + " " + nstring(a.route) + " " + nstring(a.mailbox) + " " +
               nstring(a.host) + ")";
    }
    return out + ")";
}

} // namespace

std::string nstring(const std::optional<std::string>& s)
{
    return s ? smtp::imap::string_or_literal(*s) : std::string("NIL");
}

std::vector<envelope_address> parse_address_list(std::string_view value)
{
    return address_scanner(value).run();
}

std::string envelope_of(std::string_view header)
{
    // RFC 3501 §7.4.2: "sender" and "reply-to" default to "from".
    const auto from = first_value(header, "From");
    auto sender = first_value(header, "Sender");
    auto reply_to = first_value(header, "Reply-To");
    if (!sender) {
        sender = from;
    }
    if (!reply_to) {
        reply_to = from;
    }
    return "(" + nstring(first_value(header, "Date")) + " " +
           nstring(first_value(header, "Subject")) + " " + address_list(from) + " " +
           address_list(sender) + " " + address_list(reply_to) + " " +
           address_list(first_value(header, "To")) + " " + address_list(first_value(header, "Cc")) +
           " " + address_list(first_value(header, "Bcc")) + " " +
           nstring(first_value(header, "In-Reply-To")) + " " +
           nstring(first_value(header, "Message-ID")) + ")";
}

} // namespace mock::imap
