#pragma once

#include "faults/action.hpp"
#include "mockserver/certificate_factory.hpp"

#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

namespace mock {

/// The server's SSL contexts: the healthy one (from --tls-cert/--tls-key, or generated) and,
/// made on first use and kept, one for each TLS fault (a broken certificate, or a handshake
/// that fails with an alert). Thread-safe.
class tls_contexts {
public:
    /// Uses the given PEM files when both are set, else a certificate made at startup.
    tls_contexts(std::string hostname, const std::optional<std::filesystem::path>& cert_file,
                 const std::optional<std::filesystem::path>& key_file);

    /// The context for a handshake with this fault (the healthy one when none).
    std::shared_ptr<boost::asio::ssl::context>
    context_for(const std::optional<faults::tls_fault>& f);

    /// The PEM of the CA that signs generated certificates, for clients that want to verify.
    const std::string& ca_certificate() const noexcept { return factory_.ca_certificate(); }

    /// The PEM certificate chain a handshake without a fault presents (given or generated).
    const std::string& certificate_chain() const noexcept { return certificate_chain_; }

private:
    std::shared_ptr<boost::asio::ssl::context> make(const pem_credentials& pem, bool fail_hello);

    certificate_factory factory_;
    std::string certificate_chain_;
    std::shared_ptr<boost::asio::ssl::context> healthy_;
    std::mutex mutex_;
    std::map<std::pair<int, int>, std::shared_ptr<boost::asio::ssl::context>> variants_;
    std::shared_ptr<boost::asio::ssl::context> failing_;
};

} // namespace mock
