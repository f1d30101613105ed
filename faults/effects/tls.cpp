// `do.tls: {certificate: expired|not_yet_valid|self_signed|wrong_host, expires_in_days: N,
// handshake: fail|hang}` with phase tls: what goes wrong in the TLS handshake.
#include "faults/effect.hpp"
#include "faults/scenario.hpp"

#include <boost/json/object.hpp>

namespace faults::effects {
namespace {

constexpr std::uint64_t max_days = 36500;

tls_fault read_fault(const config::yaml_reader& in, const config::field& value)
{
    using kind = tls_fault::certificate_kind;
    auto entries = in.map(value, {"certificate", "expires_in_days", "handshake"});
    if (entries.empty()) {
        in.fail(value, "tls needs certificate, expires_in_days or handshake");
    }
    tls_fault t;
    const auto certificate = entries.find("certificate");
    if (certificate != entries.end()) {
        static constexpr kind kinds[] = {kind::expired, kind::not_yet_valid, kind::self_signed,
                                         kind::wrong_host, kind::expires_in_days};
        t.certificate =
            kinds[in.choice(certificate->second, {"expired", "not_yet_valid", "self_signed",
                                                  "wrong_host", "expires_in_days"})];
    }
    if (auto it = entries.find("expires_in_days"); it != entries.end()) {
        const auto days = in.count(it->second, max_days);
        if (certificate != entries.end() && t.certificate != kind::expires_in_days) {
            in.fail(it->second, "expires_in_days gives its own certificate; it cannot be "
                                "combined with certificate: " +
                                    in.scalar(certificate->second));
        }
        t.certificate = kind::expires_in_days;
        t.days = static_cast<int>(days);
    } else if (t.certificate == kind::expires_in_days) {
        in.fail(certificate->second,
                "certificate: expires_in_days needs the number of days: add expires_in_days: N");
    }
    if (auto it = entries.find("handshake"); it != entries.end()) {
        using mode = tls_fault::handshake_mode;
        static constexpr mode modes[] = {mode::fail, mode::hang};
        t.handshake = modes[in.choice(it->second, {"fail", "hang"})];
    }
    return t;
}

const char* certificate_name(tls_fault::certificate_kind k)
{
    using kind = tls_fault::certificate_kind;
    switch (k) {
    case kind::expired:
        return "expired";
    case kind::not_yet_valid:
        return "not_yet_valid";
    case kind::self_signed:
        return "self_signed";
    case kind::wrong_host:
        return "wrong_host";
    case kind::normal:
    case kind::expires_in_days:
        break;
    }
    return nullptr;
}

class tls_effect final : public effect_of<tls_effect> {
public:
    static constexpr std::string_view name = "tls";

    explicit tls_effect(tls_fault fault)
        : fault_(fault)
    {
    }

    static std::shared_ptr<const effect> read(const config::yaml_reader& in,
                                              const config::field& value)
    {
        return std::make_shared<tls_effect>(read_fault(in, value));
    }

    boost::json::value to_json() const override
    {
        boost::json::object o;
        if (fault_.certificate == tls_fault::certificate_kind::expires_in_days) {
            o["expires_in_days"] = fault_.days;
        } else if (const char* certificate = certificate_name(fault_.certificate)) {
            o["certificate"] = certificate;
        }
        if (fault_.handshake != tls_fault::handshake_mode::normal) {
            o["handshake"] = fault_.handshake == tls_fault::handshake_mode::fail ? "fail" : "hang";
        }
        return o;
    }

    std::optional<rule_problem> check(const rule& r) const override
    {
        if (!r.when.only_phase(smtp::phase::tls)) {
            return rule_problem{"do.tls", "tls faults happen in the handshake: they need "
                                          "when.phase: tls"};
        }
        const auto a = compose(r.effects);
        if (a.send || a.trickle) {
            return rule_problem{"do.tls", "tls cannot be combined with reply, raw or trickle: "
                                          "nothing is sent as SMTP during a handshake"};
        }
        return std::nullopt;
    }

    void apply(action& a) const override { a.tls = fault_; }

    friend bool operator==(const tls_effect&, const tls_effect&) = default;

private:
    tls_fault fault_;
};

} // namespace

extern const effect_type tls;
const effect_type tls{tls_effect::name, &tls_effect::read};

} // namespace faults::effects
