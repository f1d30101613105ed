#include "dns/message_parser.hpp"

#include "dns/error.hpp"

#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>

namespace dns {
namespace {

// Reads fields from a message, each checked against a bound; the first failure is kept.
class reader {
public:
    explicit reader(std::span<const std::uint8_t> msg)
        : msg_(msg)
    {
    }

    std::size_t position() const noexcept { return pos_; }
    std::size_t size() const noexcept { return msg_.size(); }
    const parse_error& error() const noexcept { return error_; }

    bool fail(errc e, std::size_t at)
    {
        error_ = {make_error_code(e), at};
        return false;
    }

    bool u8(std::uint8_t& out, std::size_t end)
    {
        if (pos_ + 1 > end) {
            return fail(errc::truncated, pos_);
        }
        out = msg_[pos_++];
        return true;
    }

    bool u16(std::uint16_t& out, std::size_t end)
    {
        if (pos_ + 2 > end) {
            return fail(errc::truncated, pos_);
        }
        out = static_cast<std::uint16_t>(msg_[pos_] << 8 | msg_[pos_ + 1]);
        pos_ += 2;
        return true;
    }

    bool u32(std::uint32_t& out, std::size_t end)
    {
        std::uint16_t hi = 0, lo = 0;
        if (!u16(hi, end) || !u16(lo, end)) {
            return false;
        }
        out = static_cast<std::uint32_t>(hi) << 16 | lo;
        return true;
    }

    template <typename Out> bool octets(Out& out, std::size_t n, std::size_t end)
    {
        if (pos_ + n > end) {
            return fail(errc::truncated, pos_);
        }
        out.assign(msg_.begin() + static_cast<std::ptrdiff_t>(pos_),
                   msg_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
        pos_ += n;
        return true;
    }

    template <std::size_t N> bool octets(std::array<std::uint8_t, N>& out, std::size_t end)
    {
        if (pos_ + N > end) {
            return fail(errc::truncated, pos_);
        }
        for (auto& b : out) {
            b = msg_[pos_++];
        }
        return true;
    }

    // A possibly compressed name whose own octets end before `end` (RFC 1035 §4.1.4).
    bool read_name(name& out, std::size_t end);

private:
    std::span<const std::uint8_t> msg_;
    std::size_t pos_ = 0;
    parse_error error_;
};

bool reader::read_name(name& out, std::size_t end)
{
    std::string wire;
    std::size_t at = pos_;
    std::size_t bound = end;
    // Where the run of labels being read began: a pointer must point before it, so that each
    // jump goes strictly backwards and no input can make the reader loop.
    std::size_t segment_start = pos_;
    std::optional<std::size_t> resume; // the octet after the first pointer
    for (;;) {
        if (at >= bound) {
            return fail(errc::truncated, at);
        }
        const std::uint8_t len = msg_[at];
        if ((len & 0xc0) == 0xc0) {
            if (at + 2 > bound) {
                return fail(errc::truncated, at);
            }
            const std::size_t target = static_cast<std::size_t>(len & 0x3f) << 8 | msg_[at + 1];
            if (target < header_size || target >= msg_.size()) {
                return fail(errc::pointer_out_of_range, at);
            }
            if (target >= segment_start) {
                return fail(errc::pointer_loop, at);
            }
            if (!resume) {
                resume = at + 2;
            }
            segment_start = target;
            at = target;
            bound = msg_.size();
            continue;
        }
        if ((len & 0xc0) != 0) {
            return fail(errc::bad_label_type, at);
        }
        if (at + 1 + len > bound) {
            return fail(errc::truncated, at);
        }
        wire.append(reinterpret_cast<const char*>(msg_.data()) + at, 1 + len);
        if (wire.size() > max_name_length) {
            return fail(errc::name_too_long, at);
        }
        at += 1 + len;
        if (len == 0) {
            break;
        }
    }
    auto parsed = name::from_wire(wire);
    if (!parsed) {
        return fail(errc::name_too_long, pos_);
    }
    out = std::move(*parsed);
    pos_ = resume ? *resume : at;
    return true;
}

bool read_txt(reader& r, txt_data& out, std::size_t end)
{
    // One or more character-strings filling the RDATA (RFC 1035 §3.3.14).
    if (r.position() == end) {
        return r.fail(errc::bad_rdata, r.position());
    }
    while (r.position() < end) {
        std::uint8_t len = 0;
        std::string s;
        if (!r.u8(len, end) || !r.octets(s, len, end)) {
            return r.fail(errc::bad_rdata, r.position());
        }
        out.strings.push_back(std::move(s));
    }
    return true;
}

bool read_soa(reader& r, soa_data& d, std::size_t end)
{
    return r.read_name(d.mname, end) && r.read_name(d.rname, end) && r.u32(d.serial, end) &&
           r.u32(d.refresh, end) && r.u32(d.retry, end) && r.u32(d.expire, end) &&
           r.u32(d.minimum, end);
}

// The RDATA of a record of `type`, exactly `end - position` octets long.
bool read_rdata(reader& r, rr_type type, rr_class klass, rdata& out, std::size_t end)
{
    const std::size_t start = r.position();
    bool ok = true;
    const bool internet = klass == rr_class::in;
    if (type == rr_type::a && internet) {
        ok = r.octets(out.emplace<a_data>().address, end);
    } else if (type == rr_type::aaaa && internet) {
        ok = r.octets(out.emplace<aaaa_data>().address, end);
    } else if (type == rr_type::ns) {
        ok = r.read_name(out.emplace<ns_data>().host, end);
    } else if (type == rr_type::cname) {
        ok = r.read_name(out.emplace<cname_data>().target, end);
    } else if (type == rr_type::ptr) {
        ok = r.read_name(out.emplace<ptr_data>().target, end);
    } else if (type == rr_type::mx) {
        auto& mx = out.emplace<mx_data>();
        ok = r.u16(mx.preference, end) && r.read_name(mx.exchange, end);
    } else if (type == rr_type::txt) {
        ok = read_txt(r, out.emplace<txt_data>(), end);
    } else if (type == rr_type::soa) {
        ok = read_soa(r, out.emplace<soa_data>(), end);
    } else {
        ok = r.octets(out.emplace<opaque_data>().octets, end - start, end);
    }
    if (!ok) {
        // RDLENGTH is within the message (checked before): a field that runs past it is bad.
        if (r.error().code == errc::truncated) {
            return r.fail(errc::bad_rdata, start);
        }
        return false;
    }
    if (r.position() != end) {
        return r.fail(errc::bad_rdata, start);
    }
    return true;
}

// The OPT pseudo-record's fields (RFC 6891 §6.1.2, §6.1.3).
bool read_opt(reader& r, std::uint16_t klass, std::uint32_t ttl, edns& out, std::size_t end)
{
    out.udp_payload_size = klass;
    out.extended_rcode = static_cast<std::uint8_t>(ttl >> 24);
    out.version = static_cast<std::uint8_t>(ttl >> 16);
    out.dnssec_ok = (ttl & 0x8000) != 0;
    out.z = static_cast<std::uint16_t>(ttl & 0x7fff);
    while (r.position() < end) {
        edns_option o;
        std::uint16_t len = 0;
        const auto at = r.position();
        if (!r.u16(o.code, end) || !r.u16(len, end) || !r.octets(o.data, len, end)) {
            return r.fail(errc::bad_rdata, at);
        }
        out.options.push_back(std::move(o));
    }
    return true;
}

enum class section { answer, authority, additional };

bool read_record(reader& r, section s, message& m)
{
    const std::size_t start = r.position();
    resource_record rr;
    std::uint16_t type = 0, klass = 0, rdlength = 0;
    if (!r.read_name(rr.owner, r.size()) || !r.u16(type, r.size()) || !r.u16(klass, r.size()) ||
        !r.u32(rr.ttl, r.size()) || !r.u16(rdlength, r.size())) {
        return false;
    }
    const std::size_t end = r.position() + rdlength;
    if (end > r.size()) {
        return r.fail(errc::truncated, r.position());
    }
    rr.type = static_cast<rr_type>(type);
    rr.klass = static_cast<rr_class>(klass);
    if (rr.type == rr_type::opt) {
        // At most one OPT, in the additional section, owned by the root (RFC 6891 §6.1.1).
        if (s != section::additional || m.opt || !rr.owner.is_root()) {
            return r.fail(errc::bad_opt, start);
        }
        return read_opt(r, klass, rr.ttl, m.opt.emplace(), end);
    }
    if (!read_rdata(r, rr.type, rr.klass, rr.data, end)) {
        return false;
    }
    auto& target = s == section::answer      ? m.answers
                   : s == section::authority ? m.authority
                                             : m.additional;
    target.push_back(std::move(rr));
    return true;
}

header decode_header(std::span<const std::uint8_t> w) noexcept
{
    header h;
    h.id = static_cast<std::uint16_t>(w[0] << 8 | w[1]);
    const unsigned flags = static_cast<unsigned>(w[2] << 8 | w[3]);
    h.qr = (flags & 0x8000) != 0;
    h.opcode = static_cast<opcode>(flags >> 11 & 0xf);
    h.aa = (flags & 0x0400) != 0;
    h.tc = (flags & 0x0200) != 0;
    h.rd = (flags & 0x0100) != 0;
    h.ra = (flags & 0x0080) != 0;
    h.z = (flags & 0x0040) != 0;
    h.ad = (flags & 0x0020) != 0;
    h.cd = (flags & 0x0010) != 0;
    h.rcode = static_cast<std::uint8_t>(flags & 0xf);
    return h;
}

} // namespace

std::string parse_error::to_string() const
{
    return code.message() + " at offset " + std::to_string(offset);
}

void throw_exception_from_error(const parse_error& e, const boost::source_location& loc)
{
    boost::throw_exception(boost::system::system_error(e.code, e.to_string()), loc);
}

std::optional<header> parse_header(std::span<const std::uint8_t> wire) noexcept
{
    if (wire.size() < header_size) {
        return std::nullopt;
    }
    return decode_header(wire);
}

boost::system::result<message, parse_error> parse_message(std::span<const std::uint8_t> wire)
{
    if (wire.size() > max_message_size) {
        return parse_error{make_error_code(errc::message_too_large), max_message_size};
    }
    if (wire.size() < header_size) {
        return parse_error{make_error_code(errc::truncated), wire.size()};
    }
    message m;
    m.header = decode_header(wire);
    reader r(wire);
    std::uint16_t skip = 0, qd = 0, an = 0, ns = 0, ar = 0;
    r.u16(skip, header_size);
    r.u16(skip, header_size);
    r.u16(qd, header_size);
    r.u16(an, header_size);
    r.u16(ns, header_size);
    r.u16(ar, header_size);
    // Counts come from the message: records are appended as they parse, never reserved, so a
    // count of 65535 in a short message costs nothing.
    for (unsigned i = 0; i < qd; ++i) {
        question q;
        std::uint16_t type = 0, klass = 0;
        if (!r.read_name(q.qname, r.size()) || !r.u16(type, r.size()) || !r.u16(klass, r.size())) {
            return r.error();
        }
        q.qtype = static_cast<rr_type>(type);
        q.qclass = static_cast<rr_class>(klass);
        m.questions.push_back(std::move(q));
    }
    const std::pair<section, unsigned> sections[] = {
        {section::answer, an}, {section::authority, ns}, {section::additional, ar}};
    for (const auto& [s, count] : sections) {
        for (unsigned i = 0; i < count; ++i) {
            if (!read_record(r, s, m)) {
                return r.error();
            }
        }
    }
    if (r.position() != wire.size()) {
        return parse_error{make_error_code(errc::trailing_data), r.position()};
    }
    return m;
}

} // namespace dns
