#pragma once

// JSON views of the mock's records for the control API.

#include "mockserver/message_store.hpp"
#include "mockserver/session_record.hpp"

#include <boost/json/value.hpp>
#include <chrono>
#include <string>

namespace mock::control {

/// A session: id, peer, local, started_at, ended_at, outcome, closed_by, tls, auth, transcript,
/// fired, messages.
boost::json::value to_json(const session_record::snapshot& s);

/// A session as a transcript for people (GET /api/v1/sessions/{id}?format=text): who and when,
/// then one line per entry with its time, the delay since the previous one when there is one,
/// and `S:`, `C:` or `*` (an event), then the fault rules that fired and how it ended.
std::string to_text(const session_record::snapshot& s);

/// A message's metadata: id, from, to, size, received_at, session, tls, auth. The addresses are
/// escaped with smtp::escape_bytes, as transcripts are.
boost::json::value to_json(const captured_message& m);

} // namespace mock::control
