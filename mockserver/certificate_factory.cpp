#include "mockserver/certificate_factory.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace mock {

namespace {

using key_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using cert_ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;

void check(bool ok, const char* what)
{
    if (!ok) {
        throw std::runtime_error(std::string("certificate generation failed: ") + what);
    }
}

key_ptr new_key()
{
    // EC P-256: fast to generate, accepted by every TLS 1.2/1.3 client.
    EVP_PKEY* key = EVP_EC_gen("P-256");
    check(key != nullptr, "EVP_EC_gen");
    return {key, EVP_PKEY_free};
}

std::string to_pem(X509* cert)
{
    bio_ptr bio(BIO_new(BIO_s_mem()), BIO_free);
    check(PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return {data, static_cast<std::size_t>(n)};
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    check(ext != nullptr, "X509V3_EXT_conf_nid");
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

// Validity is given in seconds relative to now.
cert_ptr build(const std::string& cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key,
               long not_before, long not_after, bool is_ca)
{
    cert_ptr cert(X509_new(), X509_free);
    check(cert != nullptr, "X509_new");
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7F;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), not_before);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), not_after);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("smtp-mock"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509* signer = issuer != nullptr ? issuer : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
    if (is_ca) {
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
        add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add_extension(cert.get(), signer, NID_basic_constraints, "CA:FALSE");
        std::string san = "DNS:" + cn;
        if (cn == "localhost") {
            san += ",IP:127.0.0.1,IP:::1";
        }
        add_extension(cert.get(), signer, NID_subject_alt_name, san.c_str());
        add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    }
    check(X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0,
          "X509_sign");
    return cert;
}

constexpr long day = 24L * 60 * 60;

} // namespace

struct certificate_factory::ca_key {
    key_ptr key{nullptr, EVP_PKEY_free};
    cert_ptr cert{nullptr, X509_free};
};

certificate_factory::certificate_factory(std::string hostname)
    : hostname_(std::move(hostname))
    , ca_(new ca_key)
{
    ca_->key = new_key();
    ca_->cert = build("smtp-mock test CA", ca_->key.get(), nullptr, nullptr, -day, 3650 * day,
                      true);
    ca_pem_ = to_pem(ca_->cert.get());
}

certificate_factory::~certificate_factory()
{
    delete ca_;
}

struct certificate_factory::issued {
    key_ptr key{nullptr, EVP_PKEY_free};
    cert_ptr cert{nullptr, X509_free};
    bool ca_signed = true;
};

certificate_factory::issued certificate_factory::issue(faults::tls_fault::certificate_kind kind,
                                                       int days) const
{
    using kind_t = faults::tls_fault::certificate_kind;
    key_ptr key = new_key();
    std::string cn = hostname_;
    long not_before = -day;
    long not_after = 365 * day;
    X509* issuer = ca_->cert.get();
    EVP_PKEY* issuer_key = ca_->key.get();
    switch (kind) {
    case kind_t::normal: break;
    case kind_t::expired:
        not_before = -60 * day;
        not_after = -30 * day;
        break;
    case kind_t::not_yet_valid:
        not_before = 30 * day;
        not_after = 395 * day;
        break;
    case kind_t::self_signed:
        issuer = nullptr;
        issuer_key = nullptr;
        break;
    case kind_t::wrong_host: cn = "wrong-host.invalid"; break;
    case kind_t::expires_in_days:
        // Half a day of slack so that "N days left" reads as N, not N-1, for a whole day.
        not_after = days * day + day / 2;
        break;
    }
    cert_ptr cert = build(cn, key.get(), issuer, issuer_key, not_before, not_after, false);
    return {std::move(key), std::move(cert), issuer != nullptr};
}

std::string certificate_factory::install(SSL_CTX* ctx, faults::tls_fault::certificate_kind kind,
                                         int days) const
{
    issued c = issue(kind, days);
    check(SSL_CTX_use_certificate(ctx, c.cert.get()) == 1, "SSL_CTX_use_certificate");
    std::string chain = to_pem(c.cert.get());
    if (c.ca_signed) {
        check(SSL_CTX_add1_chain_cert(ctx, ca_->cert.get()) == 1, "SSL_CTX_add1_chain_cert");
        chain += ca_pem_;
    }
    check(SSL_CTX_use_PrivateKey(ctx, c.key.get()) == 1, "SSL_CTX_use_PrivateKey");
    return chain;
}

} // namespace mock
