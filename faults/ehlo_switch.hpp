#pragma once

// Faults chosen by the name a client greets with: with a rule `do: {ehlo_switches: true}` at
// EHLO or HELO, the leading part of the client's name switches extensions off or picks what the
// server answers, so that a client that can only be configured with the name it greets with
// (smtp-probe --helo, check_smtp -F, swaks --ehlo) meets a fault:
//
//   name     = switches ["." domain]              ; case-insensitive
//   switches = switch *("+" switch)
//   switch   = "nostarttls" / "noauth"             ; STARTTLS / AUTH left out of the EHLO reply
//            / address-fault token                 ; fail-550-5.7.1, delay-2s, hang, drop, reset
//
// The switches end at the first "." after which the part before it is valid, so enhanced codes
// and decimal durations keep their dots: "fail-554-5.7.1.client.example" fails with 554 5.7.1.
//
//   decode_ehlo_switch("nostarttls.client.example")  -> withhold STARTTLS
//   decode_ehlo_switch("mail.example.org")           -> nothing: an ordinary name

#include "faults/action.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faults {

/// The instructions an EHLO or HELO name asks for; nothing for an ordinary name.
std::optional<action> decode_ehlo_switch(std::string_view name);

} // namespace faults
