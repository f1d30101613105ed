#include "dns/responder.hpp"

#include "dns/message_builder.hpp"
#include "dns/message_parser.hpp"
#include "dns/tcp_framer.hpp"

#include <algorithm>

namespace dns {
namespace {

using clock_type = std::chrono::steady_clock;

// An OPT record without options: root owner, type, class, TTL and RDLENGTH.
constexpr std::size_t bare_opt_size = 11;

std::size_t our_udp_size(const responder_settings& s)
{
    return std::max<std::size_t>(classic_udp_size, s.udp_payload_size);
}

// The room for an answer over UDP: 512 octets, or the requester's payload size with EDNS0,
// values below 512 counting as 512 (RFC 6891 §6.2.5), but no more than ours.
std::size_t udp_limit(const std::optional<edns>& asked, const responder_settings& s)
{
    if (!asked) {
        return classic_udp_size;
    }
    return std::clamp<std::size_t>(asked->udp_payload_size, classic_udp_size, our_udp_size(s));
}

// The header fields an answer copies from its query (RFC 1035 §4.1.1; CD: RFC 4035 §3.1.6).
header reply_header(const header& asked)
{
    header h;
    h.id = asked.id;
    h.qr = true;
    h.opcode = asked.opcode;
    h.rd = asked.rd;
    h.cd = asked.cd;
    return h;
}

// Our OPT record for an answer to a query that had one (RFC 6891 §6.1.3, §7).
edns reply_opt(const edns& asked, rcode code, const responder_settings& s)
{
    edns opt;
    opt.udp_payload_size = static_cast<std::uint16_t>(our_udp_size(s));
    opt.extended_rcode = static_cast<std::uint8_t>(static_cast<unsigned>(code) >> 4);
    opt.dnssec_ok = asked.dnssec_ok; // RFC 3225 §3
    return opt;
}

reply_action ignored(std::string note)
{
    reply_action a;
    a.note = std::move(note);
    return a;
}

reply_action sent(std::vector<std::uint8_t> wire, transport via, clock_type::time_point at,
                  std::string note)
{
    reply_action a;
    a.what = reply_action::kind::send;
    a.bytes = via == transport::tcp ? frame_for_tcp(wire) : std::move(wire);
    a.at = at;
    a.note = std::move(note);
    return a;
}

// A reply without records: the errors, and the truncated-UDP fault. A question (at most 259
// octets), an OPT and the header always fit in 512 octets.
std::vector<std::uint8_t> bare_reply(header h, rcode code, const std::optional<question>& q,
                                     const std::optional<edns>& asked, const responder_settings& s)
{
    h.rcode = static_cast<std::uint8_t>(static_cast<unsigned>(code) & 0xf);
    message_builder b;
    if (q) {
        b.add_question(*q);
    }
    if (asked) {
        b.add_opt(reply_opt(*asked, code, s));
    }
    return b.finish(h);
}

// Records grouped into RRsets (same owner and type), in order of first appearance.
std::vector<std::vector<const resource_record*>> rrsets_of(const std::vector<resource_record>& rs)
{
    std::vector<std::vector<const resource_record*>> out;
    for (const auto& rr : rs) {
        auto same = std::find_if(out.begin(), out.end(), [&](const auto& set) {
            return set.front()->type == rr.type && set.front()->owner == rr.owner;
        });
        if (same == out.end()) {
            out.push_back({&rr});
        } else {
            same->push_back(&rr);
        }
    }
    return out;
}

// Adds whole RRsets. In the answer and authority sections the first RRset that does not fit
// ends the message (false: set TC); in the additional section it is left out (RFC 2181 §9).
bool add_rrsets(message_builder& b, section s, const std::vector<resource_record>& records)
{
    for (const auto& set : rrsets_of(records)) {
        const auto before = b.mark();
        const bool fits = std::all_of(set.begin(), set.end(),
                                      [&](const resource_record* rr) { return !b.add(s, *rr); });
        if (!fits) {
            b.rollback(before);
            if (s != section::additional) {
                return false;
            }
        }
    }
    return true;
}

std::string describe(const resolution& r, bool truncated, std::size_t limit)
{
    std::string note = to_string(r.rcode);
    if (r.rcode == rcode::noerror) {
        note += r.answers.empty() ? " (no data)"
                                  : ": " + std::to_string(r.answers.size()) + " answer" +
                                        (r.answers.size() == 1 ? "" : "s");
    }
    if (truncated) {
        note += "; TC: the answer does not fit in " + std::to_string(limit) + " octets";
    }
    return note;
}

std::vector<std::uint8_t> write_answer(const query& q, const resolution& r, std::size_t limit,
                                       const responder_settings& s, std::string& note)
{
    // Keep room for the OPT record, which goes last and is never left out (RFC 6891 §7).
    message_builder b(q.edns ? limit - bare_opt_size : limit);
    b.add_question(q.question);
    const bool fits = add_rrsets(b, section::answer, r.answers) &&
                      add_rrsets(b, section::authority, r.authority) &&
                      add_rrsets(b, section::additional, r.additional);
    b.set_limit(limit);
    if (q.edns) {
        b.add_opt(reply_opt(*q.edns, r.rcode, s));
    }
    header h = reply_header(q.header);
    h.aa = r.authoritative;
    h.tc = !fits;
    h.rcode = static_cast<std::uint8_t>(static_cast<unsigned>(r.rcode) & 0xf);
    note = describe(r, !fits, limit);
    return b.finish(h);
}

} // namespace

responder::responder(zone_set zones, responder_settings settings)
    : zones_(std::move(zones))
    , settings_(settings)
{
}

std::variant<query, reply_action> responder::decode(const received& in) const
{
    const auto head = parse_header(in.bytes);
    if (!head) {
        return ignored("ignored: " + std::to_string(in.bytes.size()) +
                       " octets, shorter than a DNS header");
    }
    if (head->qr) {
        return ignored("ignored: a response (QR=1)");
    }
    const header base = reply_header(*head);
    auto reply = [&](rcode code, const std::optional<question>& q, const std::optional<edns>& opt,
                     std::string note) -> reply_action {
        return sent(bare_reply(base, code, q, opt, settings_), in.transport, in.now,
                    to_string(code) + ": " + note);
    };
    auto m = parse_message(in.bytes);
    if (!m) {
        return reply(rcode::formerr, std::nullopt, std::nullopt, m.error().to_string());
    }
    if (head->opcode != opcode::query) {
        return reply(rcode::notimp, std::nullopt, m->opt,
                     "opcode " + std::to_string(static_cast<unsigned>(head->opcode)));
    }
    if (m->questions.size() != 1) {
        return reply(rcode::formerr, std::nullopt, m->opt,
                     std::to_string(m->questions.size()) + " questions, not 1");
    }
    const std::size_t allowed = m->opt ? our_udp_size(settings_) : classic_udp_size;
    if (in.transport == transport::udp && in.bytes.size() > allowed) {
        return reply(rcode::formerr, std::nullopt, m->opt,
                     "a UDP query of " + std::to_string(in.bytes.size()) + " octets, over " +
                         std::to_string(allowed));
    }
    if (m->opt && m->opt->version != 0) {
        return reply(rcode::badvers, m->questions.front(), m->opt,
                     "EDNS version " + std::to_string(m->opt->version));
    }
    return query{m->header,         std::move(m->questions.front()),
                 std::move(m->opt), in.transport,
                 in.client,         in.now};
}

reply_action responder::answer(const query& q, const fault_decisions& faults) const
{
    if (faults.no_answer) {
        return ignored("no answer (fault)");
    }
    const auto at = q.now + faults.delay;
    const header base = reply_header(q.header);
    if (faults.truncate_udp && q.transport == transport::udp) {
        header h = base;
        h.tc = true;
        h.aa = true;
        return sent(bare_reply(h, rcode::noerror, q.question, q.edns, settings_), q.transport, at,
                    "NOERROR; TC: truncated (fault)");
    }
    if (faults.rcode) {
        return sent(bare_reply(base, *faults.rcode, q.question, q.edns, settings_), q.transport, at,
                    to_string(*faults.rcode) + " (fault)");
    }
    const auto r = lookup(zones_, q.question, faults);
    const std::size_t limit =
        q.transport == transport::tcp ? max_message_size : udp_limit(q.edns, settings_);
    std::string note;
    auto wire = write_answer(q, r, limit, settings_, note);
    return sent(std::move(wire), q.transport, at, std::move(note));
}

reply_action responder::respond(const received& in, const fault_source& faults) const
{
    auto decoded = decode(in);
    if (auto* q = std::get_if<query>(&decoded)) {
        return answer(*q, faults ? faults(*q) : fault_decisions{});
    }
    return std::get<reply_action>(std::move(decoded));
}

} // namespace dns
