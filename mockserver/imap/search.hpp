#pragma once

// SEARCH criteria (RFC 3501 §6.4.4): parsed into a tree of keys and matched against one
// message at a time. Every key of RFC 3501 is understood; keywords are never set on this
// server, so KEYWORD matches nothing and UNKEYWORD everything. No I/O.

#include "mockserver/imap/command_parser.hpp"
#include "mockserver/imap/mailbox.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mock::imap {

/// One message as SEARCH sees it.
struct search_subject {
    std::uint32_t sequence = 0;                          ///< its message sequence number
    std::uint32_t uid = 0;                               ///< its UID
    flag_set flags = 0;                                  ///< its permanent flags
    bool recent = false;                                 ///< \Recent in this session
    std::string_view content;                            ///< the message
    std::chrono::system_clock::time_point internal_date; ///< its internal date
};

/// What "*" stands for in sequence sets of the criteria.
struct search_bounds {
    std::uint32_t messages = 0;    ///< the largest sequence number
    std::uint32_t largest_uid = 0; ///< the largest UID
};

/// One search key, possibly with children (NOT, OR, a parenthesised list).
struct search_key {
    /// What the key tests.
    enum class test : std::uint8_t {
        all,         ///< ALL, UNKEYWORD
        nothing,     ///< KEYWORD (no keywords exist here)
        has_flag,    ///< ANSWERED DELETED DRAFT FLAGGED SEEN
        lacks_flag,  ///< UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNSEEN
        recent,      ///< RECENT
        old,         ///< OLD: not \Recent
        fresh,       ///< NEW: \Recent and not \Seen
        header,      ///< HEADER, FROM, TO, CC, BCC, SUBJECT
        body,        ///< BODY
        text,        ///< TEXT
        before,      ///< BEFORE: internal date
        on,          ///< ON
        since,       ///< SINCE
        sent_before, ///< SENTBEFORE: the Date header
        sent_on,     ///< SENTON
        sent_since,  ///< SENTSINCE
        larger,      ///< LARGER: RFC 822 size
        smaller,     ///< SMALLER
        uid,         ///< UID set
        sequence,    ///< a sequence set
        negate,      ///< NOT: the one child does not match
        either,      ///< OR: one of the two children matches
        every,       ///< a list: every child matches
    };
    test what = test::all;            ///< the test
    flag_set flag = 0;                ///< for flag tests
    std::string field;                ///< for header: the field name
    std::string value;                ///< for header, body, text: the string to find
    civil_date date{};                ///< for date tests
    std::uint32_t size = 0;           ///< for larger, smaller
    sequence_set set;                 ///< for uid, sequence
    std::vector<search_key> children; ///< for negate, either, every
};

/// The criteria of a SEARCH command.
struct search_program {
    std::optional<std::string> charset; ///< CHARSET, when given
    search_key key;                     ///< every criterion, as one list
};

/// Parses what follows "SEARCH" (with its leading SP): [CHARSET astring] 1*(SP search-key).
/// Lists and NOT/OR nest at most `max_depth` deep.
std::optional<search_program> parse_search(arg_reader& in, std::size_t max_depth = 32);

/// Whether `m` matches `key`.
bool matches(const search_key& key, const search_subject& m, const search_bounds& bounds);

} // namespace mock::imap
