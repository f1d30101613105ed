#include "prober/mx_route.hpp"

#include "dns/name.hpp"

#include <algorithm>
#include <tuple>

namespace prober {
namespace {

bool is_address_literal(const std::string& text)
{
    // A name has a letter in its last label (RFC 1123 §2.1); an IPv4 literal has none, and an
    // IPv6 literal has a colon.
    if (text.find(':') != std::string::npos) {
        return true;
    }
    const auto last = text.substr(text.rfind('.') == std::string::npos ? 0 : text.rfind('.') + 1);
    return std::all_of(last.begin(), last.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string join(const std::vector<std::string>& parts)
{
    std::string out;
    for (const auto& p : parts) {
        out += out.empty() ? p : ", " + p;
    }
    return out;
}

std::string mx_text(const mx_host& h)
{
    return std::to_string(h.preference) + ' ' + (h.exchange.empty() ? "." : h.exchange);
}

} // namespace

std::string describe(const mx_answer& answer)
{
    switch (answer.outcome) {
    case mx_answer::kind::answered: {
        std::vector<std::string> parts;
        for (const auto& h : answer.mx) {
            parts.push_back("MX " + mx_text(h));
        }
        parts.insert(parts.end(), answer.addresses.begin(), answer.addresses.end());
        return join(parts);
    }
    case mx_answer::kind::nxdomain:
        return "NXDOMAIN";
    case mx_answer::kind::no_data:
        return "no records";
    case mx_answer::kind::failed:
    case mx_answer::kind::timeout:
        break;
    }
    return answer.error.empty() ? std::string("no usable answer") : answer.error;
}

bool is_mail_domain(std::string name)
{
    while (!name.empty() && name.back() == '.') {
        name.pop_back();
    }
    return !name.empty() && dns::name::parse(name) && !is_address_literal(name);
}

std::string describe_route(const mx_outcome& route)
{
    return route.domain + ": " +
           (route.implicit ? std::string("no MX, the domain itself (RFC 5321 5.1)")
                           : "MX " + std::to_string(route.preference) + ' ' + route.host) +
           ", " + route.address;
}

mx_route::mx_route(std::string domain)
{
    while (!domain.empty() && domain.back() == '.') {
        domain.pop_back();
    }
    result_.domain = std::move(domain);
    if (!is_mail_domain(result_.domain)) {
        fail(smtp::failure_kind::dns_error,
             "\"" + result_.domain + "\" is not a mail domain: --mx needs a domain name", "");
    }
}

std::optional<mx_route::question> mx_route::next() const
{
    if (done_) {
        return std::nullopt;
    }
    if (asking_mx_) {
        return question{true, result_.domain};
    }
    if (result_.implicit) {
        return question{false, result_.domain};
    }
    return question{false, result_.exchanges[host_index_].exchange};
}

void mx_route::on_answer(const mx_answer& answer, std::chrono::microseconds at)
{
    if (done_) {
        return;
    }
    result_.elapsed = at;
    if (asking_mx_) {
        on_mx(answer, at);
    } else {
        on_address(answer, at);
    }
}

void mx_route::on_mx(const mx_answer& answer, std::chrono::microseconds at)
{
    const auto& d = result_.domain;
    result_.notes.emplace_back(at, "MX " + d + ": " + describe(answer));
    asking_mx_ = false;
    switch (answer.outcome) {
    case mx_answer::kind::answered:
        break;
    case mx_answer::kind::no_data:
        // RFC 5321 §5.1: no MX records, so the domain itself is the mail exchanger.
        result_.implicit = true;
        return;
    case mx_answer::kind::nxdomain:
        return fail(smtp::failure_kind::dns_error,
                    "mail domain " + d + " does not exist (NXDOMAIN)", "NXDOMAIN");
    case mx_answer::kind::timeout:
        return fail(smtp::failure_kind::timeout, "no answer to the MX lookup of " + d,
                    describe(answer));
    case mx_answer::kind::failed:
        return fail(smtp::failure_kind::dns_error,
                    "MX lookup of " + d + " failed: " + describe(answer), describe(answer));
    }
    auto mx = answer.mx;
    for (auto& h : mx) {
        while (!h.exchange.empty() && h.exchange.back() == '.') {
            h.exchange.pop_back();
        }
    }
    if (std::any_of(mx.begin(), mx.end(), [](const mx_host& h) { return h.exchange.empty(); })) {
        // RFC 7505 §3: "MX 0 ." says the domain accepts no mail; §4.1: a sender must not try.
        return fail(smtp::failure_kind::dns_error,
                    "mail domain " + d + " accepts no mail (null MX, RFC 7505)", describe(answer));
    }
    if (mx.empty()) {
        result_.implicit = true; // an answer without records is no data
        return;
    }
    std::sort(mx.begin(), mx.end(), [](const mx_host& a, const mx_host& b) {
        return std::tie(a.preference, a.exchange) < std::tie(b.preference, b.exchange);
    });
    mx.erase(std::unique(mx.begin(), mx.end()), mx.end());
    result_.exchanges = std::move(mx);
}

void mx_route::on_address(const mx_answer& answer, std::chrono::microseconds at)
{
    const auto host = result_.implicit ? result_.domain : result_.exchanges[host_index_].exchange;
    result_.notes.emplace_back(at, host + ": " + describe(answer));
    if (answer.outcome == mx_answer::kind::answered && !answer.addresses.empty()) {
        result_.host = host;
        result_.preference = result_.implicit ? 0 : result_.exchanges[host_index_].preference;
        result_.addresses = answer.addresses;
        result_.address = answer.addresses.front();
        done_ = true;
        return;
    }
    only_timeouts_ = only_timeouts_ && answer.outcome == mx_answer::kind::timeout;
    skipped_.push_back(host + " (" + describe(answer) + ")");
    if (result_.implicit) {
        return fail(only_timeouts_ ? smtp::failure_kind::timeout : smtp::failure_kind::dns_error,
                    "mail domain " + result_.domain +
                        " has no MX and no address (RFC 5321 §5.1): " + describe(answer),
                    describe(answer));
    }
    // RFC 5321 §5.1: a host without an address is skipped for the next one.
    if (++host_index_ < result_.exchanges.size()) {
        return;
    }
    fail(only_timeouts_ ? smtp::failure_kind::timeout : smtp::failure_kind::dns_error,
         "no MX host of " + result_.domain + " has an address: " + join(skipped_), join(skipped_));
}

void mx_route::fail(smtp::failure_kind kind, std::string message, std::string received)
{
    result_.failure = kind;
    result_.message = std::move(message);
    result_.received = std::move(received);
    done_ = true;
}

} // namespace prober
