#include "io/client_connection.hpp"
#include "io/client_error.hpp"
#include "verify/imap_client.hpp"
#include "verify/message_id_scanner.hpp"
#include "verify/pop3_client.hpp"
#include "verify/verify.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/this_coro.hpp>
#include <deque>
#include <optional>

namespace verify {
namespace {

namespace net = boost::asio;
using clock_type = std::chrono::steady_clock;

/// Polls before the last whose summary lines the outcome keeps.
constexpr std::size_t max_poll_summaries = 100;
/// How long one step (connect, one write, one read) may take, within the total deadline.
constexpr std::chrono::milliseconds step_timeout{std::chrono::seconds(10)};

std::chrono::milliseconds since(clock_type::time_point start)
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start);
}

/// One opening of the mailbox.
struct poll_attempt {
    check_result result;
    std::optional<clock_type::time_point> found_at;
    std::vector<std::string> transcript;
};

// The mailbox clients speak verify's vocabulary: a step whose deadline passed is
// verify_errc::timeout.
boost::system::error_code as_verify_error(const boost::system::error_code& ec)
{
    return ec == io::client_errc::timeout ? make_error_code(verify_errc::timeout) : ec;
}

template <typename Client>
net::awaitable<void> drive(io::client_connection& connection, Client& client,
                           clock_type::time_point deadline, poll_attempt& attempt)
{
    std::array<char, 4096> buffer{};
    client_action action = client.next({}, {});
    while (action.type != client_action::kind::done) {
        const auto step_deadline = std::min(clock_type::now() + action.timeout, deadline);
        if (action.type == client_action::kind::write) {
            const auto ec = co_await connection.write(action.bytes, step_deadline);
            action = client.next(as_verify_error(ec), {});
        } else {
            auto [ec, n] = co_await connection.read_some(net::buffer(buffer), step_deadline);
            action = client.next(as_verify_error(ec), std::string_view(buffer.data(), n));
        }
        if (!attempt.found_at && client.found()) {
            attempt.found_at = clock_type::now();
        }
    }
    attempt.result = client.result();
    attempt.transcript.insert(attempt.transcript.end(), client.transcript().begin(),
                              client.transcript().end());
}

net::awaitable<poll_attempt> poll_once(const verify_target& target, mailbox_query query,
                                       clock_type::time_point deadline, const io::dns_settings& dns)
{
    poll_attempt attempt;
    io::client_settings settings;
    settings.host = target.host;
    settings.port = target.port;
    settings.tls.insecure = target.insecure;
    settings.tls.ca_file = target.ca_file;
    settings.dns = dns;
    io::client_connection connection(co_await net::this_coro::executor, settings);
    const bool tls = uses_tls(target.proto);
    attempt.transcript.push_back("event: connecting to " + target.host + ":" +
                                 std::to_string(target.port) + " (" +
                                 std::string(to_string(target.proto)) + ")");
    const auto open_deadline = std::min(clock_type::now() + step_timeout, deadline);
    auto opened = co_await connection.open(tls, open_deadline);
    if (opened.ec) {
        attempt.result.status = check_status::failed;
        attempt.result.error = as_verify_error(opened.ec);
        attempt.result.detail =
            opened.ec == io::client_errc::timeout
                ? "no connection to " + target.host + ":" + std::to_string(target.port) + " in time"
                : opened.detail;
        attempt.transcript.push_back("event: " + attempt.result.detail);
        connection.close();
        co_return attempt;
    }
    attempt.transcript.push_back("event: connected to " + opened.detail);
    if (connection.tls()) {
        attempt.transcript.push_back("event: TLS " + connection.tls()->version + " " +
                                     connection.tls()->cipher);
    }

    if (target.proto == verify_target::protocol::pop3 ||
        target.proto == verify_target::protocol::pop3s) {
        pop3_client client(std::move(query));
        co_await drive(connection, client, deadline, attempt);
    } else {
        imap_client client(std::move(query));
        co_await drive(connection, client, deadline, attempt);
    }
    connection.close();
    attempt.transcript.push_back("event: closed");
    co_return attempt;
}

std::string summary(int poll, std::chrono::milliseconds at, const check_result& r)
{
    std::string s = "event: poll " + std::to_string(poll) + " at +" + std::to_string(at.count()) +
                    "ms: " + std::string(to_string(r.status));
    if (r.status != check_status::not_found) {
        s += ": " + r.detail;
    }
    if (r.error) {
        s += " (" + r.error.message() + ")";
    }
    return s;
}

} // namespace

net::awaitable<verify_outcome> verify_delivery(verify_target target, std::string message_id,
                                               std::chrono::milliseconds timeout,
                                               std::chrono::milliseconds poll_interval,
                                               io::dns_settings dns)
{
    const auto start = clock_type::now();
    const auto deadline = start + timeout;
    verify_outcome outcome;

    std::vector<std::string> skip_uids;
    std::deque<std::string> summaries;
    std::size_t summaries_dropped = 0;
    bool clean_poll = false; // some poll read the mailbox without an error
    poll_attempt last;

    for (;;) {
        ++outcome.polls;
        const auto poll_start = since(start);
        mailbox_query query{target.user, target.password, message_id, step_timeout, skip_uids};
        last = co_await poll_once(target, std::move(query), deadline, dns);
        const check_result& r = last.result;

        if (r.status == check_status::found) {
            outcome.delivered = true;
            outcome.latency = std::chrono::duration_cast<std::chrono::milliseconds>(
                last.found_at.value_or(clock_type::now()) - start);
            outcome.error = r.error;
            outcome.detail = r.detail;
            outcome.copies = r.copies;
            outcome.message = r.message;
            break;
        }
        if (r.status == check_status::not_found) {
            clean_poll = true;
            skip_uids.insert(skip_uids.end(), r.scanned_uids.begin(), r.scanned_uids.end());
        } else if (!is_transient(r.error)) {
            outcome.error = r.error;
            outcome.detail = r.detail;
            outcome.latency = since(start);
            break;
        }

        // Sleep, unless the next poll could not start before the deadline.
        const auto now = clock_type::now();
        if (now + poll_interval >= deadline) {
            outcome.latency = since(start);
            if (r.status == check_status::failed &&
                !(clean_poll && r.error == verify_errc::timeout && now >= deadline)) {
                // The mailbox could not be read at the end: report why.
                outcome.error = r.error;
                outcome.detail = r.detail;
            } else {
                outcome.error = verify_errc::not_delivered;
                outcome.detail = "message " + normalize_message_id(message_id) +
                                 " not in the mailbox after " + std::to_string(timeout.count()) +
                                 "ms";
            }
            break;
        }
        summaries.push_back(summary(outcome.polls, poll_start, r));
        if (summaries.size() > max_poll_summaries) {
            summaries.pop_front();
            ++summaries_dropped;
        }
        co_await io::sleep_for(poll_interval);
    }

    if (summaries_dropped > 0) {
        outcome.transcript.push_back("event: " + std::to_string(summaries_dropped) +
                                     " earlier polls not shown");
    }
    outcome.transcript.insert(outcome.transcript.end(), summaries.begin(), summaries.end());
    outcome.transcript.push_back("event: poll " + std::to_string(outcome.polls) + ":");
    outcome.transcript.insert(outcome.transcript.end(), last.transcript.begin(),
                              last.transcript.end());
    co_return outcome;
}

} // namespace verify
