#include "mockserver/imap/fetch_items.hpp"

#include "mockserver/imap/message_text.hpp"
#include "smtp/imap_syntax.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>

namespace mock::imap {

namespace {

using kind = fetch_item::kind;

fetch_item simple(kind k, std::string label)
{
    fetch_item item;
    item.what = k;
    item.label = std::move(label);
    return item;
}

fetch_item section(section_part part, bool peek, std::string label)
{
    fetch_item item;
    item.what = kind::section;
    item.part = part;
    item.peek = peek;
    item.label = std::move(label);
    return item;
}

// RFC 3501 §9: header-list = "(" header-fld-name *(SP header-fld-name) ")"
bool header_list(arg_reader& in, fetch_item& item)
{
    if (!in.space() || !in.expect('(', "\"(\" starting a list of header field names")) {
        return false;
    }
    item.label += " (";
    do {
        auto name = in.astring("a header field name");
        if (!name) {
            return false;
        }
        item.label += (item.fields.empty() ? "" : " ") + smtp::imap::astring(*name);
        item.fields.push_back(std::move(*name));
    } while (in.take(' '));
    item.label += ')';
    return in.expect(')', "\")\" ending the list of header field names");
}

// What follows "BODY" or "BODY.PEEK": "[" [section-spec] "]" ["<" number "." nz-number ">"]
bool body_section(arg_reader& in, fetch_item& item)
{
    item.label = "BODY[";
    if (!in.take(']')) {
        auto spec = in.keyword("a section: HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT or TEXT");
        if (!spec) {
            return false;
        }
        item.label += *spec;
        if (*spec == "HEADER") {
            item.part = section_part::header;
        } else if (*spec == "TEXT") {
            item.part = section_part::text;
        } else if (*spec == "HEADER.FIELDS" || *spec == "HEADER.FIELDS.NOT") {
            item.part = *spec == "HEADER.FIELDS" ? section_part::header_fields
                                                 : section_part::header_fields_not;
            if (!header_list(in, item)) {
                return false;
            }
        } else {
            in.fail("a section HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT or TEXT (MIME part "
                    "numbers are not served)");
            return false;
        }
        if (!in.expect(']', "\"]\" ending the section")) {
            return false;
        }
    }
    item.label += ']';
    if (in.take('<')) {
        auto origin = in.number("the first octet of a partial fetch");
        auto length = origin && in.expect('.', "\".\" in a partial fetch")
                          ? in.nz_number("the octet count of a partial fetch")
                          : std::nullopt;
        if (!length || !in.expect('>', "\">\" ending a partial fetch")) {
            return false;
        }
        item.origin = *origin;
        item.length = *length;
        item.label += fmt::format("<{}>", *origin); // RFC 3501 §7.4.2: only the origin
    }
    return true;
}

std::optional<fetch_item> one_item(arg_reader& in)
{
    auto word = in.keyword("a FETCH item (FLAGS, UID, BODY[], RFC822.SIZE ...)");
    if (!word) {
        return std::nullopt;
    }
    const std::string& w = *word;
    if (w == "ENVELOPE" || w == "FLAGS" || w == "INTERNALDATE" || w == "RFC822.SIZE" ||
        w == "UID") {
        const kind k = w == "ENVELOPE"       ? kind::envelope
                       : w == "FLAGS"        ? kind::flags
                       : w == "INTERNALDATE" ? kind::internal_date
                       : w == "UID"          ? kind::uid
                                             : kind::rfc822_size;
        return simple(k, w);
    }
    // RFC 3501 §6.4.5: RFC822 is BODY[], RFC822.HEADER is BODY.PEEK[HEADER], RFC822.TEXT is
    // BODY[TEXT], each answered under its own name.
    if (w == "RFC822") {
        return section(section_part::whole, false, w);
    }
    if (w == "RFC822.HEADER") {
        return section(section_part::header, true, w);
    }
    if (w == "RFC822.TEXT") {
        return section(section_part::text, false, w);
    }
    if ((w == "BODY" || w == "BODY.PEEK") && in.take('[')) {
        fetch_item item = section(section_part::whole, w == "BODY.PEEK", "");
        if (!body_section(in, item)) {
            return std::nullopt;
        }
        return item;
    }
    in.fail("a FETCH item this server serves (ENVELOPE, FLAGS, INTERNALDATE, RFC822, "
            "RFC822.HEADER, RFC822.SIZE, RFC822.TEXT, UID, BODY[...], BODY.PEEK[...])");
    return std::nullopt;
}

bool add_macro(const std::string& name, fetch_request& req)
{
    // RFC 3501 §6.4.5: ALL = (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE); FAST = (FLAGS
    // INTERNALDATE RFC822.SIZE). FULL adds BODY, which this server does not serve.
    if (name != "ALL" && name != "FAST") {
        return false;
    }
    req.items.push_back(simple(kind::flags, "FLAGS"));
    req.items.push_back(simple(kind::internal_date, "INTERNALDATE"));
    req.items.push_back(simple(kind::rfc822_size, "RFC822.SIZE"));
    if (name == "ALL") {
        req.items.push_back(simple(kind::envelope, "ENVELOPE"));
    }
    return true;
}

} // namespace

std::optional<fetch_request> parse_fetch(arg_reader& in, bool uid_command)
{
    fetch_request req;
    if (!in.space()) {
        return std::nullopt;
    }
    if (in.peek_word("ALL") || in.peek_word("FAST")) {
        auto word = in.keyword("ALL or FAST");
        if (!word || !add_macro(*word, req)) {
            in.fail("a FETCH item or the macro ALL or FAST");
            return std::nullopt;
        }
    } else {
        const bool list = in.take('(');
        do {
            auto item = one_item(in);
            if (!item) {
                return std::nullopt;
            }
            req.items.push_back(std::move(*item));
        } while (list && in.take(' '));
        if (list && !in.expect(')', "\")\" ending the list of FETCH items")) {
            return std::nullopt;
        }
    }
    if (!in.end()) {
        return std::nullopt;
    }
    auto is = [&](kind k) {
        return std::any_of(req.items.begin(), req.items.end(),
                           [&](const fetch_item& i) { return i.what == k; });
    };
    if (uid_command && !is(kind::uid)) {
        req.items.insert(req.items.begin(), simple(kind::uid, "UID"));
    }
    req.has_flags = is(kind::flags);
    req.sets_seen = std::any_of(req.items.begin(), req.items.end(), [](const fetch_item& i) {
        return i.what == kind::section && !i.peek;
    });
    return req;
}

std::optional<std::string_view> section_view(const fetch_item& item, std::string_view content)
{
    switch (item.part) {
    case section_part::whole:
        return content;
    case section_part::header:
        return split_message(content).header;
    case section_part::text:
        return split_message(content).body;
    default:
        return std::nullopt;
    }
}

std::string section_built(const fetch_item& item, std::string_view content)
{
    return header_subset(split_message(content).header, item.fields,
                         item.part == section_part::header_fields_not);
}

std::string_view partial_of(const fetch_item& item, std::string_view text) noexcept
{
    if (!item.origin) {
        return text;
    }
    // RFC 3501 §6.4.5: an origin past the end gives an empty string.
    if (*item.origin >= text.size()) {
        return text.substr(text.size());
    }
    return text.substr(*item.origin, item.length);
}

std::string flags_text(flag_set flags, bool recent)
{
    static constexpr std::array<std::pair<flag, std::string_view>, 5> names{{
        {flag_seen, "\\Seen"},
        {flag_answered, "\\Answered"},
        {flag_flagged, "\\Flagged"},
        {flag_deleted, "\\Deleted"},
        {flag_draft, "\\Draft"},
    }};
    std::string out = "(";
    for (const auto& [bit, name] : names) {
        if ((flags & bit) != 0) {
            out += (out.size() > 1 ? " " : "") + std::string(name);
        }
    }
    if (recent) {
        out += out.size() > 1 ? " \\Recent" : "\\Recent";
    }
    return out + ")";
}

std::string internal_date_text(std::chrono::system_clock::time_point t)
{
    static constexpr std::array<std::string_view, 12> months{
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto secs = std::chrono::floor<std::chrono::seconds>(t);
    const auto day = std::chrono::floor<std::chrono::days>(secs);
    const std::chrono::year_month_day ymd{day};
    const std::chrono::hh_mm_ss hms{secs - day};
    // RFC 3501 §9: date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP
    // zone DQUOTE, date-day-fixed = (SP DIGIT) / 2DIGIT.
    return fmt::format("\"{:>2}-{}-{:04} {:02}:{:02}:{:02} +0000\"",
                       static_cast<unsigned>(ymd.day()),
                       months[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                       hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

} // namespace mock::imap
