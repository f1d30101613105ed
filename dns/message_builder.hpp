#pragma once

// Building DNS messages in wire form (RFC 1035 §4.1) within a size limit: names are
// compressed (RFC 1035 §4.1.4), and a question or record that would pass the limit is not
// written at all, so a responder can stop at the first RRset that does not fit and set TC
// (RFC 2181 §9). No I/O.
//
//   dns::message_builder b(512);
//   b.add_question(q);
//   for (auto& rr : answers) if (b.add(dns::section::answer, rr)) break;  // error: stop
//   auto wire = b.finish(h);

#include "dns/message.hpp"

#include <array>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace dns {

/// The sections of a message, in wire order.
enum class section { question, answer, authority, additional };

/// Writes one message. Sections are filled in wire order: question, answer, authority,
/// additional (the OPT record last).
class message_builder {
public:
    /// A state to roll back to, e.g. to drop a whole RRset of which only part fitted.
    struct checkpoint {
        std::size_t size = 0;                  ///< octets written
        std::array<std::uint16_t, 4> counts{}; ///< records per section
    };

    /// Builds a message of at most `limit` octets (at most max_message_size).
    explicit message_builder(std::size_t limit = max_message_size);

    /// Changes the limit, e.g. to the full payload size before the OPT record that was kept
    /// room for.
    void set_limit(std::size_t limit) noexcept;

    /// The limit in octets.
    std::size_t limit() const noexcept { return limit_; }

    /// Octets written so far, the header included.
    std::size_t size() const noexcept { return out_.size(); }

    /// Adds a question. Fails with errc::message_too_large when it does not fit.
    boost::system::error_code add_question(const question& q);

    /// Adds a record to `s` (answer, authority or additional). Fails, writing nothing, with
    /// errc::message_too_large when it does not fit, errc::string_too_long for a TXT
    /// character-string over 255 octets, errc::rdata_too_long.
    boost::system::error_code add(section s, const resource_record& rr);

    /// Adds the OPT record (RFC 6891 §6.1.2) at the end of the additional section.
    boost::system::error_code add_opt(const edns& opt);

    /// The current state.
    checkpoint mark() const noexcept { return {out_.size(), counts_}; }

    /// Forgets everything written after `c`.
    void rollback(const checkpoint& c);

    /// The message with header `h` and the section counts; the builder is then empty.
    std::vector<std::uint8_t> finish(const header& h);

private:
    void put8(std::uint8_t v) { out_.push_back(v); }
    void put16(std::uint16_t v);
    void put32(std::uint32_t v);
    void put_name(const name& n);
    boost::system::error_code put_rdata(const resource_record& rr);
    boost::system::error_code commit(section s, const checkpoint& before);

    std::vector<std::uint8_t> out_;
    std::array<std::uint16_t, 4> counts_{};
    // Lower-cased wire suffixes already written, and where: the targets of compression
    // pointers. Matching ignores case, so a record owned by "mail.test" after the question
    // "MAIL.test" is written as a pointer and reads back as the name was asked (RFC 4343 §4).
    std::map<std::string, std::uint16_t> suffixes_;
    std::size_t limit_;
};

/// The whole message in wire form, OPT included. Fails like message_builder::add, with
/// errc::message_too_large when it exceeds max_message_size.
boost::system::result<std::vector<std::uint8_t>> encode(const message& m);

} // namespace dns
