#include "io/tls_client.hpp"

#include <boost/asio/ip/address.hpp>
#include <ctime>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace io {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;

namespace {

// One X509_NAME in RFC 2253 form (which escapes control and non-ASCII characters).
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

bool is_address(const std::string& name)
{
    boost::system::error_code ec;
    net::ip::make_address(name, ec);
    return !ec;
}

} // namespace

ssl::context make_tls_client_context(const tls_client_settings& settings,
                                     boost::system::error_code& ec, std::string& detail)
{
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                    ssl::context::no_sslv3);
    boost::system::error_code ignored;
    ctx.set_default_verify_paths(ignored);
    if (!settings.ca_file.empty()) {
        ctx.load_verify_file(settings.ca_file, ec);
        if (ec) {
            detail = "cannot load CA file " + settings.ca_file + " (" + ec.message() + ")";
            return ctx;
        }
    }
    ctx.set_verify_mode(settings.insecure ? ssl::verify_none : ssl::verify_peer, ignored);
    return ctx;
}

void prepare_tls_client(SSL* ssl_handle, const std::string& name, bool insecure)
{
    const bool address = is_address(name);
    if (!address) {
        // RFC 6066 §3: SNI carries host names only, never address literals.
        SSL_set_tlsext_host_name(ssl_handle, name.c_str());
    }
    if (!insecure) {
        // RFC 6125: OpenSSL checks the name itself, so that a mismatch is reported as such
        // ("hostname mismatch") rather than as an unspecified verification error.
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl_handle);
        if (address) {
            X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
        } else {
            X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
        }
    }
}

std::string tls_failure_text(SSL* ssl_handle, const boost::system::error_code& ec,
                             const std::string& name)
{
    const long verify = SSL_get_verify_result(ssl_handle);
    if (verify == X509_V_OK) {
        return ec.message();
    }
    std::string text =
        std::string("certificate verification failed: ") + X509_verify_cert_error_string(verify);
    if (verify == X509_V_ERR_HOSTNAME_MISMATCH || verify == X509_V_ERR_IP_ADDRESS_MISMATCH) {
        text += " (expected " + name + ")";
    }
    return text;
}

tls_info describe_tls(SSL* ssl_handle)
{
    tls_info info;
    const char* version = SSL_get_version(ssl_handle);
    const char* cipher = SSL_get_cipher_name(ssl_handle);
    info.version = version != nullptr ? version : "";
    info.cipher = cipher != nullptr ? cipher : "";
    info.certificate = peer_certificate(ssl_handle);
    return info;
}

} // namespace io
