// Fuzzes the DNS core with hostile bytes: the message parser never reads out of bounds or
// loops, whatever it accepts survives a round trip through the builder, the responder answers
// every input over UDP within the payload size and over TCP with a well-framed message that
// parses, and the TCP framer cuts the input the same way in any chunking.
#include "dns/error.hpp"
#include "dns/message_builder.hpp"
#include "dns/message_parser.hpp"
#include "dns/mock_zones.hpp"
#include "dns/responder.hpp"
#include "dns/tcp_framer.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

namespace {

dns::name n(const char* text)
{
    return *dns::name::parse(text);
}

const dns::responder& the_responder()
{
    static const dns::responder r = [] {
        dns::mock_names names;
        names.hostname = n("mock.example.test");
        names.addresses = {dns::ipv4{127, 0, 0, 1}};
        names.mail_domain = n("example.test");
        names.blocklists = {n("zen.example")};
        return dns::responder(*dns::make_zone_set(names));
    }();
    return r;
}

void check_round_trip(std::span<const std::uint8_t> data)
{
    auto parsed = dns::parse_message(data);
    if (!parsed) {
        if (parsed.error().offset > data.size()) {
            std::abort();
        }
        return;
    }
    // Names the input compressed into opaque RDATA are written out in full, so the copy may
    // outgrow a message; anything else must be written and read back equal.
    auto wire = dns::encode(*parsed);
    if (!wire) {
        if (wire.error() != dns::errc::message_too_large) {
            std::abort();
        }
        return;
    }
    auto again = dns::parse_message(*wire);
    if (!again || !(*again == *parsed)) {
        std::abort();
    }
}

void check_answers(std::span<const std::uint8_t> data, dns::fault_decisions faults)
{
    for (auto via : {dns::transport::udp, dns::transport::tcp}) {
        const auto a = the_responder().respond({data, via, std::nullopt, {}},
                                               [&](const dns::query&) { return faults; });
        if (a.what != dns::reply_action::kind::send) {
            continue;
        }
        std::span<const std::uint8_t> wire = a.bytes;
        if (via == dns::transport::tcp) {
            if (wire.size() < 2 ||
                static_cast<std::size_t>(wire[0] << 8 | wire[1]) != wire.size() - 2) {
                std::abort();
            }
            wire = wire.subspan(2);
        } else if (wire.size() > 1232) {
            std::abort();
        }
        if (!dns::parse_message(wire)) {
            std::abort();
        }
    }
}

void check_framing(std::span<const std::uint8_t> data, std::size_t chunk)
{
    dns::tcp_framer whole, pieces;
    std::size_t used = 0, messages_whole = 0, messages_pieces = 0;
    while (used < data.size() && !whole.error()) {
        const auto n = whole.consume(data.subspan(used));
        used += n;
        if (whole.has_message()) {
            whole.take();
            ++messages_whole;
        } else if (n == 0) {
            break;
        }
    }
    for (std::size_t at = 0; at < data.size() && !pieces.error(); at += chunk) {
        auto piece = data.subspan(at, std::min(chunk, data.size() - at));
        while (!piece.empty() && !pieces.error()) {
            piece = piece.subspan(pieces.consume(piece));
            if (pieces.has_message()) {
                if (pieces.take().size() < dns::header_size) {
                    std::abort();
                }
                ++messages_pieces;
            }
        }
    }
    if (messages_whole != messages_pieces || !whole.error() != !pieces.error()) {
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1) {
        return 0;
    }
    // The first octet picks the faults and the chunk size; the rest is the message.
    const std::uint8_t knobs = data[0];
    const std::span<const std::uint8_t> message(data + 1, size - 1);
    dns::fault_decisions faults;
    faults.truncate_udp = (knobs & 0x01) != 0;
    faults.mx = (knobs & 0x02) != 0 ? dns::mx_fault::a_only : dns::mx_fault::none;
    if ((knobs & 0x04) != 0) {
        faults.listed = {{dns::ipv4{127, 0, 0, 1}, {dns::ipv4{127, 0, 0, 2}}, "listed"}};
    }
    if ((knobs & 0x08) != 0) {
        faults.dnsbl_error = dns::dnsbl_error{dns::dnsbl_public_resolver, ""};
    }
    check_round_trip(message);
    check_answers(message, faults);
    check_framing(message, 1 + (knobs >> 4));
    return 0;
}
