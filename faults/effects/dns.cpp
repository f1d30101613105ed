// `do.dns: {rcode: servfail, truncate: true, mx: nxdomain|a_only|null_mx, listed: {code: 127.0.0.2,
// reason: TEXT}, dnsbl_error: 254, dnsbl_wildcard: 127.0.0.2}` with phase dns: how the mock's
// DNS server (--dns) answers the queries the rule matches (`command`: the query type, `argument`:
// the name asked). `delay` makes the answer slow and `hang` sends none.
#include "faults/effect.hpp"
#include "faults/scenario.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace faults::effects {
namespace {

using ipv4 = dns_fault::ipv4;

constexpr std::size_t max_codes = 16;
constexpr std::size_t max_reason = 255; // one TXT character-string (RFC 1035 §3.3.14)

std::optional<ipv4> parse_ipv4(std::string_view text)
{
    const auto a = parse_ip_address(text);
    if (!a || !a->v4 || text.find(':') != std::string_view::npos) {
        return std::nullopt;
    }
    return ipv4{a->bytes[12], a->bytes[13], a->bytes[14], a->bytes[15]};
}

std::string to_text(const ipv4& a)
{
    return std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) + "." +
           std::to_string(a[3]);
}

// One address or a list of them; `loopback_only`: each in 127.0.0.0/8 (RFC 5782 §2.1).
std::vector<ipv4> read_addresses(const config::yaml_reader& in, const config::field& f,
                                 bool loopback_only)
{
    const auto items = in.one_or_list(f);
    if (items.empty() || items.size() > max_codes) {
        in.fail(f, "expected 1 to " + std::to_string(max_codes) + " IPv4 addresses");
    }
    std::vector<ipv4> out;
    for (const auto& item : items) {
        const auto a = parse_ipv4(in.scalar(item));
        if (!a) {
            in.fail(item, "expected an IPv4 address such as 127.0.0.2");
        }
        if (loopback_only && (*a)[0] != 127) {
            in.fail(item, "a listing's code is in 127.0.0.0/8 (RFC 5782 §2.1); for a zone that "
                          "answers other addresses use dnsbl_wildcard");
        }
        out.push_back(*a);
    }
    return out;
}

std::string read_reason(const config::yaml_reader& in, const config::field& f)
{
    auto text = in.scalar(f);
    if (text.size() > max_reason) {
        in.fail(f, "a TXT reason is at most " + std::to_string(max_reason) + " octets");
    }
    return text;
}

void read_listed(const config::yaml_reader& in, const config::field& value, dns_fault& d)
{
    auto entries = in.map(value, {"code", "reason"});
    d.listed = {ipv4{127, 0, 0, 2}};
    if (auto it = entries.find("code"); it != entries.end()) {
        d.listed = read_addresses(in, it->second, true);
    }
    if (auto it = entries.find("reason"); it != entries.end()) {
        d.listed_reason = read_reason(in, it->second);
    }
}

dns_fault read_dns(const config::yaml_reader& in, const config::field& value)
{
    auto entries =
        in.map(value, {"rcode", "truncate", "mx", "listed", "dnsbl_error", "dnsbl_wildcard"});
    if (entries.empty()) {
        in.fail(value, "dns needs rcode, truncate, mx, listed, dnsbl_error or dnsbl_wildcard");
    }
    dns_fault d;
    if (auto it = entries.find("rcode"); it != entries.end()) {
        d.rcode = in.choice(it->second, {"servfail", "refused"}) == 0 ? "SERVFAIL" : "REFUSED";
    }
    if (auto it = entries.find("truncate"); it != entries.end()) {
        d.truncate = in.boolean(it->second);
    }
    if (auto it = entries.find("mx"); it != entries.end()) {
        static constexpr dns_fault::mx_answer answers[] = {
            dns_fault::mx_answer::data, dns_fault::mx_answer::nxdomain,
            dns_fault::mx_answer::a_only, dns_fault::mx_answer::null_mx};
        d.mx = answers[in.choice(it->second, {"data", "nxdomain", "a_only", "null_mx"})];
    }
    if (auto it = entries.find("listed"); it != entries.end()) {
        read_listed(in, it->second, d);
    }
    if (auto it = entries.find("dnsbl_error"); it != entries.end()) {
        // 127.255.255.0/24 answers are about the query, not the address (Spamhaus uses
        // 252: typing error, 254: public resolver, 255: excessive queries).
        d.dnsbl_error = static_cast<std::uint8_t>(in.integer(it->second, 1, 255));
    }
    if (auto it = entries.find("dnsbl_wildcard"); it != entries.end()) {
        d.dnsbl_wildcard = read_addresses(in, it->second, false);
    }
    if (d == dns_fault{}) {
        in.fail(value, "this dns fault asks for nothing; leave it out to answer from the data");
    }
    return d;
}

boost::json::value addresses_json(const std::vector<ipv4>& addresses)
{
    if (addresses.size() == 1) {
        return boost::json::string(to_text(addresses.front()));
    }
    boost::json::array out;
    for (const auto& a : addresses) {
        out.emplace_back(to_text(a));
    }
    return out;
}

class dns_effect final : public effect_of<dns_effect> {
public:
    static constexpr std::string_view name = "dns";

    explicit dns_effect(dns_fault d)
        : fault_(std::move(d))
    {
    }

    static std::shared_ptr<const effect> read(const config::yaml_reader& in,
                                              const config::field& value)
    {
        return std::make_shared<dns_effect>(read_dns(in, value));
    }

    boost::json::value to_json() const override
    {
        boost::json::object o;
        if (!fault_.rcode.empty()) {
            o["rcode"] = fault_.rcode == "SERVFAIL" ? "servfail" : "refused";
        }
        if (fault_.truncate) {
            o["truncate"] = true;
        }
        if (fault_.mx != dns_fault::mx_answer::data) {
            o["mx"] = fault_.mx == dns_fault::mx_answer::nxdomain ? "nxdomain"
                      : fault_.mx == dns_fault::mx_answer::a_only ? "a_only"
                                                                  : "null_mx";
        }
        if (!fault_.listed.empty()) {
            boost::json::object listed{{"code", addresses_json(fault_.listed)}};
            if (!fault_.listed_reason.empty()) {
                listed["reason"] = fault_.listed_reason;
            }
            o["listed"] = std::move(listed);
        }
        if (fault_.dnsbl_error != 0) {
            o["dnsbl_error"] = fault_.dnsbl_error;
        }
        if (!fault_.dnsbl_wildcard.empty()) {
            o["dnsbl_wildcard"] = addresses_json(fault_.dnsbl_wildcard);
        }
        return o;
    }

    std::optional<rule_problem> check(const rule& r) const override
    {
        if (!r.when.only_phase(smtp::phase::dns)) {
            return rule_problem{"do.dns", "dns decides how the mock's DNS server answers: it "
                                          "needs when.phase: dns"};
        }
        return std::nullopt;
    }

    void apply(action& a) const override { a.dns = fault_; }

    friend bool operator==(const dns_effect&, const dns_effect&) = default;

private:
    dns_fault fault_;
};

} // namespace

extern const effect_type dns;
const effect_type dns{dns_effect::name, &dns_effect::read};

} // namespace faults::effects
