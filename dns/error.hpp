#pragma once

// Errors of the DNS core (dns/): malformed messages and names, and zone data that cannot be
// served. No I/O.

#include <boost/system/error_code.hpp>
#include <type_traits>

namespace dns {

/// What was wrong with a DNS message, a name or a record.
enum class errc {
    truncated = 1,        ///< the message ends inside a field (RFC 1035 §4.1)
    trailing_data,        ///< octets after the last record the header counts
    bad_label_type,       ///< a label of the reserved types 01 or 10 (RFC 1035 §4.1.4)
    pointer_out_of_range, ///< a compression pointer into the header or past the end
    pointer_loop,         ///< a compression pointer not to a prior name (RFC 1035 §4.1.4)
    label_too_long,       ///< a label over 63 octets (RFC 1035 §2.3.4)
    name_too_long,        ///< a name over 255 octets (RFC 1035 §2.3.4)
    empty_label,          ///< an empty label inside a name ("a..b")
    bad_escape,           ///< a backslash escape that is not \X or \DDD (RFC 1035 §5.1)
    bad_rdata,            ///< RDATA that does not match its type or its RDLENGTH
    bad_opt,              ///< an OPT record not in the additional section, not owned by
                          ///< the root, or given twice (RFC 6891 §6.1.1)
    message_too_large,    ///< over the size allowed: 65535 octets, or the UDP payload size
    short_frame,          ///< a TCP frame shorter than a DNS header (RFC 1035 §4.2.2)
    string_too_long,      ///< a character-string over 255 octets (RFC 1035 §3.3)
    rdata_too_long,       ///< RDATA over 65535 octets
    outside_zone,         ///< a record whose owner is not in the zone
    unsupported_record,   ///< a record the zone does not serve (CNAME, a delegation, OPT)
};

/// The category of errc, named "dns".
const boost::system::error_category& category() noexcept;

/// Makes an error_code from an errc.
inline boost::system::error_code make_error_code(errc e) noexcept
{
    return {static_cast<int>(e), category()};
}

} // namespace dns

template <> struct boost::system::is_error_code_enum<dns::errc> : std::true_type {
};
