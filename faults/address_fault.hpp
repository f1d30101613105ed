#pragma once

// Faults chosen by an address (BadSMTP's idea): with a rule `do: {address_faults: true}` at
// MAIL or RCPT, the local part of the sender or recipient picks what the server does with that
// command, so a monitor that can only be configured (check_smtp, swaks, Uptime Kuma) can be
// pointed at a failure through the address it sends to.
//
//   local-part = token *("+" token)            ; case-insensitive
//   token      = "fail-" code ["-" enhanced]    ; reply code 4xx/5xx, e.g. fail-550-5.1.1
//              / "delay-" duration              ; e.g. delay-5s, delay-250ms (at most 24h)
//              / "hang" / "drop" / "reset"      ; send nothing / close (FIN) / abort (RST)
//
//   decode_address_fault("fail-450+delay-2s")  -> delay 2s, then "450 4.0.0 ..."
//   decode_address_fault("alice")              -> nothing: an ordinary address

#include "faults/action.hpp"

#include <optional>
#include <string_view>

namespace faults {

/// The instructions a local part asks for; nothing when it is not entirely made of tokens (an
/// ordinary address, or a token with a bad value). A `fail-` reply's text is `why`.
std::optional<action>
decode_address_fault(std::string_view local_part,
                     std::string_view why = "Failure requested by the address");

} // namespace faults
