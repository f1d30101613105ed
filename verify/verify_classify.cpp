#include "io/client_error.hpp"
#include "io/dns_error.hpp"
#include "verify/verify.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

namespace verify {
namespace {

bool is_ssl_error(const boost::system::error_code& ec) noexcept
{
    return ec.category() == boost::asio::error::get_ssl_category() ||
           ec.category() == boost::asio::ssl::error::get_stream_category();
}

} // namespace

smtp::failure_kind classify(const boost::system::error_code& ec) noexcept
{
    using smtp::failure_kind;
    namespace ae = boost::asio::error;
    if (ec.category() == verify_category()) {
        switch (static_cast<verify_errc>(ec.value())) {
        case verify_errc::not_delivered:
            return failure_kind::not_delivered;
        case verify_errc::auth_failed:
            return failure_kind::perm_failure;
        case verify_errc::server_busy:
        case verify_errc::server_bye:
            return failure_kind::temp_failure;
        case verify_errc::timeout:
            return failure_kind::timeout;
        case verify_errc::closed:
            return failure_kind::closed;
        case verify_errc::server_rejected:
            return failure_kind::unexpected_reply;
        default:
            return failure_kind::protocol_error;
        }
    }
    if (is_ssl_error(ec)) {
        return failure_kind::tls_error;
    }
    if (ec.category() == io::dns_category() || ec == io::client_errc::no_address_of_family) {
        return failure_kind::dns_error;
    }
    if (ec == io::client_errc::timeout) {
        return failure_kind::timeout;
    }
    if (ec == ae::connection_refused) {
        return failure_kind::refused;
    }
    if (ec == ae::connection_reset || ec == ae::connection_aborted || ec == ae::broken_pipe) {
        return failure_kind::reset;
    }
    if (ec == ae::host_unreachable || ec == ae::network_unreachable || ec == ae::network_down) {
        return failure_kind::unreachable;
    }
    if (ec == ae::eof) {
        return failure_kind::closed;
    }
    if (ec == ae::timed_out) {
        return failure_kind::timeout;
    }
    return failure_kind::unreachable;
}

bool is_transient(const boost::system::error_code& ec) noexcept
{
    if (ec.category() == verify_category()) {
        switch (static_cast<verify_errc>(ec.value())) {
        case verify_errc::server_busy:
        case verify_errc::server_bye:
        case verify_errc::timeout:
        case verify_errc::closed:
            return true;
        default:
            return false;
        }
    }
    if (is_ssl_error(ec)) {
        return false;
    }
    if (ec.category() == io::dns_category()) {
        return io::is_transient(static_cast<io::dns_errc>(ec.value()));
    }
    return classify(ec) != smtp::failure_kind::dns_error;
}

} // namespace verify
