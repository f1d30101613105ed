#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace smtp {

/// The steps of an SMTP conversation, in order. Shared by the mock (to place faults),
/// the probe (to say where a failure happened) and the harness (to compare the two).
enum class phase {
    dns,      ///< resolving the target host name
    connect,  ///< establishing the TCP connection
    tls,      ///< the TLS handshake, implicit or after STARTTLS
    banner,   ///< awaiting the 220 greeting
    ehlo,     ///< EHLO and its reply
    helo,     ///< HELO and its reply
    starttls, ///< the STARTTLS command and its 220
    auth,     ///< AUTH and its exchange
    mail,     ///< MAIL FROM
    rcpt,     ///< RCPT TO
    data,     ///< DATA, awaiting 354
    body,     ///< sending the message content
    data_end, ///< awaiting the reply to the final dot
    rset,     ///< RSET
    noop,     ///< NOOP
    vrfy,     ///< VRFY
    quit,     ///< QUIT
    verify,   ///< the round-trip fetch over POP3 or IMAP
};

/// Every phase, in conversation order.
inline constexpr std::array all_phases{
    phase::dns,      phase::connect, phase::tls,  phase::banner, phase::ehlo, phase::helo,
    phase::starttls, phase::auth,    phase::mail, phase::rcpt,   phase::data, phase::body,
    phase::data_end, phase::rset,    phase::noop, phase::vrfy,   phase::quit, phase::verify,
};

/// The contract name of a phase, e.g. "data_end".
std::string_view to_string(phase p) noexcept;

/// The phase with this contract name, if any.
std::optional<phase> parse_phase(std::string_view name) noexcept;

} // namespace smtp
