#include "dns/message_builder.hpp"

#include "dns/error.hpp"
#include "smtp/ascii.hpp"

#include <algorithm>

namespace dns {
namespace {

// Compression pointers hold 14-bit offsets (RFC 1035 §4.1.4).
constexpr std::size_t max_pointer_target = 0x3fff;

std::size_t index_of(section s) noexcept
{
    return static_cast<std::size_t>(s);
}

} // namespace

message_builder::message_builder(std::size_t limit)
    : out_(header_size, 0)
    , limit_(std::min(limit, max_message_size))
{
}

void message_builder::set_limit(std::size_t limit) noexcept
{
    limit_ = std::min(limit, max_message_size);
}

void message_builder::put16(std::uint16_t v)
{
    out_.push_back(static_cast<std::uint8_t>(v >> 8));
    out_.push_back(static_cast<std::uint8_t>(v & 0xff));
}

void message_builder::put32(std::uint32_t v)
{
    put16(static_cast<std::uint16_t>(v >> 16));
    put16(static_cast<std::uint16_t>(v & 0xffff));
}

void message_builder::put_name(const name& n)
{
    const std::string& wire = n.wire();
    const std::string lower = smtp::to_lower(wire);
    std::size_t at = 0;
    while (wire[at] != 0) {
        const auto found = suffixes_.find(lower.substr(at));
        if (found != suffixes_.end()) {
            put16(static_cast<std::uint16_t>(0xc000 | found->second));
            return;
        }
        if (out_.size() <= max_pointer_target) {
            suffixes_.emplace(lower.substr(at), static_cast<std::uint16_t>(out_.size()));
        }
        const std::size_t len = static_cast<unsigned char>(wire[at]);
        out_.insert(out_.end(), wire.begin() + static_cast<std::ptrdiff_t>(at),
                    wire.begin() + static_cast<std::ptrdiff_t>(at + 1 + len));
        at += 1 + len;
    }
    put8(0);
}

boost::system::error_code message_builder::put_rdata(const resource_record& rr)
{
    struct writer {
        message_builder& b;
        boost::system::error_code operator()(const a_data& d)
        {
            b.out_.insert(b.out_.end(), d.address.begin(), d.address.end());
            return {};
        }
        boost::system::error_code operator()(const aaaa_data& d)
        {
            b.out_.insert(b.out_.end(), d.address.begin(), d.address.end());
            return {};
        }
        // Names in the RDATA of these RFC 1035 types may be compressed (RFC 3597 §4).
        boost::system::error_code operator()(const ns_data& d) { return name(d.host); }
        boost::system::error_code operator()(const cname_data& d) { return name(d.target); }
        boost::system::error_code operator()(const ptr_data& d) { return name(d.target); }
        boost::system::error_code operator()(const mx_data& d)
        {
            b.put16(d.preference);
            return name(d.exchange);
        }
        boost::system::error_code operator()(const txt_data& d)
        {
            if (d.strings.empty()) {
                return errc::bad_rdata; // one or more strings (RFC 1035 §3.3.14)
            }
            for (const auto& s : d.strings) {
                if (s.size() > 255) {
                    return errc::string_too_long;
                }
                b.put8(static_cast<std::uint8_t>(s.size()));
                b.out_.insert(b.out_.end(), s.begin(), s.end());
            }
            return {};
        }
        boost::system::error_code operator()(const soa_data& d)
        {
            b.put_name(d.mname);
            b.put_name(d.rname);
            for (auto v : {d.serial, d.refresh, d.retry, d.expire, d.minimum}) {
                b.put32(v);
            }
            return {};
        }
        boost::system::error_code operator()(const opaque_data& d)
        {
            b.out_.insert(b.out_.end(), d.octets.begin(), d.octets.end());
            return {};
        }
        boost::system::error_code name(const dns::name& n)
        {
            b.put_name(n);
            return {};
        }
    };
    return std::visit(writer{*this}, rr.data);
}

void message_builder::rollback(const checkpoint& c)
{
    out_.resize(c.size);
    counts_ = c.counts;
    std::erase_if(suffixes_, [&](const auto& entry) { return entry.second >= c.size; });
}

boost::system::error_code message_builder::commit(section s, const checkpoint& before)
{
    if (out_.size() > limit_) {
        rollback(before);
        return errc::message_too_large;
    }
    ++counts_[index_of(s)];
    return {};
}

boost::system::error_code message_builder::add_question(const question& q)
{
    const auto before = mark();
    put_name(q.qname);
    put16(static_cast<std::uint16_t>(q.qtype));
    put16(static_cast<std::uint16_t>(q.qclass));
    return commit(section::question, before);
}

boost::system::error_code message_builder::add(section s, const resource_record& rr)
{
    const auto before = mark();
    put_name(rr.owner);
    put16(static_cast<std::uint16_t>(rr.type));
    put16(static_cast<std::uint16_t>(rr.klass));
    put32(rr.ttl);
    const std::size_t length_at = out_.size();
    put16(0);
    if (auto ec = put_rdata(rr)) {
        rollback(before);
        return ec;
    }
    const std::size_t rdlength = out_.size() - length_at - 2;
    if (rdlength > 0xffff) {
        rollback(before);
        return errc::rdata_too_long;
    }
    out_[length_at] = static_cast<std::uint8_t>(rdlength >> 8);
    out_[length_at + 1] = static_cast<std::uint8_t>(rdlength & 0xff);
    return commit(s, before);
}

boost::system::error_code message_builder::add_opt(const edns& opt)
{
    const auto before = mark();
    put8(0); // the root owns OPT (RFC 6891 §6.1.2)
    put16(static_cast<std::uint16_t>(rr_type::opt));
    put16(opt.udp_payload_size);
    put8(opt.extended_rcode);
    put8(opt.version);
    put16(static_cast<std::uint16_t>((opt.dnssec_ok ? 0x8000 : 0) | (opt.z & 0x7fff)));
    std::size_t length = 0;
    for (const auto& o : opt.options) {
        length += 4 + o.data.size();
    }
    if (length > 0xffff) {
        rollback(before);
        return errc::rdata_too_long;
    }
    put16(static_cast<std::uint16_t>(length));
    for (const auto& o : opt.options) {
        if (o.data.size() > 0xffff) {
            rollback(before);
            return errc::rdata_too_long;
        }
        put16(o.code);
        put16(static_cast<std::uint16_t>(o.data.size()));
        out_.insert(out_.end(), o.data.begin(), o.data.end());
    }
    return commit(section::additional, before);
}

std::vector<std::uint8_t> message_builder::finish(const header& h)
{
    const unsigned flags = (h.qr ? 0x8000u : 0u) | (static_cast<unsigned>(h.opcode) & 0xf) << 11 |
                           (h.aa ? 0x0400u : 0u) | (h.tc ? 0x0200u : 0u) | (h.rd ? 0x0100u : 0u) |
                           (h.ra ? 0x0080u : 0u) | (h.z ? 0x0040u : 0u) | (h.ad ? 0x0020u : 0u) |
                           (h.cd ? 0x0010u : 0u) | (h.rcode & 0xfu);
    const std::uint16_t fields[6] = {
        h.id, static_cast<std::uint16_t>(flags), counts_[0], counts_[1], counts_[2], counts_[3]};
    for (std::size_t i = 0; i < 6; ++i) {
        out_[2 * i] = static_cast<std::uint8_t>(fields[i] >> 8);
        out_[2 * i + 1] = static_cast<std::uint8_t>(fields[i] & 0xff);
    }
    std::vector<std::uint8_t> done(header_size, 0);
    done.swap(out_);
    counts_ = {};
    suffixes_.clear();
    return done;
}

boost::system::result<std::vector<std::uint8_t>> encode(const message& m)
{
    message_builder b;
    for (const auto& q : m.questions) {
        if (auto ec = b.add_question(q)) {
            return ec;
        }
    }
    const std::pair<section, const std::vector<resource_record>*> sections[] = {
        {section::answer, &m.answers},
        {section::authority, &m.authority},
        {section::additional, &m.additional}};
    for (const auto& [s, records] : sections) {
        for (const auto& rr : *records) {
            if (auto ec = b.add(s, rr)) {
                return ec;
            }
        }
    }
    if (m.opt) {
        if (auto ec = b.add_opt(*m.opt)) {
            return ec;
        }
    }
    return b.finish(m.header);
}

} // namespace dns
