// The failure kind at phase verify for each way a round trip ends.

#include "io/client_error.hpp"
#include "io/dns_error.hpp"
#include "verify/verify.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <gtest/gtest.h>

namespace {

using namespace verify;
using smtp::failure_kind;
namespace ae = boost::asio::error;

TEST(VerifyClassify, MapsEveryErrorToOneKind)
{
    const std::pair<boost::system::error_code, failure_kind> cases[] = {
        {verify_errc::not_delivered, failure_kind::not_delivered},
        {verify_errc::timeout, failure_kind::timeout},
        {verify_errc::closed, failure_kind::closed},
        {verify_errc::auth_failed, failure_kind::perm_failure},
        {verify_errc::server_busy, failure_kind::temp_failure},
        {verify_errc::server_bye, failure_kind::temp_failure},
        {verify_errc::server_rejected, failure_kind::unexpected_reply},
        {verify_errc::protocol_error, failure_kind::protocol_error},
        {verify_errc::response_too_long, failure_kind::protocol_error},
        {ae::connection_refused, failure_kind::refused},
        {ae::connection_reset, failure_kind::reset},
        {ae::host_unreachable, failure_kind::unreachable},
        {ae::network_unreachable, failure_kind::unreachable},
        {ae::eof, failure_kind::closed},
        {io::dns_errc::nxdomain, failure_kind::dns_error},
        {io::dns_errc::timeout, failure_kind::dns_error},
        {io::dns_errc::server_failure, failure_kind::dns_error},
        {io::client_errc::no_address_of_family, failure_kind::dns_error},
        {io::client_errc::timeout, failure_kind::timeout},
        {boost::asio::ssl::error::stream_truncated, failure_kind::tls_error},
        {boost::system::error_code(336151574, ae::get_ssl_category()), failure_kind::tls_error},
    };
    for (const auto& [ec, kind] : cases) {
        EXPECT_EQ(classify(ec), kind) << ec.message();
    }
    verify_outcome outcome;
    outcome.error = verify_errc::not_delivered;
    EXPECT_EQ(classify(outcome), failure_kind::not_delivered);
}

TEST(VerifyClassify, RetriesOnlyWhatMayPass)
{
    for (const boost::system::error_code ec :
         {boost::system::error_code(verify_errc::timeout), make_error_code(verify_errc::closed),
          make_error_code(verify_errc::server_busy), make_error_code(verify_errc::server_bye),
          boost::system::error_code(ae::connection_refused),
          boost::system::error_code(ae::connection_reset), make_error_code(io::dns_errc::timeout),
          make_error_code(io::dns_errc::server_failure),
          make_error_code(io::dns_errc::unreachable)}) {
        EXPECT_TRUE(is_transient(ec)) << ec.message();
    }
    for (const boost::system::error_code ec :
         {boost::system::error_code(verify_errc::auth_failed),
          make_error_code(verify_errc::server_rejected),
          make_error_code(verify_errc::protocol_error),
          make_error_code(verify_errc::response_too_long), make_error_code(io::dns_errc::nxdomain),
          make_error_code(io::dns_errc::no_data),
          boost::system::error_code(336151574, ae::get_ssl_category())}) {
        EXPECT_FALSE(is_transient(ec)) << ec.message();
    }
}

} // namespace
