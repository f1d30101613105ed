#pragma once

#include "io/tls_info.hpp"
#include "prober/dnsbl_check.hpp"
#include "prober/mx_route.hpp"
#include "smtp/failure_kind.hpp"
#include "smtp/phase.hpp"
#include "smtp/reply.hpp"

#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace prober {

/// The Nagios plugin status of a probe.
enum class probe_status {
    ok = 0,       ///< everything worked within the thresholds
    warning = 1,  ///< slow, certificate expiring, a failure at QUIT, or a downgraded 4xx
    critical = 2, ///< any other failure
    unknown = 3,  ///< a usage or internal error: the service was not judged
};

/// "OK", "WARNING", "CRITICAL" or "UNKNOWN".
std::string_view to_string(probe_status s) noexcept;

/// The process exit code for a status (Nagios plugin conventions).
inline int exit_code(probe_status s) noexcept
{
    return static_cast<int>(s);
}

/// What went wrong: exactly one kind at one phase.
struct probe_failure {
    /// What kind of failure.
    smtp::failure_kind kind = smtp::failure_kind::timeout;
    /// Where it happened.
    smtp::phase at = smtp::phase::connect;
    /// The reply code, or 0 when no reply was involved.
    int code = 0;
    /// The RFC 3463 enhanced code of the reply, when it had one.
    std::optional<smtp::enhanced_code> enhanced;
    /// A sentence a person understands, e.g. "no reply within 3.000s, received nothing".
    std::string message;
    /// The bytes received in the failing phase, escaped (see escape_bytes).
    std::string received;
    /// The probe's own error code (prober::probe_errc), or the system error behind it.
    boost::system::error_code error;
};

/// Who said a transcript line.
enum class transcript_dir {
    server, ///< "S": a line received from the server
    client, ///< "C": a line sent by the probe
    event,  ///< "event": something the probe did or saw (connect, TLS, close)
};

/// One line of the annotated transcript.
struct transcript_entry {
    /// Time since the probe started.
    std::chrono::microseconds t{0};
    /// Who said it.
    transcript_dir dir = transcript_dir::event;
    /// The line without CRLF, escaped; credentials are masked.
    std::string text;
    /// Whether the line travelled inside TLS.
    bool tls = false;
};

/// The server's certificate (what io's TLS client reports).
using certificate_info = io::certificate_info;

/// The negotiated TLS session (what io's TLS client reports).
using tls_info = io::tls_info;

/// The test message and its round trip.
struct delivery_info {
    /// The Message-ID of the test message, without angle brackets.
    std::string message_id;
    /// The reply to the final dot, e.g. "250 2.0.0 Ok: queued as 4F2", escaped.
    std::string queued_reply;
    /// Time from the end of DATA to the message being found in the mailbox.
    std::optional<std::chrono::milliseconds> latency;
    /// Whether the server accepted the message (250 to the final dot).
    bool accepted = false;
};

/// The outcome of probing one target.
struct probe_result {
    /// "host:port" as probed.
    std::string target;
    /// When the probe started.
    std::chrono::system_clock::time_point started_at{};
    /// The Nagios status.
    probe_status status = probe_status::unknown;
    /// What failed; empty when status is OK.
    std::optional<probe_failure> failure;
    /// Time spent in each phase reached, in conversation order.
    std::vector<std::pair<smtp::phase, std::chrono::microseconds>> timings;
    /// Time of the whole SMTP session (the value compared with -w/-c).
    std::chrono::microseconds total{0};
    /// The banner text (the 220 reply without its code), escaped (see smtp::escape_bytes):
    /// printable ASCII only, whatever the server sent.
    std::string banner;
    /// The EHLO keywords with their parameters, e.g. "SIZE 10240000" (last EHLO), escaped.
    std::vector<std::string> extensions;
    /// The TLS session, when TLS was used.
    std::optional<tls_info> tls;
    /// The test message, when one was sent.
    std::optional<delivery_info> delivery;
    /// The annotated transcript.
    std::vector<transcript_entry> transcript;
    /// With --mx: the mail domain's route, the MX host and address probed (or why none was).
    std::optional<mx_outcome> mx;
    /// What each DNS blocklist of --dnsbl says about the server's address, in their order.
    std::vector<dnsbl_result> dnsbl;
    /// The code of the last reply received, or 0.
    int last_code = 0;
    /// The address connected to, as "127.0.0.1:25" or "[::1]:25"; empty when no connection was
    /// made.
    std::string peer;

    /// The code of the reply that decided the outcome: the failing reply when a reply failed
    /// the probe, else the last reply received (0 when none).
    int deciding_code() const noexcept
    {
        return failure && failure->code != 0 ? failure->code : last_code;
    }
    /// The -w threshold, for perfdata.
    std::optional<std::chrono::milliseconds> warning;
    /// The -c threshold, for perfdata.
    std::optional<std::chrono::milliseconds> critical;
    /// For UNKNOWN: why the probe could not judge the service.
    std::string internal_error;

    /// Whether the status is OK.
    bool ok() const noexcept { return status == probe_status::ok; }

    /// The time spent in a phase, if it was reached.
    std::optional<std::chrono::microseconds> timing(smtp::phase p) const noexcept;
};

} // namespace prober
