#include "prober/blocklist.hpp"

#include "smtp/ascii.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace prober {
namespace {

// The word that follows `at` in `text` (letters, digits, '.', '-'), e.g. a DNS zone.
std::string word_after(std::string_view text, std::size_t at)
{
    while (at < text.size() && (text[at] == ' ' || text[at] == ':')) {
        ++at;
    }
    std::size_t end = at;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                                 text[end] == '.' || text[end] == '-' || text[end] == '_')) {
        ++end;
    }
    std::string_view word = text.substr(at, end - at);
    while (!word.empty() && word.back() == '.') {
        word.remove_suffix(1);
    }
    return std::string(word);
}

struct known_list {
    std::string_view needle;
    std::string_view name;
};

constexpr std::array known_lists{
    known_list{"spamhaus", "Spamhaus"},     known_list{"sorbs", "SORBS"},
    known_list{"barracuda", "Barracuda"},   known_list{"spamcop", "SpamCop"},
    known_list{"uceprotect", "UCEPROTECT"}, known_list{"psbl.surriel", "PSBL"},
    known_list{"mailspike", "Mailspike"},   known_list{"dnsbl", "DNSBL"},
};

} // namespace

std::optional<std::string> find_blocklist(std::string_view reply_text)
{
    const std::string text = smtp::to_lower(reply_text);
    for (const auto& list : known_lists) {
        if (text.find(list.needle) != std::string::npos) {
            return std::string(list.name);
        }
    }
    // Generic forms used by Postfix (reject_rbl_client), Exim and Sendmail.
    static constexpr std::array<std::string_view, 6> phrases{"blocked using ",  "listed at ",
                                                             "listed on ",      "listed in ",
                                                             "blacklisted by ", "blocklisted by "};
    for (auto phrase : phrases) {
        auto at = text.find(phrase);
        if (at != std::string::npos) {
            auto zone = word_after(text, at + phrase.size());
            return zone.empty() ? std::string("a DNS blocklist") : zone;
        }
    }
    for (std::string_view word : {"blacklist", "blocklist", "block list", "black list"}) {
        if (text.find(word) != std::string::npos) {
            return std::string("a DNS blocklist");
        }
    }
    return std::nullopt;
}

} // namespace prober
