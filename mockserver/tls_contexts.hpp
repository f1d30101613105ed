#pragma once

#include "faults/action.hpp"
#include "mockserver/certificate_factory.hpp"

#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

namespace mock {

/// The server's SSL contexts: the healthy one (from --tls-cert/--tls-key, or generated) and,
/// made on first use and kept, one for each TLS fault (a broken certificate, or a handshake
/// that fails with an alert). Thread-safe.
///
/// The CA and the generated certificate are made on a thread of their own, started by the
/// constructor: OpenSSL's first key generation and encoding take about two thirds of the
/// mock's startup, and a mock that nobody asks for TLS need not wait for them before it is
/// ready. Whatever needs them (a handshake, the CA's PEM) waits until they are made, the
/// first time only; an error in making them is thrown there.
class tls_contexts {
public:
    /// Uses the given PEM files when both are set (read and checked here, so a bad file is an
    /// error at once), else a certificate made on the constructor's thread.
    tls_contexts(std::string hostname, const std::optional<std::filesystem::path>& cert_file,
                 const std::optional<std::filesystem::path>& key_file);

    /// The context for a handshake with this fault (the healthy one when none).
    std::shared_ptr<boost::asio::ssl::context>
    context_for(const std::optional<faults::tls_fault>& f);

    /// The PEM of the CA that signs generated certificates, for clients that want to verify.
    const std::string& ca_certificate() const;

    /// The PEM certificate chain a handshake without a fault presents (given or generated).
    const std::string& certificate_chain() const;

private:
    /// A server context with the mock's options, refusing every ClientHello when `fail_hello`.
    static std::shared_ptr<boost::asio::ssl::context> new_context(bool fail_hello);
    /// A context presenting a PEM certificate chain and its private key.
    static std::shared_ptr<boost::asio::ssl::context> from_pem(const std::string& chain,
                                                               const std::string& key);
    /// A context presenting a fresh certificate of this kind; `chain`, when given, gets its PEM.
    std::shared_ptr<boost::asio::ssl::context>
    generated(faults::tls_fault::certificate_kind kind, int days, bool fail_hello,
              std::string* chain = nullptr);

    /// Waits until the constructor's thread has made the factory (and the healthy context).
    void wait_made() const { made_.get(); }

    // Set by the constructor's thread; read only after wait_made().
    std::unique_ptr<certificate_factory> factory_;
    std::string certificate_chain_;
    std::shared_ptr<boost::asio::ssl::context> healthy_;

    std::mutex mutex_;
    std::map<std::pair<int, int>, std::shared_ptr<boost::asio::ssl::context>> variants_;
    std::shared_ptr<boost::asio::ssl::context> failing_;

    // Last, so that it is destroyed first: its destructor waits for the thread that sets the
    // members above.
    std::shared_future<void> made_;
};

} // namespace mock
