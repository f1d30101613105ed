#pragma once

// What a fault decided at phase `verify` makes a mailbox session do: the one reading of a
// faults::action for the POP3 and IMAP sessions. The sessions ask the fault engine when a
// connection opens (no command) and before each command (its verb, e.g. USER, PASS, LOGIN,
// SELECT, RETR, FETCH or "UID FETCH"), and carry the answer out in their own protocol. No I/O.

#include "faults/action.hpp"

#include <optional>
#include <string>

namespace mock::imap {

/// A fault at one decision point of a mailbox session.
struct mailbox_fault {
    /// How a `do.reply` refuses the command (or the connection), by its code's first digit.
    enum class refusal {
        none,      ///< no reply: nothing is refused
        temporary, ///< 4xx: POP3 -ERR [SYS/TEMP], IMAP NO [UNAVAILABLE]
        permanent, ///< 5xx: POP3 -ERR (with [AUTH] at USER/PASS), IMAP NO
    };
    refusal refuse = refusal::none; ///< whether and how the command is refused
    /// With a refusal: the reply's text, without its code and enhanced code.
    std::string text;
    /// Bytes sent verbatim (`do.raw`) in place of the normal response; the command is not run.
    std::optional<std::string> raw;
    /// What happens afterwards: carry on, hang (read and discard until the client goes or
    /// the autologout time), or close with FIN or RST.
    faults::ending end = faults::ending::proceed;

    /// Whether the command is carried out normally (no rule fired, or one that changes nothing
    /// the session sends).
    bool healthy() const noexcept
    {
        return refuse == refusal::none && !raw && end == faults::ending::proceed;
    }
};

/// The mailbox reading of `a`. A send that starts with a 4xx or 5xx reply code is a refusal
/// (the rule loader allows no other codes at phase verify); any other send is raw bytes.
mailbox_fault read_mailbox_fault(const faults::action& a);

} // namespace mock::imap
