#include "mockserver/imap/search.hpp"

#include "mockserver/imap/message_text.hpp"
#include "smtp/ascii.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace mock::imap {

namespace {

using test = search_key::test;

search_key make_key(test what)
{
    search_key k;
    k.what = what;
    return k;
}

struct flag_word {
    std::string_view name;
    test what;
    flag_set flag;
};

constexpr std::array<flag_word, 10> flag_words{{
    {"ANSWERED", test::has_flag, flag_answered},
    {"DELETED", test::has_flag, flag_deleted},
    {"DRAFT", test::has_flag, flag_draft},
    {"FLAGGED", test::has_flag, flag_flagged},
    {"SEEN", test::has_flag, flag_seen},
    {"UNANSWERED", test::lacks_flag, flag_answered},
    {"UNDELETED", test::lacks_flag, flag_deleted},
    {"UNDRAFT", test::lacks_flag, flag_draft},
    {"UNFLAGGED", test::lacks_flag, flag_flagged},
    {"UNSEEN", test::lacks_flag, flag_seen},
}};

struct simple_word {
    std::string_view name;
    test what;
};

constexpr std::array<simple_word, 4> simple_words{{
    {"ALL", test::all},
    {"RECENT", test::recent},
    {"OLD", test::old},
    {"NEW", test::fresh},
}};

constexpr std::array<simple_word, 6> date_words{{
    {"BEFORE", test::before},
    {"ON", test::on},
    {"SINCE", test::since},
    {"SENTBEFORE", test::sent_before},
    {"SENTON", test::sent_on},
    {"SENTSINCE", test::sent_since},
}};

// The header searched by FROM, TO, CC, BCC and SUBJECT.
constexpr std::array<std::string_view, 5> header_words{"FROM", "TO", "CC", "BCC", "SUBJECT"};

class search_parser {
public:
    search_parser(arg_reader& in, std::size_t max_depth)
        : in_(in)
        , max_depth_(max_depth)
    {
    }

    std::optional<search_key> key(std::size_t depth)
    {
        if (depth > max_depth_) {
            in_.fail("search criteria nested less deeply");
            return std::nullopt;
        }
        if (in_.take('(')) {
            auto list = make_key(test::every);
            do {
                auto k = key(depth + 1);
                if (!k) {
                    return std::nullopt;
                }
                list.children.push_back(std::move(*k));
            } while (in_.take(' '));
            if (!in_.expect(')', "\")\" closing the search criteria")) {
                return std::nullopt;
            }
            return list;
        }
        if (in_.peek('*') ||
            (!in_.at_end() && std::isdigit(static_cast<unsigned char>(in_.rest().front())) != 0)) {
            auto k = make_key(test::sequence);
            auto set = in_.sequence();
            if (!set) {
                return std::nullopt;
            }
            k.set = std::move(*set);
            return k;
        }
        const auto at = in_.offset();
        auto word = in_.atom("a search key");
        if (!word) {
            return std::nullopt;
        }
        return named(smtp::to_upper(*word), depth, at);
    }

private:
    std::optional<search_key> named(const std::string& word, std::size_t depth, std::size_t at)
    {
        for (const auto& f : flag_words) {
            if (word == f.name) {
                auto k = make_key(f.what);
                k.flag = f.flag;
                return k;
            }
        }
        for (const auto& s : simple_words) {
            if (word == s.name) {
                return make_key(s.what);
            }
        }
        for (const auto& d : date_words) {
            if (word == d.name) {
                auto k = make_key(d.what);
                auto date = in_.space() ? in_.date() : std::nullopt;
                if (!date) {
                    return std::nullopt;
                }
                k.date = *date;
                return k;
            }
        }
        if (std::find(header_words.begin(), header_words.end(), word) != header_words.end()) {
            return header(word);
        }
        return with_arguments(word, depth, at);
    }

    std::optional<search_key> header(std::string field)
    {
        auto k = make_key(test::header);
        k.field = std::move(field);
        auto value = in_.space() ? in_.astring() : std::nullopt;
        if (!value) {
            return std::nullopt;
        }
        k.value = std::move(*value);
        return k;
    }

    std::optional<search_key> with_arguments(const std::string& word, std::size_t depth,
                                             std::size_t at)
    {
        if (word == "HEADER") {
            auto field = in_.space() ? in_.astring("a header field name") : std::nullopt;
            return field ? header(std::move(*field)) : std::nullopt;
        }
        if (word == "BODY" || word == "TEXT") {
            auto k = make_key(word == "BODY" ? test::body : test::text);
            auto value = in_.space() ? in_.astring() : std::nullopt;
            if (!value) {
                return std::nullopt;
            }
            k.value = std::move(*value);
            return k;
        }
        if (word == "KEYWORD" || word == "UNKEYWORD") {
            // RFC 3501 §6.4.4: KEYWORD flag. No keyword is ever set here.
            if (!in_.space() || !in_.atom("a keyword")) {
                return std::nullopt;
            }
            return make_key(word == "KEYWORD" ? test::nothing : test::all);
        }
        if (word == "LARGER" || word == "SMALLER") {
            auto k = make_key(word == "LARGER" ? test::larger : test::smaller);
            auto n = in_.space() ? in_.number() : std::nullopt;
            if (!n) {
                return std::nullopt;
            }
            k.size = *n;
            return k;
        }
        if (word == "UID") {
            auto k = make_key(test::uid);
            auto set = in_.space() ? in_.sequence() : std::nullopt;
            if (!set) {
                return std::nullopt;
            }
            k.set = std::move(*set);
            return k;
        }
        if (word == "NOT" || word == "OR") {
            auto k = make_key(word == "NOT" ? test::negate : test::either);
            for (int i = 0; i < (word == "NOT" ? 1 : 2); ++i) {
                auto child = in_.space() ? key(depth + 1) : std::nullopt;
                if (!child) {
                    return std::nullopt;
                }
                k.children.push_back(std::move(*child));
            }
            return k;
        }
        in_.fail("a search key (ALL, SEEN, FROM, SINCE, UID, NOT, OR ...)", at);
        return std::nullopt;
    }

    arg_reader& in_;
    std::size_t max_depth_;
};

bool header_contains(std::string_view content, const search_key& k)
{
    const auto values = header_values(split_message(content).header, k.field);
    // RFC 3501 §6.4.4: an empty string matches every message that has the field.
    return std::any_of(values.begin(), values.end(), [&](const std::string& v) {
        return smtp::ifind(v, k.value) != std::string_view::npos;
    });
}

std::optional<civil_date> sent_date(std::string_view content)
{
    const auto values = header_values(split_message(content).header, "Date");
    return values.empty() ? std::nullopt : message_date(values.front());
}

bool compare_date(test what, civil_date day, civil_date wanted)
{
    switch (what) {
    case test::before:
    case test::sent_before:
        return day < wanted;
    case test::on:
    case test::sent_on:
        return day == wanted;
    default:
        return day >= wanted;
    }
}

} // namespace

std::optional<search_program> parse_search(arg_reader& in, std::size_t max_depth)
{
    search_program program;
    program.key.what = test::every;
    if (!in.space()) {
        return std::nullopt;
    }
    if (in.peek_word("CHARSET ")) {
        in.keyword("CHARSET");
        auto charset = in.space() ? in.astring("a charset name") : std::nullopt;
        if (!charset || !in.space()) {
            return std::nullopt;
        }
        program.charset = std::move(*charset);
    }
    search_parser parser(in, max_depth);
    do {
        auto k = parser.key(1);
        if (!k) {
            return std::nullopt;
        }
        program.key.children.push_back(std::move(*k));
    } while (in.take(' '));
    if (!in.end()) {
        return std::nullopt;
    }
    return program;
}

bool matches(const search_key& k, const search_subject& m, const search_bounds& bounds)
{
    switch (k.what) {
    case test::all:
        return true;
    case test::nothing:
        return false;
    case test::has_flag:
        return (m.flags & k.flag) != 0;
    case test::lacks_flag:
        return (m.flags & k.flag) == 0;
    case test::recent:
        return m.recent;
    case test::old:
        return !m.recent;
    case test::fresh:
        return m.recent && (m.flags & flag_seen) == 0;
    case test::header:
        return header_contains(m.content, k);
    case test::body:
        return smtp::ifind(split_message(m.content).body, k.value) != std::string_view::npos;
    case test::text:
        return smtp::ifind(m.content, k.value) != std::string_view::npos;
    case test::before:
    case test::on:
    case test::since:
        return compare_date(k.what, std::chrono::floor<std::chrono::days>(m.internal_date), k.date);
    case test::sent_before:
    case test::sent_on:
    case test::sent_since: {
        const auto sent = sent_date(m.content);
        return sent && compare_date(k.what, *sent, k.date);
    }
    case test::larger:
        return m.content.size() > k.size;
    case test::smaller:
        return m.content.size() < k.size;
    case test::uid:
        return k.set.contains(m.uid, bounds.largest_uid);
    case test::sequence:
        return k.set.contains(m.sequence, bounds.messages);
    case test::negate:
        return !matches(k.children.front(), m, bounds);
    case test::either:
        return matches(k.children[0], m, bounds) || matches(k.children[1], m, bounds);
    case test::every:
        return std::all_of(k.children.begin(), k.children.end(),
                           [&](const search_key& c) { return matches(c, m, bounds); });
    }
    return false;
}

} // namespace mock::imap
