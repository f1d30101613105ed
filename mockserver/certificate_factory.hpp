#pragma once

#include "faults/action.hpp"

#include <openssl/types.h>

#include <chrono>
#include <string>

namespace mock {

/// Makes the certificates the mock presents, with OpenSSL, at startup or on demand: a
/// self-signed one for STARTTLS out of the box, and every broken variant a TLS fault names
/// (expired, not yet valid, self-signed, wrong host, expiring in N days). Variants other than
/// self_signed are issued by one CA that the factory creates, so a client that trusts that CA
/// sees exactly one thing wrong.
class certificate_factory {
public:
    /// `hostname` goes in the subject CN and subjectAltName of healthy certificates.
    explicit certificate_factory(std::string hostname);
    ~certificate_factory();
    certificate_factory(const certificate_factory&) = delete;
    certificate_factory& operator=(const certificate_factory&) = delete;

    /// The CA certificate (PEM) that signs every variant but self_signed.
    const std::string& ca_certificate() const noexcept { return ca_pem_; }

    /// Makes a fresh certificate for the variant (`days` is used by expires_in_days) and puts
    /// it, its CA and its key straight into `ctx`, with no PEM round trip (OpenSSL 3 decodes a
    /// PEM key through its provider framework, the larger part of the mock's startup); returns
    /// the certificate chain as PEM, the leaf first.
    std::string install(SSL_CTX* ctx, faults::tls_fault::certificate_kind kind,
                        int days = 0) const;

private:
    struct issued;
    issued issue(faults::tls_fault::certificate_kind kind, int days) const;

    std::string hostname_;
    std::string ca_pem_;
    struct ca_key;
    ca_key* ca_ = nullptr;
};

} // namespace mock
