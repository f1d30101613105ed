#include "dns/name.hpp"

#include "dns/error.hpp"
#include "smtp/ascii.hpp"

#include <utility>

namespace dns {
namespace {

// Master-file specials that a presentation form escapes with a backslash (RFC 1035 §5.1).
bool needs_backslash(unsigned char c) noexcept
{
    switch (c) {
    case '.':
    case '\\':
    case '"':
    case '(':
    case ')':
    case ';':
    case '@':
    case '$':
        return true;
    default:
        return false;
    }
}

bool is_digit(char c) noexcept
{
    return c >= '0' && c <= '9';
}

// Appends one label in wire form, checking its length.
boost::system::error_code append_label(std::string& wire, std::string_view label)
{
    if (label.empty()) {
        return errc::empty_label;
    }
    if (label.size() > max_label_length) {
        return errc::label_too_long;
    }
    wire += static_cast<char>(label.size());
    wire.append(label);
    // The final root label still has to fit.
    if (wire.size() + 1 > max_name_length) {
        return errc::name_too_long;
    }
    return {};
}

// Decodes the escapes of one presentation label (RFC 1035 §5.1).
boost::system::result<std::string> unescape(std::string_view text)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\') {
            out += text[i];
            continue;
        }
        if (i + 1 >= text.size()) {
            return make_error_code(errc::bad_escape);
        }
        if (!is_digit(text[i + 1])) {
            out += text[++i];
            continue;
        }
        if (i + 3 >= text.size() || !is_digit(text[i + 2]) || !is_digit(text[i + 3])) {
            return make_error_code(errc::bad_escape);
        }
        const int value =
            (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
        if (value > 255) {
            return make_error_code(errc::bad_escape);
        }
        out += static_cast<char>(value);
        i += 3;
    }
    return out;
}

} // namespace

bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept
{
    return smtp::iequals(a, b);
}

name::name()
    : wire_(1, '\0')
{
}

boost::system::result<name> name::parse(std::string_view text)
{
    if (text == "." || text.empty()) {
        return name();
    }
    std::string wire;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        if (i < text.size() && text[i] == '\\') {
            if (i + 1 == text.size()) {
                return make_error_code(errc::bad_escape);
            }
            ++i; // the escaped octet never ends a label
            continue;
        }
        if (i < text.size() && text[i] != '.') {
            continue;
        }
        // A final dot ends the name; it adds no label.
        if (i == text.size() && start == text.size() && start > 0) {
            break;
        }
        auto label = unescape(text.substr(start, i - start));
        if (!label) {
            return label.error();
        }
        if (auto ec = append_label(wire, *label)) {
            return ec;
        }
        start = i + 1;
    }
    wire += '\0';
    return name(std::move(wire));
}

boost::system::result<name> name::from_wire(std::string_view wire)
{
    std::size_t at = 0;
    while (at < wire.size()) {
        const auto len = static_cast<unsigned char>(wire[at]);
        if (len == 0) {
            if (at + 1 != wire.size()) {
                return make_error_code(errc::trailing_data);
            }
            if (wire.size() > max_name_length) {
                return make_error_code(errc::name_too_long);
            }
            return name(std::string(wire));
        }
        if (len > max_label_length) {
            return make_error_code(errc::bad_label_type);
        }
        at += 1 + len;
    }
    return make_error_code(errc::truncated);
}

std::vector<std::size_t> name::label_offsets() const
{
    std::vector<std::size_t> out;
    for (std::size_t at = 0; static_cast<unsigned char>(wire_[at]) != 0;
         at += 1 + static_cast<unsigned char>(wire_[at])) {
        out.push_back(at);
    }
    return out;
}

std::vector<std::string_view> name::labels() const
{
    std::vector<std::string_view> out;
    const std::string_view w = wire_;
    for (auto at : label_offsets()) {
        out.push_back(w.substr(at + 1, static_cast<unsigned char>(w[at])));
    }
    return out;
}

std::size_t name::label_count() const noexcept
{
    std::size_t n = 0;
    for (std::size_t at = 0; static_cast<unsigned char>(wire_[at]) != 0;
         at += 1 + static_cast<unsigned char>(wire_[at])) {
        ++n;
    }
    return n;
}

std::string name::to_string() const
{
    if (is_root()) {
        return ".";
    }
    static constexpr char digits[] = "0123456789";
    std::string out;
    for (auto label : labels()) {
        if (!out.empty()) {
            out += '.';
        }
        for (char ch : label) {
            const auto c = static_cast<unsigned char>(ch);
            if (needs_backslash(c)) {
                out += '\\';
                out += ch;
            } else if (c < 0x21 || c > 0x7e) {
                out += '\\';
                out += digits[c / 100];
                out += digits[c / 10 % 10];
                out += digits[c % 10];
            } else {
                out += ch;
            }
        }
    }
    return out;
}

std::string name::key() const
{
    return smtp::to_lower(wire_);
}

bool name::is_subdomain_of(const name& ancestor) const noexcept
{
    const auto& a = ancestor.wire_;
    if (a.size() > wire_.size()) {
        return false;
    }
    // The suffix must start at a label boundary of this name.
    const std::size_t start = wire_.size() - a.size();
    std::size_t at = 0;
    while (at < start) {
        at += 1 + static_cast<unsigned char>(wire_[at]);
    }
    return at == start && equal_ignoring_case(std::string_view(wire_).substr(start), a);
}

std::vector<std::string_view> name::labels_below(const name& ancestor) const
{
    if (!is_subdomain_of(ancestor)) {
        return {};
    }
    auto all = labels();
    all.resize(all.size() - ancestor.label_count());
    return all;
}

boost::system::result<name> name::prepend(std::string_view label) const
{
    std::string wire;
    if (auto ec = append_label(wire, label)) {
        return ec;
    }
    wire += wire_;
    if (wire.size() > max_name_length) {
        return make_error_code(errc::name_too_long);
    }
    return name(std::move(wire));
}

bool operator==(const name& a, const name& b) noexcept
{
    return equal_ignoring_case(a.wire_, b.wire_);
}

} // namespace dns
