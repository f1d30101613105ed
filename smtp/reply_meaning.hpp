#pragma once

// What a server reply line means, in words, for transcripts people read: the reply code by its
// digits (RFC 5321 §4.2.1) and the enhanced status code by its class and subject (RFC 3463 §3).
//
//   reply_meaning("421 4.3.2 Service not available")
//     -> "4xx transient failure (try again later), about the connection;
//         4.3.2: persistent transient failure, mail system status"

#include <string>
#include <string_view>

namespace smtp {

/// The meaning of a reply line such as "550 5.1.1 no such user" (or "250-PIPELINING"): the
/// first digit's (2 success, 3 intermediate, 4 transient failure, 5 permanent failure), the
/// second digit's (syntax, information, connection, authentication, mail system), and, when
/// the text starts with an enhanced status code, its class and subject. Empty when the line does
/// not start with a reply code.
std::string reply_meaning(std::string_view line);

} // namespace smtp
