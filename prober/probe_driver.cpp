#include "prober/probe_driver.hpp"

#include "io/awaitable.hpp"
#include "prober/error.hpp"

#include <array>
#include <boost/asio/ip/host_name.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <mutex>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <random>
#include <thread>

namespace prober {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

// One X509_NAME in RFC 2253 form.
std::string name_text(X509_NAME* name)
{
    if (name == nullptr) {
        return {};
    }
    BIO* bio = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<std::size_t>(n));
    BIO_free(bio);
    return out;
}

// Subject, issuer, notAfter and days left of the peer certificate.
std::optional<certificate_info> peer_certificate(SSL* ssl_handle)
{
    X509* cert = SSL_get1_peer_certificate(ssl_handle);
    if (cert == nullptr) {
        return std::nullopt;
    }
    certificate_info info;
    info.subject = name_text(X509_get_subject_name(cert));
    info.issuer = name_text(X509_get_issuer_name(cert));
    const ASN1_TIME* not_after = X509_get0_notAfter(cert);
    std::tm tm{};
    if (ASN1_TIME_to_tm(not_after, &tm) == 1) {
        info.not_after = static_cast<std::int64_t>(timegm(&tm));
    }
    int days = 0;
    int secs = 0;
    if (ASN1_TIME_diff(&days, &secs, nullptr, not_after) == 1) {
        info.days_left = days; // whole days; a partial day left does not count
    }
    X509_free(cert);
    return info;
}

std::string endpoint_text(const tcp::endpoint& ep)
{
    auto addr = ep.address();
    return addr.is_v6() ? '[' + addr.to_string() + "]:" + std::to_string(ep.port())
                        : addr.to_string() + ':' + std::to_string(ep.port());
}

// A name lookup that may outlive its probe. getaddrinfo cannot be interrupted, and Asio's
// resolver joins its lookup thread when its io_context is destroyed, which would hold the probe
// past its deadline. So the lookup runs on a detached thread that touches only this shared
// state; the probe polls it and abandons it at the deadline.
struct name_lookup {
    std::mutex mutex;
    bool done = false;
    boost::system::error_code ec;
    std::vector<tcp::endpoint> endpoints;
};

void start_lookup(std::shared_ptr<name_lookup> lookup, address_family family, std::string host,
                  std::string port)
{
    std::thread([lookup = std::move(lookup), family, host = std::move(host),
                 port = std::move(port)]() {
        net::io_context private_ctx; // never run: the synchronous resolve needs none
        tcp::resolver resolver(private_ctx);
        boost::system::error_code ec;
        tcp::resolver::results_type results;
        if (family == address_family::v4) {
            results = resolver.resolve(tcp::v4(), host, port, ec);
        } else if (family == address_family::v6) {
            results = resolver.resolve(tcp::v6(), host, port, ec);
        } else {
            results = resolver.resolve(host, port, ec);
        }
        std::lock_guard lock(lookup->mutex);
        lookup->ec = ec;
        for (const auto& entry : results) {
            lookup->endpoints.push_back(entry.endpoint());
        }
        lookup->done = true;
    }).detach();
}

// The connection of one probe and the one operation it performs at a time.
class connection {
public:
    connection(const net::any_io_executor& ex, const probe_options& options,
               verify_function verifier)
        : ex_(ex)
        , options_(options)
        , socket_(ex)
        , verifier_(std::move(verifier))
    {
    }

    net::awaitable<session_event> perform(const session_action& act, const std::string& message_id)
    {
        switch (act.kind) {
        case action_kind::resolve:
            co_return co_await resolve(act.deadline);
        case action_kind::connect:
            co_return co_await connect(act.deadline);
        case action_kind::write:
            co_return co_await write(act.bytes, act.deadline);
        case action_kind::read:
            co_return co_await read(act.deadline);
        case action_kind::start_tls:
            co_return co_await handshake(act.deadline);
        case action_kind::close:
            co_return close();
        case action_kind::verify:
            co_return co_await verify(message_id, act.deadline);
        case action_kind::done:
            break;
        }
        co_return session_event{event_kind::closed};
    }

private:
    net::awaitable<session_event> resolve(probe_clock::time_point deadline)
    {
        const std::string port = std::to_string(options_.effective_port());
        boost::system::error_code ec;
        auto literal = net::ip::make_address(options_.host, ec);
        endpoints_.clear();
        if (!ec) {
            endpoints_.emplace_back(literal, options_.effective_port());
        } else {
            auto lookup = std::make_shared<name_lookup>();
            start_lookup(lookup, options_.family, options_.host, port);
            io::steady_timer poll(ex_);
            for (;;) {
                {
                    std::lock_guard lock(lookup->mutex);
                    if (lookup->done) {
                        if (lookup->ec) {
                            co_return session_event{
                                event_kind::error, {}, lookup->ec, lookup->ec.message()};
                        }
                        endpoints_ = lookup->endpoints;
                        break;
                    }
                }
                auto now = probe_clock::now();
                if (now >= deadline) {
                    co_return session_event{event_kind::timeout};
                }
                poll.expires_at(std::min(deadline, now + std::chrono::milliseconds(2)));
                co_await poll.async_wait();
            }
        }
        std::erase_if(endpoints_, [this](const tcp::endpoint& ep) {
            return (options_.family == address_family::v4 && !ep.address().is_v4()) ||
                   (options_.family == address_family::v6 && !ep.address().is_v6());
        });
        if (endpoints_.empty()) {
            co_return session_event{
                event_kind::error,
                {},
                make_error_code(probe_errc::no_address_of_family),
                "no IPv" + std::string(options_.family == address_family::v6 ? "6" : "4") +
                    " address"};
        }
        std::string list;
        for (const auto& ep : endpoints_) {
            list += (list.empty() ? "" : ", ") + ep.address().to_string();
        }
        co_return session_event{event_kind::resolved, {}, {}, list};
    }

    net::awaitable<session_event> connect(probe_clock::time_point deadline)
    {
        boost::system::error_code last;
        std::string last_detail;
        for (const auto& ep : endpoints_) {
            boost::system::error_code ec;
            socket_.close(ec);
            socket_.open(ep.protocol(), ec);
            if (!ec && !options_.source_address.empty()) {
                auto src = net::ip::make_address(options_.source_address, ec);
                if (!ec) {
                    socket_.bind(tcp::endpoint(src, 0), ec);
                }
                if (ec) {
                    co_return session_event{event_kind::error,
                                            {},
                                            ec,
                                            "cannot bind to source address " +
                                                options_.source_address + " (" + ec.message() +
                                                ")"};
                }
            }
            if (ec) {
                last = ec;
                last_detail = endpoint_text(ep) + " (" + ec.message() + ")";
                continue;
            }
            auto result = co_await io::with_deadline(socket_.async_connect(ep), deadline);
            if (!result) {
                co_return session_event{event_kind::timeout};
            }
            auto [cec] = *result;
            if (!cec) {
                socket_.set_option(tcp::no_delay(true), ec);
                co_return session_event{event_kind::connected, {}, {}, endpoint_text(ep)};
            }
            last = cec;
            last_detail = endpoint_text(ep) + " (" + cec.message() + ")";
        }
        co_return session_event{event_kind::error, {}, last, last_detail};
    }

    net::awaitable<session_event> write(std::string_view bytes, probe_clock::time_point deadline)
    {
        std::optional<std::tuple<boost::system::error_code, std::size_t>> result;
        if (tls_) {
            result = co_await io::with_deadline(
                net::async_write(*tls_, net::buffer(bytes.data(), bytes.size()), io::use_tuple),
                deadline);
        } else {
            result = co_await io::with_deadline(
                net::async_write(socket_, net::buffer(bytes.data(), bytes.size()), io::use_tuple),
                deadline);
        }
        if (!result) {
            co_return session_event{event_kind::timeout};
        }
        auto [ec, n] = *result;
        if (ec) {
            co_return stream_error(ec);
        }
        co_return session_event{event_kind::written};
    }

    net::awaitable<session_event> read(probe_clock::time_point deadline)
    {
        std::optional<std::tuple<boost::system::error_code, std::size_t>> result;
        if (tls_) {
            result = co_await io::with_deadline(
                tls_->async_read_some(net::buffer(buffer_), io::use_tuple), deadline);
        } else {
            result =
                co_await io::with_deadline(socket_.async_read_some(net::buffer(buffer_)), deadline);
        }
        if (!result) {
            co_return session_event{event_kind::timeout};
        }
        auto [ec, n] = *result;
        if (n > 0) {
            // Bytes that came with an error are delivered first; the error comes back next read.
            co_return session_event{event_kind::read, std::string_view(buffer_.data(), n)};
        }
        co_return stream_error(ec);
    }

    static session_event stream_error(const boost::system::error_code& ec)
    {
        if (ec == net::error::eof || ec == ssl::error::stream_truncated) {
            return session_event{event_kind::eof};
        }
        return session_event{event_kind::error, {}, ec, ec.message()};
    }

    net::awaitable<session_event> handshake(probe_clock::time_point deadline)
    {
        ctx_.emplace(ssl::context::tls_client);
        ctx_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3);
        boost::system::error_code ec;
        ctx_->set_default_verify_paths(ec);
        if (!options_.ca_file.empty()) {
            ctx_->load_verify_file(options_.ca_file, ec);
            if (ec) {
                co_return session_event{event_kind::error,
                                        {},
                                        ec,
                                        "cannot load CA file " + options_.ca_file + " (" +
                                            ec.message() + ")"};
            }
        }
        const std::string name =
            options_.tls_server_name.empty() ? options_.host : options_.tls_server_name;
        if (options_.insecure) {
            ctx_->set_verify_mode(ssl::verify_none);
        } else {
            ctx_->set_verify_mode(ssl::verify_peer);
        }
        tls_.emplace(socket_, *ctx_);
        boost::system::error_code addr_ec;
        net::ip::make_address(name, addr_ec);
        if (addr_ec) {
            // RFC 6066 §3: SNI carries host names only, never address literals.
            SSL_set_tlsext_host_name(tls_->native_handle(), name.c_str());
        }
        if (!options_.insecure) {
            // RFC 6125: OpenSSL checks the name itself, so that a mismatch is reported as
            // such ("hostname mismatch") rather than as an unspecified verification error.
            X509_VERIFY_PARAM* param = SSL_get0_param(tls_->native_handle());
            if (addr_ec) {
                X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
            } else {
                X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
            }
        }
        auto result =
            co_await io::with_deadline(tls_->async_handshake(ssl::stream_base::client), deadline);
        if (!result) {
            co_return session_event{event_kind::timeout};
        }
        auto [hec] = *result;
        if (hec) {
            long verify = SSL_get_verify_result(tls_->native_handle());
            std::string detail = hec.message();
            if (verify != X509_V_OK) {
                detail = std::string("certificate verification failed: ") +
                         X509_verify_cert_error_string(verify);
                if (verify == X509_V_ERR_HOSTNAME_MISMATCH ||
                    verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
                    detail += " (expected " + name + ")";
                }
            }
            tls_.reset();
            if (hec == net::error::eof || hec == ssl::error::stream_truncated) {
                detail = "connection closed by the server during the handshake";
            }
            co_return session_event{event_kind::error, {}, hec, detail};
        }
        info_.version = SSL_get_version(tls_->native_handle());
        info_.cipher = SSL_get_cipher_name(tls_->native_handle());
        info_.certificate = peer_certificate(tls_->native_handle());
        session_event ev{event_kind::tls_done};
        ev.tls = &info_;
        co_return ev;
    }

    session_event close()
    {
        boost::system::error_code ec;
        socket_.shutdown(tcp::socket::shutdown_both, ec);
        socket_.close(ec);
        return session_event{event_kind::closed};
    }

    net::awaitable<session_event> verify(const std::string& message_id,
                                         probe_clock::time_point deadline)
    {
        auto now = probe_clock::now();
        auto budget = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline > now ? deadline - now : probe_clock::duration::zero());
        if (!verifier_ || !options_.verify) {
            report_.delivered = false;
            report_.ec = make_error_code(probe_errc::verify_failed);
            report_.detail = "round-trip verification is not available in this build";
        } else {
            report_ = co_await verifier_(*options_.verify, message_id, budget, now);
        }
        session_event ev{event_kind::verified};
        ev.verify = &report_;
        co_return ev;
    }

    net::any_io_executor ex_;
    const probe_options& options_;
    io::tcp_socket socket_;
    std::vector<tcp::endpoint> endpoints_;
    std::optional<ssl::context> ctx_;
    std::optional<ssl::stream<io::tcp_socket&>> tls_;
    std::array<char, 16384> buffer_{};
    tls_info info_;
    verify_report report_;
    verify_function verifier_;
};

} // namespace

net::awaitable<probe_result> async_probe(probe_options options, verify_function verifier)
{
    auto ex = co_await net::this_coro::executor;
    session_params params;
    params.started_at = std::chrono::system_clock::now();
    std::random_device rd;
    params.nonce = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
    boost::system::error_code ec;
    auto local = net::ip::host_name(ec);
    if (!ec && !local.empty()) {
        params.default_helo = local;
    }
    client_session session(options, std::move(params));
    connection conn(ex, session.options(), std::move(verifier));
    session_event ev{event_kind::start};
    for (;;) {
        auto act = session.next(ev, probe_clock::now());
        if (act.kind == action_kind::done) {
            break;
        }
        ev = co_await conn.perform(act, session.message_id());
    }
    co_return session.take_result();
}

} // namespace prober
