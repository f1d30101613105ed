#include "prober/test_message.hpp"

#include <cstdio>
#include <ctime>

namespace prober {

std::string make_message_id(std::chrono::system_clock::time_point now, std::uint64_t nonce,
                            std::string_view domain)
{
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch());
    char buf[64];
    std::snprintf(buf, sizeof buf, "smtp-probe.%lld.%016llx@", static_cast<long long>(ms.count()),
                  static_cast<unsigned long long>(nonce));
    std::string id(buf);
    id += domain.empty() ? std::string_view("localhost") : domain;
    return id;
}

std::string rfc5322_date(std::chrono::system_clock::time_point t)
{
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return buf;
}

std::string build_test_message(const test_message_fields& fields)
{
    std::string to;
    for (const auto& r : fields.to) {
        if (!to.empty()) {
            to += ", ";
        }
        to += '<' + r + '>';
    }
    std::string m;
    m += "From: <" + fields.from + ">\r\n";
    m += "To: " + to + "\r\n";
    m += "Subject: smtp-probe test message " + fields.message_id + "\r\n";
    m += "Date: " + rfc5322_date(fields.date) + "\r\n";
    m += "Message-ID: <" + fields.message_id + ">\r\n";
    m += "MIME-Version: 1.0\r\n";
    m += "Content-Type: text/plain; charset=us-ascii\r\n";
    m += "X-Smtp-Probe: 1\r\n";
    m += "\r\n";
    m += "This message was sent by smtp-probe to check that mail is accepted and delivered.\r\n";
    m += "It may be deleted.\r\n";
    m += ".The next line is a lone dot, to check transparency (RFC 5321 section 4.5.2):\r\n";
    m += ".\r\n";
    m += "End of test message.\r\n";
    return m;
}

std::string dot_stuff(std::string_view message)
{
    std::string out;
    out.reserve(message.size() + message.size() / 40 + 8);
    bool line_start = true;
    for (std::size_t i = 0; i < message.size(); ++i) {
        char c = message[i];
        if (line_start && c == '.') {
            out += '.'; // RFC 5321 §4.5.2: double a leading dot
        }
        if (c == '\r' && i + 1 < message.size() && message[i + 1] == '\n') {
            out += "\r\n";
            ++i;
            line_start = true;
            continue;
        }
        if (c == '\n' || c == '\r') {
            out += "\r\n"; // RFC 5321 §2.3.8: lines end with CRLF only
            line_start = true;
            continue;
        }
        out += c;
        line_start = false;
    }
    if (!line_start) {
        out += "\r\n";
    }
    out += ".\r\n"; // RFC 5321 §4.1.1.4: the end-of-data indicator
    return out;
}

} // namespace prober
