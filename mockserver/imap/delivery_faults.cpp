#include "mockserver/imap/delivery_faults.hpp"

#include "smtp/ascii.hpp"

namespace mock::imap {

namespace {

// Where the header ends: the offset of the blank line's CRLF, or the end when there is none.
std::size_t header_end(std::string_view data)
{
    if (data.starts_with("\r\n")) {
        return 0;
    }
    const auto blank = data.find("\r\n\r\n");
    return blank == std::string_view::npos ? data.size() : blank + 2;
}

std::shared_ptr<const captured_message> changed(const captured_message& m,
                                                const faults::delivery_fault& d)
{
    if (!d.subject && !d.body) {
        return nullptr;
    }
    auto copy = std::make_shared<captured_message>(m);
    if (d.subject) {
        copy->data = with_subject(copy->data, *d.subject);
    }
    if (d.body) {
        copy->data = with_body(copy->data, *d.body);
    }
    return copy;
}

} // namespace

std::string with_subject(std::string_view data, std::string_view subject)
{
    const auto end = header_end(data);
    const std::string field = "Subject: " + std::string(subject) + "\r\n";
    // RFC 5322 §2.2: a field starts at a line's beginning; lines starting with WSP continue it.
    std::size_t pos = 0;
    while (pos < end) {
        auto next = data.find("\r\n", pos);
        next = next == std::string_view::npos ? end : std::min(end, next + 2);
        if (smtp::istarts_with(data.substr(pos, next - pos), "subject:")) {
            auto stop = next;
            while (stop < end && (data[stop] == ' ' || data[stop] == '\t')) {
                const auto line_end = data.find("\r\n", stop);
                stop = line_end == std::string_view::npos ? end : std::min(end, line_end + 2);
            }
            return std::string(data.substr(0, pos)) + field + std::string(data.substr(stop));
        }
        pos = next;
    }
    return field + std::string(data);
}

std::string with_body(std::string_view data, std::string_view body)
{
    const auto end = header_end(data);
    std::string out(data.substr(0, end));
    if (end == data.size() && !out.ends_with("\r\n")) {
        out += "\r\n";
    }
    out += "\r\n";
    out += body;
    if (!out.ends_with("\r\n")) {
        out += "\r\n";
    }
    return out;
}

std::vector<delivery> planned_deliveries(const captured_message& message)
{
    if (!message.delivery) {
        return {delivery{}};
    }
    const auto& d = *message.delivery;
    using destination = faults::delivery_fault::destination;
    if (d.to == destination::nowhere) {
        return {};
    }
    delivery one;
    one.folder = d.to == destination::junk ? folder_id::junk : folder_id::inbox;
    one.delay = d.after;
    one.content = changed(message, d);
    return std::vector<delivery>(d.copies, one);
}

delivery_policy fault_policy()
{
    return [](const captured_message& message, std::string_view) {
        return planned_deliveries(message);
    };
}

} // namespace mock::imap
