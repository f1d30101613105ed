#include "mockserver/tls_contexts.hpp"

#include <fstream>
#include <openssl/ssl.h>
#include <sstream>
#include <stdexcept>

namespace mock {

namespace net = boost::asio;

namespace {

std::string read_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::runtime_error(path.string() + ": cannot read");
    }
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A ClientHello callback that refuses every hello with a handshake_failure alert.
int refuse_hello(SSL*, int* alert, void*)
{
    *alert = SSL_AD_HANDSHAKE_FAILURE;
    return SSL_CLIENT_HELLO_ERROR;
}

} // namespace

tls_contexts::tls_contexts(std::string hostname,
                           const std::optional<std::filesystem::path>& cert_file,
                           const std::optional<std::filesystem::path>& key_file)
{
    if (cert_file.has_value() != key_file.has_value()) {
        throw std::runtime_error("--tls-cert and --tls-key go together");
    }
    if (cert_file) {
        certificate_chain_ = read_file(*cert_file);
        healthy_ = from_pem(certificate_chain_, read_file(*key_file));
    }
    const bool generate = !cert_file;
    made_ = std::async(std::launch::async, [this, generate, name = std::move(hostname)] {
                factory_ = std::make_unique<certificate_factory>(name);
                if (generate) {
                    healthy_ = generated(faults::tls_fault::certificate_kind::normal, 0, false,
                                         &certificate_chain_);
                }
            }).share();
}

const std::string& tls_contexts::ca_certificate() const
{
    wait_made();
    return factory_->ca_certificate();
}

const std::string& tls_contexts::certificate_chain() const
{
    wait_made();
    return certificate_chain_;
}

std::shared_ptr<net::ssl::context> tls_contexts::new_context(bool fail_hello)
{
    auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
    ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                     net::ssl::context::no_sslv3 | net::ssl::context::single_dh_use);
    if (fail_hello) {
        SSL_CTX_set_client_hello_cb(ctx->native_handle(), refuse_hello, nullptr);
    }
    return ctx;
}

std::shared_ptr<net::ssl::context> tls_contexts::from_pem(const std::string& chain,
                                                         const std::string& key)
{
    auto ctx = new_context(false);
    boost::system::error_code ec;
    ctx->use_certificate_chain(net::buffer(chain), ec);
    if (ec) {
        throw std::runtime_error("TLS certificate: " + ec.message());
    }
    ctx->use_private_key(net::buffer(key), net::ssl::context::pem, ec);
    if (ec) {
        throw std::runtime_error("TLS private key: " + ec.message());
    }
    return ctx;
}

std::shared_ptr<net::ssl::context>
tls_contexts::generated(faults::tls_fault::certificate_kind kind, int days, bool fail_hello,
                        std::string* chain)
{
    auto ctx = new_context(fail_hello);
    std::string pem = factory_->install(ctx->native_handle(), kind, days);
    if (chain != nullptr) {
        *chain = std::move(pem);
    }
    return ctx;
}

std::shared_ptr<net::ssl::context>
tls_contexts::context_for(const std::optional<faults::tls_fault>& f)
{
    wait_made();
    if (!f) {
        return healthy_;
    }
    std::lock_guard lock(mutex_);
    if (f->handshake == faults::tls_fault::handshake_mode::fail) {
        if (!failing_) {
            failing_ = generated(faults::tls_fault::certificate_kind::normal, 0, true);
        }
        return failing_;
    }
    if (f->certificate == faults::tls_fault::certificate_kind::normal) {
        return healthy_;
    }
    std::pair key{static_cast<int>(f->certificate), f->days};
    auto& slot = variants_[key];
    if (!slot) {
        slot = generated(f->certificate, f->days, false);
    }
    return slot;
}

} // namespace mock
