// smtp-verify-check: runs one round-trip verification and prints the outcome as one JSON
// object. A test driver for tests/interop/test_verify_*.py; not installed.
//
//   smtp-verify-check URL MESSAGE_ID [--timeout MS] [--interval MS] [--insecure]
//
// Exit status: 0 delivered and deleted, 1 anything else, 3 usage error.

#include "io/awaitable.hpp"
#include "verify/verify.hpp"

#include "json/json_text.hpp"
#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <iostream>
#include <stdexcept>

namespace net = boost::asio;

int main(int argc, char** argv)
{
    CLI::App app{"Poll a POP3/IMAP mailbox for a message and delete it"};
    std::string url;
    std::string message_id;
    long timeout_ms = 10000;
    long interval_ms = 500;
    bool insecure = false;
    app.add_option("url", url, "pop3://USER:PASS@HOST:PORT, pop3s://, imap://, imaps://")
        ->required();
    app.add_option("message_id", message_id, "the Message-ID to find")->required();
    app.add_option("--timeout", timeout_ms, "give up after this many milliseconds")
        ->check(CLI::PositiveNumber);
    app.add_option("--interval", interval_ms, "poll every this many milliseconds")
        ->check(CLI::PositiveNumber);
    app.add_flag("--insecure", insecure, "do not verify the TLS certificate");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : 3;
    }

    auto target = verify::parse_verify_url(url);
    if (!target) {
        std::cerr << "smtp-verify-check: " << target.error().message() << "\n";
        return 3;
    }
    target->insecure = target->insecure || insecure;

    auto outcome = io::run_to_completion(
        verify::verify_delivery(*target, message_id, std::chrono::milliseconds(timeout_ms),
                                std::chrono::milliseconds(interval_ms)),
        [](const char* what) -> verify::verify_outcome { throw std::runtime_error(what); });

    boost::json::object out;
    out["delivered"] = outcome.delivered;
    out["latency_ms"] = outcome.latency.count();
    out["detail"] = outcome.detail;
    out["polls"] = outcome.polls;
    if (outcome.error) {
        out["error"] = outcome.error.message();
        out["error_category"] = outcome.error.category().name();
        out["kind"] = std::string(smtp::to_string(verify::classify(outcome)));
    } else {
        out["error"] = nullptr;
    }
    boost::json::array transcript;
    for (const auto& line : outcome.transcript) {
        transcript.emplace_back(line);
    }
    out["transcript"] = std::move(transcript);
    std::cout << json_text::serialize(out) << std::endl;
    return outcome.delivered && !outcome.error ? 0 : 1;
}
