#include "io/client_connection.hpp"

#include "io/client_error.hpp"
#include "io/endpoint.hpp"

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <sys/socket.h>

namespace io {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

namespace {

error_code end_of_stream_as_eof(const error_code& ec)
{
    // A peer that closes TCP without TLS close_notify has still ended the stream.
    return ec == ssl::error::stream_truncated ? error_code(net::error::eof) : ec;
}

} // namespace

client_connection::client_connection(const net::any_io_executor& executor, client_settings settings)
    : settings_(std::move(settings))
    , socket_(executor)
    , timer_(socket_)
    , watchdog_(timer_, socket_)
{
}

client_connection::~client_connection()
{
    close();
}

const std::string& client_connection::tls_name() const noexcept
{
    return settings_.tls.server_name.empty() ? settings_.host : settings_.tls.server_name;
}

net::awaitable<step_result> client_connection::resolve(time_point deadline)
{
    addresses_.clear();
    auto found = co_await resolve_host(settings_.host, settings_.family, deadline, settings_.dns);
    if (!found) {
        std::string detail = found.error().message();
        if (found.error() == client_errc::no_address_of_family) {
            detail = settings_.family == address_family::v6 ? "no IPv6 address" : "no IPv4 address";
        }
        co_return step_result{found.error(), std::move(detail)};
    }
    addresses_ = std::move(*found);
    std::string list;
    for (const auto& a : addresses_) {
        list += (list.empty() ? "" : ", ") + a.to_string();
    }
    co_return step_result{{}, std::move(list)};
}

net::awaitable<step_result> client_connection::connect(time_point deadline)
{
    step_result last{make_error_code(client_errc::not_connected), "no address to connect to"};
    for (const auto& address : addresses_) {
        auto attempt = co_await connect_one(tcp::endpoint(address, settings_.port), deadline);
        if (!attempt.ec || attempt.ec == client_errc::timeout ||
            attempt.ec == net::error::operation_aborted ||
            attempt.ec == client_errc::bad_source_address) {
            co_return attempt;
        }
        last = std::move(attempt);
    }
    co_return last;
}

net::awaitable<step_result> client_connection::connect_one(const tcp::endpoint& ep,
                                                           time_point deadline)
{
    const std::string where = to_string(ep);
    error_code ec;
    socket_.close(ec);
    tls_.reset();
    tls_info_.reset();
    peer_.reset();
    socket_.open(ep.protocol(), ec);
    if (ec) {
        co_return step_result{ec, where + " (" + ec.message() + ")"};
    }
    if (!settings_.source_address.empty()) {
        auto source = net::ip::make_address(settings_.source_address, ec);
        if (ec) {
            co_return step_result{make_error_code(client_errc::bad_source_address),
                                  "source address " + settings_.source_address +
                                      " is not an IP address"};
        }
        socket_.bind(tcp::endpoint(source, 0), ec);
        if (ec) {
            co_return step_result{ec, "cannot bind to source address " + settings_.source_address +
                                          " (" + ec.message() + ")"};
        }
    }
    // The connect is started here and awaited as writability, then its outcome read with one
    // getsockopt: Asio's async_connect would first poll(2) the socket again, though the
    // reactor wakes a writability wait only when the connect has ended (connected, refused,
    // reset or unreachable).
    auto cec = start_connect(ep);
    if (cec == net::error::in_progress) {
        watchdog_.start(deadline);
        auto [waited] = co_await socket_.async_wait(tcp::socket::wait_write);
        cec = finish_timed(waited);
        if (!cec) {
            cec = connect_outcome();
        }
    }
    if (cec) {
        if (cec == client_errc::timeout || cec == net::error::operation_aborted) {
            co_return step_result{cec, where};
        }
        co_return step_result{cec, where + " (" + cec.message() + ")"};
    }
    socket_.set_option(tcp::no_delay(true), ec);
    peer_ = ep;
    co_return step_result{{}, where};
}

error_code client_connection::start_connect(const tcp::endpoint& ep)
{
    // Non-blocking from the start: writes try the socket first (see write()) and must find it
    // full, not wait on it; set before the connect, Asio makes no ioctl of its own for it.
    error_code ec;
    socket_.non_blocking(true, ec);
    if (ec) {
        return ec;
    }
    if (::connect(socket_.native_handle(), ep.data(), static_cast<socklen_t>(ep.size())) == 0) {
        return {};
    }
    if (errno == EINPROGRESS || errno == EINTR) {
        return net::error::in_progress;
    }
    return {errno, net::error::get_system_category()};
}

error_code client_connection::connect_outcome()
{
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(socket_.native_handle(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
        err = errno;
    }
    return err == 0 ? error_code() : error_code(err, net::error::get_system_category());
}

net::awaitable<step_result> client_connection::handshake(time_point deadline)
{
    if (!peer_) {
        co_return step_result{make_error_code(client_errc::not_connected), "not connected"};
    }
    error_code ec;
    std::string detail;
    context_.emplace(make_tls_client_context(settings_.tls, ec, detail));
    if (ec) {
        co_return step_result{ec, std::move(detail)};
    }
    tls_.emplace(socket_, *context_);
    prepare_tls_client(tls_->native_handle(), tls_name(), settings_.tls.insecure);
    watchdog_.start(deadline);
    auto [shaken] = co_await tls_->async_handshake(ssl::stream_base::client);
    if (auto hec = finish_timed(shaken)) {
        if (hec == client_errc::timeout || hec == net::error::operation_aborted) {
            co_return step_result{hec, {}};
        }
        detail = tls_failure_text(tls_->native_handle(), hec, tls_name());
        tls_.reset();
        hec = end_of_stream_as_eof(hec);
        if (hec == net::error::eof) {
            detail = "connection closed by the server during the handshake";
        }
        co_return step_result{hec, std::move(detail)};
    }
    tls_info_ = describe_tls(tls_->native_handle());
    co_return step_result{{}, tls_info_->version + " " + tls_info_->cipher};
}

net::awaitable<step_result> client_connection::open(bool implicit_tls, time_point deadline)
{
    const std::string target = settings_.host + ":" + std::to_string(settings_.port);
    auto resolved = co_await resolve(deadline);
    if (resolved.ec) {
        resolved.detail = "cannot resolve " + settings_.host + ": " + resolved.detail;
        co_return resolved;
    }
    auto connected = co_await connect(deadline);
    if (connected.ec) {
        connected.detail = "cannot connect to " + target + ": " + connected.detail;
        co_return connected;
    }
    if (implicit_tls) {
        auto shaken = co_await handshake(deadline);
        if (shaken.ec) {
            shaken.detail = "TLS handshake with " + connected.detail + " failed: " +
                            (shaken.detail.empty() ? shaken.ec.message() : shaken.detail);
            co_return shaken;
        }
    }
    co_return step_result{{}, to_string(*peer_)};
}

net::awaitable<std::tuple<error_code, std::size_t>>
client_connection::read_some(net::mutable_buffer buffer, time_point deadline)
{
    if (!peer_) {
        co_return std::tuple{make_error_code(client_errc::not_connected), std::size_t{0}};
    }
    watchdog_.start(deadline);
    std::tuple<error_code, std::size_t> result;
    if (tls_) {
        result = co_await tls_->async_read_some(buffer, use_tuple);
    } else {
        result = co_await socket_.async_read_some(buffer);
    }
    const auto ec = finish_timed(std::get<0>(result));
    const auto n = std::get<1>(result);
    if (n > 0) {
        co_return std::tuple{error_code(), n};
    }
    co_return std::tuple{end_of_stream_as_eof(ec), std::size_t{0}};
}

net::awaitable<error_code> client_connection::write(std::string_view bytes, time_point deadline)
{
    if (!peer_) {
        co_return make_error_code(client_errc::not_connected);
    }
    // Over plain TCP, what the send buffer takes at once (a command nearly always) is written
    // here, with no timer and no race; only what is left waits under the deadline.
    if (!tls_ && std::chrono::steady_clock::now() < deadline) {
        auto ec = write_now(bytes);
        if (ec || bytes.empty()) {
            co_return end_of_stream_as_eof(ec);
        }
    }
    const auto buffer = net::buffer(bytes.data(), bytes.size());
    watchdog_.start(deadline);
    std::tuple<error_code, std::size_t> result;
    if (tls_) {
        result = co_await net::async_write(*tls_, buffer, use_tuple);
    } else {
        result = co_await net::async_write(socket_, buffer, use_tuple);
    }
    co_return end_of_stream_as_eof(finish_timed(std::get<0>(result)));
}

error_code client_connection::finish_timed(const error_code& ec) noexcept
{
    // An operation that completed as its deadline passed keeps its result.
    if (watchdog_.finish() && ec) {
        return client_errc::timeout;
    }
    return ec;
}

error_code client_connection::write_now(std::string_view& bytes)
{
    while (!bytes.empty()) {
        error_code ec;
        auto n = socket_.write_some(net::buffer(bytes.data(), bytes.size()), ec);
        if (ec == net::error::would_block || ec == net::error::try_again) {
            return {};
        }
        if (ec) {
            return ec;
        }
        bytes.remove_prefix(n);
    }
    return {};
}

void client_connection::close() noexcept
{
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
}

} // namespace io
