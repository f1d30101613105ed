#include "mockserver/imap/fetch_items.hpp"

#include "mockserver/imap/message_text.hpp"
#include "mockserver/imap/mime_structure.hpp"
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

// RFC 3501 §9: section-spec = section-msgtext / (section-part ["." section-text]);
// section-part = nz-number *("." nz-number); section-text = section-msgtext / "MIME"
bool section_spec(arg_reader& in, fetch_item& item)
{
    const auto at = in.offset();
    constexpr std::string_view expected =
        "a section: part numbers, HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT or MIME";
    auto spec = in.keyword(expected);
    if (!spec) {
        return false;
    }
    item.label += *spec;
    std::string_view rest = *spec;
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') {
        const auto dot = rest.find('.');
        std::uint64_t n = 0;
        for (char c : rest.substr(0, dot)) {
            const bool digit = c >= '0' && c <= '9';
            n = digit && n <= 0xffffffffull ? n * 10 + static_cast<unsigned>(c - '0')
                                            : 0x100000000ull;
        }
        if (n == 0 || n > 0xffffffffull) {
            in.fail("a part number from 1 to 4294967295", at);
            return false;
        }
        item.part_path.push_back(static_cast<std::uint32_t>(n));
        rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
        if (dot != std::string_view::npos && rest.empty()) {
            in.fail(expected, at);
            return false;
        }
    }
    const bool numbered = !item.part_path.empty();
    if (rest.empty() && numbered) {
        item.part = section_part::whole;
    } else if (rest == "HEADER") {
        item.part = section_part::header;
    } else if (rest == "TEXT") {
        item.part = section_part::text;
    } else if (rest == "MIME" && numbered) {
        item.part = section_part::mime;
    } else if (rest == "HEADER.FIELDS" || rest == "HEADER.FIELDS.NOT") {
        item.part =
            rest == "HEADER.FIELDS" ? section_part::header_fields : section_part::header_fields_not;
        return header_list(in, item);
    } else {
        in.fail(expected, at);
        return false;
    }
    return true;
}

// What follows "BODY" or "BODY.PEEK": "[" [section-spec] "]" ["<" number "." nz-number ">"]
bool body_section(arg_reader& in, fetch_item& item)
{
    item.label = "BODY[";
    if (!in.take(']')) {
        if (!section_spec(in, item) || !in.expect(']', "\"]\" ending the section")) {
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
    const auto at = in.offset();
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
    if (w == "BODY" || w == "BODYSTRUCTURE") {
        return simple(w == "BODY" ? kind::body : kind::structure, w);
    }
    in.fail("a FETCH item (ENVELOPE, FLAGS, INTERNALDATE, RFC822, RFC822.HEADER, RFC822.SIZE, "
            "RFC822.TEXT, UID, BODY, BODYSTRUCTURE, BODY[...], BODY.PEEK[...])",
            at);
    return std::nullopt;
}

bool add_macro(const std::string& name, fetch_request& req)
{
    // RFC 3501 §6.4.5: ALL = (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE); FAST = (FLAGS
    // INTERNALDATE RFC822.SIZE); FULL = (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY).
    if (name != "ALL" && name != "FAST" && name != "FULL") {
        return false;
    }
    req.items.push_back(simple(kind::flags, "FLAGS"));
    req.items.push_back(simple(kind::internal_date, "INTERNALDATE"));
    req.items.push_back(simple(kind::rfc822_size, "RFC822.SIZE"));
    if (name != "FAST") {
        req.items.push_back(simple(kind::envelope, "ENVELOPE"));
    }
    if (name == "FULL") {
        req.items.push_back(simple(kind::body, "BODY"));
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
    if (in.peek_word("ALL") || in.peek_word("FAST") || in.peek_word("FULL")) {
        auto word = in.keyword("ALL, FAST or FULL");
        if (!word || !add_macro(*word, req)) {
            in.fail("a FETCH item or the macro ALL, FAST or FULL");
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

section_text section_of(const fetch_item& item, std::string_view content)
{
    section_text out;
    auto message = split_message(content);
    if (!item.part_path.empty()) {
        // RFC 3501 §6.4.5: a part's text or MIME header; HEADER, HEADER.FIELDS and TEXT of a
        // part name those of the message inside a message/rfc822 part.
        const auto tree = parse_mime(content);
        const auto* part = find_part(tree, item.part_path);
        const auto* inner = part ? inner_message(*part) : nullptr;
        const bool own = item.part == section_part::whole || item.part == section_part::mime;
        if (!part || (!own && !inner)) {
            out.exists = false;
            return out;
        }
        if (own) {
            out.stored = item.part == section_part::whole ? part->body : part->header;
            return out;
        }
        message = {inner->header, inner->body};
    }
    switch (item.part) {
    case section_part::header:
        out.stored = message.header;
        break;
    case section_part::text:
        out.stored = message.body;
        break;
    case section_part::header_fields:
    case section_part::header_fields_not:
        out.built = header_subset(message.header, item.fields,
                                  item.part == section_part::header_fields_not);
        break;
    default:
        out.stored = content;
        break;
    }
    return out;
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
