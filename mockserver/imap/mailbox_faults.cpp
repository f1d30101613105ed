#include "mockserver/imap/mailbox_faults.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace mock::imap {

namespace {

bool is_digit(char c)
{
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// "NNN" then SP, "-" or the end of the line (RFC 5321 §4.2).
bool starts_with_code(std::string_view s)
{
    return s.size() >= 3 && (s[0] == '4' || s[0] == '5') && is_digit(s[1]) && is_digit(s[2]) &&
           (s.size() == 3 || s[3] == ' ' || s[3] == '-' || s[3] == '\r');
}

// The text of the reply's first line, after the code and an enhanced code (RFC 3463 §2).
std::string reply_text(std::string_view wire)
{
    auto line = wire.substr(0, wire.find("\r\n"));
    line.remove_prefix(std::min<std::size_t>(line.size(), 4));
    const auto sp = line.find(' ');
    const auto word = line.substr(0, sp);
    const bool enhanced = word.size() >= 5 && (word[0] == '4' || word[0] == '5') &&
                          word[1] == '.' && word.find_first_not_of("0123456789.") == word.npos;
    if (enhanced) {
        line = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
    }
    return line.empty() ? std::string("refused") : std::string(line);
}

} // namespace

mailbox_fault read_mailbox_fault(const faults::action& a)
{
    mailbox_fault f;
    if (a.healthy()) {
        return f;
    }
    f.end = a.end;
    if (a.send) {
        if (starts_with_code(*a.send)) {
            f.refuse = (*a.send)[0] == '4' ? mailbox_fault::refusal::temporary
                                           : mailbox_fault::refusal::permanent;
            f.text = reply_text(*a.send);
        } else {
            f.raw = *a.send;
        }
    }
    return f;
}

} // namespace mock::imap
