#pragma once

#include "mockserver/server_options.hpp"

#include <optional>
#include <string>

namespace mock {

/// The result of reading smtp-mock's command line.
struct cli_result {
    std::optional<server_options> options; ///< set when the program should run
    int exit_code = 0;                     ///< otherwise: exit with this code
    /// `--check ADDR`: instead of running, ask the control API at ADDR whether a mock serves
    /// there (with `control_token` when given), and exit with the answer.
    std::optional<std::string> check;
    /// The `--control-token` given with `--check`.
    std::string check_token;
};

/// Parses smtp-mock's command line; prints help or errors itself.
cli_result parse_command_line(int argc, char** argv);

} // namespace mock
