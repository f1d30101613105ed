#pragma once

// What a TLS client learns about the session and the server's certificate. Plain data; no I/O.

#include <cstdint>
#include <optional>
#include <string>

namespace io {

/// The server's certificate.
struct certificate_info {
    /// The subject, in RFC 2253 form (non-ASCII and control characters escaped).
    std::string subject;
    /// The issuer, in RFC 2253 form.
    std::string issuer;
    /// notAfter as seconds since the Unix epoch.
    std::int64_t not_after = 0;
    /// Whole days from now until notAfter (negative once expired).
    int days_left = 0;
};

/// The negotiated TLS session.
struct tls_info {
    /// The protocol version, e.g. "TLSv1.3".
    std::string version;
    /// The cipher suite, e.g. "TLS_AES_256_GCM_SHA384".
    std::string cipher;
    /// The peer certificate, when one was presented.
    std::optional<certificate_info> certificate;
};

} // namespace io
