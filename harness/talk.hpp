#pragma once

// `smtp-harness talk [SCENARIO]`: an interactive SMTP prompt against a fresh embedded mock
// serving the scenario. Each typed line goes out with CRLF; each reply is shown with the time
// it took, and a line the server sends on its own (a 421 before the next command, a banner
// after a delay) the moment it arrives. Lines come from a terminal, a pipe or a file.

#include "faults/scenario.hpp"
#include "harness/scenario_mock.hpp"

#include <chrono>
#include <iosfwd>

namespace harness {

/// How the prompt behaves.
struct talk_options {
    /// How long to wait for a reply before saying the server is silent.
    std::chrono::milliseconds reply_timeout{10000};
    /// Print "C: " before reading each line (a terminal) instead of echoing the line (a pipe).
    bool prompt = false;
};

/// Starts a mock of `s`, connects to it (implicit TLS when the scenario's probe uses it), and
/// runs the conversation typed on the descriptor `input_fd` (read through a duplicate; its
/// flags are put back), writing the transcript to `out`. Ends at the end of input, after QUIT,
/// or when the server closes. Returns 0, or 1 when the connection could not be made.
int talk(const faults::scenario& s, const mock_settings& settings, int input_fd, std::ostream& out,
         const talk_options& options);

} // namespace harness
