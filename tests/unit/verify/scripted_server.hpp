#pragma once

// Drives a sans-I/O mailbox client (pop3_client, imap_client) through a scripted dialogue, with
// the server's bytes split where a test asks and an error injected at any step.

#include "verify/client_action.hpp"
#include "verify/verify_error.hpp"

#include <boost/asio/error.hpp>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

namespace verify_test {

using verify::check_result;
using verify::check_status;
using verify::client_action;

/// One turn of a dialogue: bytes the client must write, or bytes the server sends.
struct exchange {
    bool from_client = false; ///< true: the client writes `bytes`; false: the server sends them
    std::string bytes;        ///< exact bytes
};

/// The client writes exactly these bytes.
inline exchange C(std::string bytes)
{
    return {true, std::move(bytes)};
}
/// The server sends these bytes.
inline exchange S(std::string bytes)
{
    return {false, std::move(bytes)};
}

using dialogue = std::vector<exchange>;

constexpr std::size_t none = std::numeric_limits<std::size_t>::max();

/// How to run a dialogue.
struct run_options {
    std::size_t split_exchange = none; ///< cut this server exchange ...
    std::size_t split_at = 0;          ///< ... after this many octets
    bool byte_by_byte = false;         ///< deliver every server octet separately
    std::size_t fail_step = none;      ///< pass `fail_with` instead of performing this action
    boost::system::error_code fail_with = boost::asio::error::connection_reset;
    /// Deliver end of stream when the server has nothing more to say and the client reads.
    bool eof_at_end = true;
};

/// What happened.
struct run_outcome {
    check_result result;                 ///< the client's result
    std::vector<std::string> transcript; ///< the client's transcript
    std::size_t steps = 0;               ///< actions performed (or failed)
    bool found_at_failure = false;       ///< client.found() when the error was injected
    bool failed_on_read = false;         ///< the injected error replaced a read
    std::string mismatch;                ///< the client left the script: what went wrong
};

template <typename Client>
run_outcome run_dialogue(Client& client, const dialogue& script, const run_options& options = {})
{
    run_outcome out;
    std::size_t at = 0;     // current exchange
    std::size_t offset = 0; // octets of it already done
    client_action action = client.next({}, {});
    while (action.type != client_action::kind::done) {
        if (out.steps > 200000) {
            out.mismatch = "no end after 200000 steps";
            break;
        }
        if (out.steps == options.fail_step) {
            ++out.steps;
            out.found_at_failure = client.found();
            out.failed_on_read = action.type == client_action::kind::read;
            action = client.next(options.fail_with, {});
            if (action.type != client_action::kind::done) {
                out.mismatch = "client carried on after an I/O error";
            }
            break;
        }
        ++out.steps;
        if (action.type == client_action::kind::write) {
            if (action.timeout.count() <= 0) {
                out.mismatch = "write without a timeout";
                break;
            }
            if (at >= script.size() || !script[at].from_client) {
                out.mismatch = "unexpected write: " + std::string(action.bytes);
                break;
            }
            const std::string& expected = script[at].bytes;
            if (expected.compare(offset, action.bytes.size(), action.bytes) != 0 ||
                offset + action.bytes.size() > expected.size()) {
                out.mismatch = "wrote [" + std::string(action.bytes) + "] expected [" +
                               expected.substr(offset) + "]";
                break;
            }
            offset += action.bytes.size();
            if (offset == expected.size()) {
                ++at;
                offset = 0;
            }
            action = client.next({}, {});
            continue;
        }
        // read
        if (action.timeout.count() <= 0) {
            out.mismatch = "read without a timeout";
            break;
        }
        if (at >= script.size()) {
            if (!options.eof_at_end) {
                out.mismatch = "client reads after the end of the script";
                break;
            }
            action = client.next(boost::asio::error::eof, {});
            continue;
        }
        if (script[at].from_client) {
            out.mismatch = "client reads; it should write [" + script[at].bytes + "]";
            break;
        }
        const std::string& bytes = script[at].bytes;
        std::size_t n = bytes.size() - offset;
        if (options.byte_by_byte) {
            n = 1;
        } else if (at == options.split_exchange && offset < options.split_at) {
            n = options.split_at - offset;
        }
        const std::string chunk = bytes.substr(offset, n);
        offset += n;
        if (offset == bytes.size()) {
            ++at;
            offset = 0;
        }
        action = client.next({}, chunk);
    }
    if (out.mismatch.empty() && options.fail_step == none && at < script.size()) {
        out.mismatch = "script not finished; next: [" + script[at].bytes + "]";
    }
    out.result = client.result();
    out.transcript = client.transcript();
    return out;
}

/// Octets the server sends in the whole dialogue, per exchange index.
inline std::vector<std::size_t> server_exchanges(const dialogue& script)
{
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < script.size(); ++i) {
        if (!script[i].from_client) {
            out.push_back(i);
        }
    }
    return out;
}

} // namespace verify_test
