#include "harness/talk_session.hpp"

#include "smtp/ascii.hpp"
#include "smtp/limits.hpp"

namespace harness {

talk_session::talk_session()
    : framer_(smtp::limits::reply_line)
{
}

std::string talk_session::wire(std::string_view typed)
{
    if (in_message_) {
        if (typed == ".") {
            in_message_ = false;
            awaits_reply_ = true;
            return ".\r\n";
        }
        awaits_reply_ = false;
        // RFC 5321 §4.5.2: a content line starting with a dot gets one more.
        return (typed.starts_with('.') ? "." : "") + std::string(typed) + "\r\n";
    }
    awaits_reply_ = true;
    sent_data_ = smtp::iequals(typed, "DATA");
    sent_starttls_ = smtp::iequals(typed, "STARTTLS");
    return std::string(typed) + "\r\n";
}

std::vector<talk_line> talk_session::received(std::string_view bytes)
{
    framer_.feed(bytes);
    std::vector<talk_line> out;
    while (auto line = framer_.next()) {
        talk_line shown{std::string(line->text)};
        switch (parser_.feed_line(line->text)) {
        case smtp::reply_status::need_more:
            break;
        case smtp::reply_status::complete: {
            const auto reply = parser_.take();
            shown.ends_reply = true;
            in_message_ = sent_data_ && reply.code == 354;
            tls_due_ = sent_starttls_ && reply.code == 220;
            sent_data_ = false;
            sent_starttls_ = false;
            break;
        }
        case smtp::reply_status::error:
            shown.malformed = true;
            shown.ends_reply = true;
            parser_.reset();
            break;
        }
        out.push_back(std::move(shown));
    }
    return out;
}

} // namespace harness
