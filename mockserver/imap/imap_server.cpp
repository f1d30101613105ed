#include "mockserver/imap/imap_server.hpp"

#include "io/awaitable.hpp"
#include "mockserver/connection.hpp"

#include <boost/asio/cancellation_state.hpp>
#include <boost/asio/this_coro.hpp>
#include <stdexcept>

namespace mock::imap {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;
using clock_type = std::chrono::steady_clock;

namespace {

// Every deadline race is woken by a graceful stop (partial cancellation) as well.
constexpr net::enable_partial_cancellation stop_too;

// What the session is told when an operation raced against its deadline ends.
action after(imap_session& session, const std::optional<error_code>& result, bool stopping)
{
    const auto now = clock_type::now();
    if (stopping) {
        return session.on_shutdown(now);
    }
    if (!result) {
        return session.on_timeout(now);
    }
    if (*result) {
        const auto e = to_transport_error(*result);
        return e == transport_error::end_of_stream || e == transport_error::truncated
                   ? session.on_peer_closed(now)
                   : session.on_io_error(now);
    }
    return session.on_written(now);
}

// One IMAP connection: performs the session's actions one at a time, each under its deadline.
// A stop of the service (either level of cancellation) makes the session say BYE.
net::awaitable<void> run_session(connection conn, std::unique_ptr<faults::session_decider> decider,
                                 mailbox_source& mailboxes, const session_config& config,
                                 std::shared_ptr<net::ssl::context> tls, bool implicit_tls)
{
    co_await net::this_coro::throw_if_cancelled(false);
    co_await net::this_coro::reset_cancellation_state(net::enable_partial_cancellation());
    auto cancellation = co_await net::this_coro::cancellation_state;
    bool stopped = false;
    auto stopping = [&] {
        // Once: the BYE of a stop is written under its own deadline, then the session closes.
        if (stopped || cancellation.cancelled() == net::cancellation_type::none) {
            return false;
        }
        stopped = true;
        return true;
    };
    imap_session session(mailboxes, config, decider.get());
    std::string input;
    auto action = session.start(clock_type::now(), implicit_tls);
    for (;;) {
        if (auto* w = std::get_if<write_action>(&action)) {
            auto result = co_await io::with_deadline(conn.write(w->bytes), w->deadline, stop_too);
            action = after(session, result, stopping());
        } else if (auto* r = std::get_if<read_action>(&action)) {
            input.clear();
            auto result = co_await io::with_deadline(conn.read_some(input), r->deadline, stop_too);
            if (stopping()) {
                action = session.on_shutdown(clock_type::now());
            } else if (result && !*result) {
                action = session.on_read(input, clock_type::now());
            } else {
                action = after(session, result, false);
            }
        } else if (auto* t = std::get_if<tls_action>(&action)) {
            auto result = co_await io::with_deadline(conn.handshake(tls), t->deadline, stop_too);
            action = stopping() ? session.on_shutdown(clock_type::now())
                     : !result  ? session.on_timeout(clock_type::now())
                                : session.on_tls_done(!*result, clock_type::now());
        } else {
            break;
        }
    }
    conn.close(std::get<close_action>(action).reset);
}

} // namespace

imap_server::imap_server(std::string what, const std::string& address, mailbox_source& mailboxes,
                         session_config config, std::shared_ptr<net::ssl::context> tls,
                         bool implicit_tls, fault_source* faults)
    : config_(std::move(config))
    , tls_(std::move(tls))
    , implicit_tls_(implicit_tls)
    , faults_(faults)
    , service_(what, address, [this, &mailboxes](tcp::socket socket) {
        error_code ec;
        const auto peer = socket.remote_endpoint(ec);
        auto decider =
            faults_ ? faults_->open_mailbox_session(peer.address().to_string(), clock_type::now())
                    : nullptr;
        return run_session(connection(io::tcp_socket(std::move(socket))), std::move(decider),
                           mailboxes, config_, tls_, implicit_tls_);
    })
{
    if (implicit_tls_ && !tls_) {
        throw std::runtime_error(what + " " + address + " needs TLS, which --no-tls turned off");
    }
}

void imap_server::start()
{
    service_.start();
}

void imap_server::stop()
{
    service_.stop();
}

void imap_server::set_listening(bool listening)
{
    service_.set_listening(listening);
}

boost::asio::ip::tcp::endpoint imap_server::endpoint() const
{
    return service_.endpoint();
}

} // namespace mock::imap
