#pragma once

// Domain names (RFC 1035 §3.1): held in uncompressed wire form with their case as received,
// compared ignoring ASCII case (RFC 4343 §3). No I/O.
//
//   auto n = dns::name::parse("Mail.Example.TEST");   // result<name>
//   n->to_string();                                    // "Mail.Example.TEST"
//   *n == *dns::name::parse("mail.example.test");      // true
//   n->is_subdomain_of(*dns::name::parse("test"));     // true

#include <boost/system/result.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dns {

/// The longest label, in octets (RFC 1035 §2.3.4).
inline constexpr std::size_t max_label_length = 63;

/// The longest name in wire form, length octets and the root label included (RFC 1035 §2.3.4).
inline constexpr std::size_t max_name_length = 255;

/// A fully qualified domain name.
class name {
public:
    /// The root, ".".
    name();

    /// Parses the presentation form (RFC 1035 §5.1): labels separated by dots, an optional
    /// final dot, and the escapes `\X` (X taken literally) and `\DDD` (a decimal octet). ""
    /// and "." are the root. Fails with errc::empty_label, label_too_long, name_too_long or
    /// bad_escape.
    static boost::system::result<name> parse(std::string_view text);

    /// Takes an uncompressed wire form (length-prefixed labels ending with the root label), as
    /// a message parser assembles it. Fails with errc::bad_label_type, label_too_long,
    /// name_too_long or truncated.
    static boost::system::result<name> from_wire(std::string_view wire);

    /// The uncompressed wire form, with the final root label.
    const std::string& wire() const noexcept { return wire_; }

    /// The labels, leftmost first; empty for the root.
    std::vector<std::string_view> labels() const;

    /// How many labels, the root not counted.
    std::size_t label_count() const noexcept;

    /// Whether this is the root.
    bool is_root() const noexcept { return wire_.size() == 1; }

    /// The presentation form without the final dot ("." for the root), with `.`, `\` and the
    /// master-file specials escaped by a backslash and other octets outside 0x21-0x7E as \DDD.
    std::string to_string() const;

    /// The wire form in lower case: equal names have equal keys (RFC 4343 §3).
    std::string key() const;

    /// Whether this name is `ancestor` or below it, ignoring case.
    bool is_subdomain_of(const name& ancestor) const noexcept;

    /// The labels left of `ancestor`, leftmost first; empty unless this name is below it.
    std::vector<std::string_view> labels_below(const name& ancestor) const;

    /// `label` followed by this name. Fails with errc::empty_label, label_too_long or
    /// name_too_long.
    boost::system::result<name> prepend(std::string_view label) const;

    /// Equal octet for octet, case included.
    bool identical(const name& other) const noexcept { return wire_ == other.wire_; }

    /// Equal ignoring ASCII case (RFC 4343 §3).
    friend bool operator==(const name& a, const name& b) noexcept;

private:
    explicit name(std::string wire)
        : wire_(std::move(wire))
    {
    }

    // Offsets in wire_ of each label's length octet, leftmost first.
    std::vector<std::size_t> label_offsets() const;

    std::string wire_;
};

/// Whether `a` and `b` are equal ignoring ASCII case, the comparison of DNS labels and names in
/// wire form (RFC 4343 §3: only A-Z and a-z fold; other octets compare exactly).
bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept;

} // namespace dns
