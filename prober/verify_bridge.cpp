// The round-trip check: adapts the POP3/IMAP clients of verify/ to the probe driver.
#include "prober/error.hpp"
#include "prober/probe_driver.hpp"
#include "verify/verify.hpp"

namespace prober {

verify_function default_verifier()
{
    return [](const verify_spec& spec, std::string message_id, std::chrono::milliseconds timeout,
              std::chrono::steady_clock::time_point) -> boost::asio::awaitable<verify_report> {
        verify_report report;
        auto target = verify::parse_verify_url(spec.url);
        if (!target) {
            report.ec = target.error();
            report.detail = "invalid --verify URL: " + target.error().message();
            co_return report;
        }
        target->ca_file = spec.ca_file;
        auto outcome = co_await verify::verify_delivery(*target, std::move(message_id), timeout,
                                                        std::chrono::milliseconds(500),
                                                        dns_settings_of(spec.dns_server));
        report.delivered = outcome.delivered;
        if (outcome.delivered) {
            report.latency = outcome.latency;
            report.copies = outcome.copies;
            if (outcome.message) {
                report.message =
                    received_message{outcome.message->subject, std::move(outcome.message->body),
                                     outcome.message->body_truncated};
            }
        } else {
            report.kind = verify::classify(outcome);
            report.ec = outcome.error ? outcome.error : make_error_code(probe_errc::not_delivered);
        }
        report.detail = outcome.detail;
        if (!outcome.delivered && outcome.polls > 0) {
            report.detail += " (" + std::to_string(outcome.polls) + " polls)";
        }
        report.transcript = std::move(outcome.transcript);
        co_return report;
    };
}

} // namespace prober
