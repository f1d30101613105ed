#include "mockserver/imap/mime_structure.hpp"

#include "mockserver/imap/envelope.hpp"
#include "mockserver/imap/message_text.hpp"
#include "smtp/ascii.hpp"
#include "smtp/imap_syntax.hpp"

#include <algorithm>

namespace mock::imap {

namespace {

using parameter_list = std::vector<std::pair<std::string, std::string>>;

// RFC 2045 §5.1: token := 1*<any CHAR except SPACE, CTLs, or tspecials>
bool is_token_char(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f &&
           std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

// Reads a Content-Type or Content-Disposition value: tokens, quoted strings, "/", ";" and "=",
// skipping white space and (comments).
class field_scanner {
public:
    explicit field_scanner(std::string_view s)
        : s_(s)
    {
    }

    void skip()
    {
        while (pos_ < s_.size()) {
            if (s_[pos_] == ' ' || s_[pos_] == '\t') {
                ++pos_;
            } else if (s_[pos_] == '(') {
                for (int depth = 0; pos_ < s_.size();) {
                    const char c = s_[pos_++];
                    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
                    if (c == '\\') {
                        ++pos_;
                    } else if (depth == 0) {
                        break;
                    }
                }
            } else {
                return;
            }
        }
    }

    bool take(char c)
    {
        skip();
        if (pos_ < s_.size() && s_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }

    std::optional<std::string> token()
    {
        skip();
        const auto start = pos_;
        while (pos_ < s_.size() && is_token_char(s_[pos_])) {
            ++pos_;
        }
        if (pos_ == start) {
            return std::nullopt;
        }
        return std::string(s_.substr(start, pos_ - start));
    }

    std::optional<std::string> value()
    {
        skip();
        if (pos_ >= s_.size() || s_[pos_] != '"') {
            return token();
        }
        std::string out;
        for (++pos_; pos_ < s_.size() && s_[pos_] != '"'; ++pos_) {
            if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) {
                ++pos_;
            }
            out += s_[pos_];
        }
        ++pos_;
        return out;
    }

    // *(";" attribute "=" value), stopping at the first malformed one.
    parameter_list parameters()
    {
        parameter_list out;
        while (take(';')) {
            auto name = token();
            if (!name || !take('=')) {
                break;
            }
            auto v = value();
            if (!v) {
                break;
            }
            out.emplace_back(smtp::to_upper(*name), std::move(*v));
        }
        return out;
    }

private:
    std::string_view s_;
    std::size_t pos_ = 0;
};

std::optional<std::string> first_value(std::string_view header, std::string_view name)
{
    auto v = header_values(header, name);
    return v.empty() ? std::nullopt : std::optional<std::string>(std::move(v.front()));
}

const std::string* parameter(const mime_part& p, std::string_view name)
{
    for (const auto& [n, v] : p.parameters) {
        if (n == name) {
            return &v;
        }
    }
    return nullptr;
}

// RFC 2045 §5.2: without a usable Content-Type, "text/plain; charset=us-ascii".
void default_type(mime_part& p, bool in_digest)
{
    p.type = in_digest ? "MESSAGE" : "TEXT";
    p.subtype = in_digest ? "RFC822" : "PLAIN";
    p.parameters.clear();
    if (!in_digest) {
        p.parameters.emplace_back("CHARSET", "us-ascii");
    }
}

void read_content_fields(mime_part& p, bool in_digest)
{
    default_type(p, in_digest);
    if (auto ct = first_value(p.header, "Content-Type")) {
        field_scanner f(*ct);
        auto type = f.token();
        auto subtype = type && f.take('/') ? f.token() : std::nullopt;
        if (subtype) {
            p.type = smtp::to_upper(*type);
            p.subtype = smtp::to_upper(*subtype);
            p.parameters = f.parameters();
        }
    }
    p.id = first_value(p.header, "Content-ID");
    p.description = first_value(p.header, "Content-Description");
    if (auto cte = first_value(p.header, "Content-Transfer-Encoding")) {
        p.encoding = smtp::to_upper(*cte);
    }
    p.md5 = first_value(p.header, "Content-MD5");
    if (auto cd = first_value(p.header, "Content-Disposition")) {
        field_scanner f(*cd);
        if (auto d = f.token()) {
            p.disposition.emplace(smtp::to_upper(*d), f.parameters());
        }
    }
    p.language = first_value(p.header, "Content-Language");
    p.location = first_value(p.header, "Content-Location");
}

enum class line_kind { text, boundary, close };

// RFC 2046 §5.1.1: dash-boundary transport-padding CRLF, or the close delimiter with "--";
// transport-padding is linear white space (a line "--b10" is not a boundary "b1").
line_kind delimiter_kind(std::string_view line, std::string_view delimiter)
{
    if (line.substr(0, delimiter.size()) != delimiter) {
        return line_kind::text;
    }
    auto tail = line.substr(delimiter.size());
    const bool close = tail.substr(0, 2) == "--";
    if (close) {
        tail.remove_prefix(2);
    }
    const bool padding = tail.find_first_not_of(" \t\r") == std::string_view::npos;
    return !padding ? line_kind::text : close ? line_kind::close : line_kind::boundary;
}

// RFC 2046 §5.1.1: the parts between "--boundary" lines, up to "--boundary--"; the CRLF before
// a boundary line belongs to the boundary.
std::vector<std::string_view> split_multipart(std::string_view body, std::string_view boundary)
{
    const std::string delimiter = "--" + std::string(boundary);
    std::vector<std::string_view> parts;
    std::optional<std::size_t> part_start;
    std::size_t pos = 0;
    while (pos <= body.size()) {
        const auto lf = body.find('\n', pos);
        const auto next = lf == std::string_view::npos ? body.size() + 1 : lf + 1;
        const auto line = body.substr(pos, (lf == std::string_view::npos ? body.size() : lf) - pos);
        const auto kind = delimiter_kind(line, delimiter);
        if (kind != line_kind::text) {
            if (part_start) {
                auto end = pos;
                end -= end >= 1 && body[end - 1] == '\n' ? 1 : 0;
                end -= end >= 1 && body[end - 1] == '\r' && end > *part_start ? 1 : 0;
                parts.push_back(body.substr(*part_start, std::max(end, *part_start) - *part_start));
            }
            if (kind == line_kind::close) {
                return parts;
            }
            part_start = std::min(next, body.size());
        }
        pos = next;
    }
    if (part_start) {
        parts.push_back(body.substr(*part_start)); // no closing boundary
    }
    return parts;
}

class mime_parser {
public:
    mime_parser(std::size_t max_depth, std::size_t max_parts)
        : max_depth_(max_depth)
        , parts_left_(max_parts)
    {
    }

    mime_part entity(std::string_view content, std::size_t depth, bool in_digest)
    {
        mime_part p;
        const auto parts = split_message(content);
        p.header = parts.header;
        p.body = parts.body;
        if (parts.body.empty() && parts.header == content && !content.empty() &&
            content.front() != '\r' && content.front() != '\n' &&
            parts.header.find(':') == std::string_view::npos) {
            p.header = {}; // no header at all: the content is the body
            p.body = content;
        }
        read_content_fields(p, in_digest);
        if (depth >= max_depth_ || parts_left_ == 0) {
            default_type(p, false);
            return p;
        }
        if (p.type == "MULTIPART") {
            multipart(p, depth);
        } else if (p.type == "MESSAGE" && p.subtype == "RFC822") {
            --parts_left_;
            p.children.push_back(entity(p.body, depth + 1, false));
        }
        return p;
    }

private:
    void multipart(mime_part& p, std::size_t depth)
    {
        const auto* boundary = parameter(p, "BOUNDARY");
        const auto bodies = boundary && !boundary->empty() ? split_multipart(p.body, *boundary)
                                                           : std::vector<std::string_view>{};
        if (bodies.empty()) {
            default_type(p, false); // RFC 2046 §5.1.1: no usable boundary
            return;
        }
        for (auto b : bodies) {
            if (parts_left_ == 0) {
                break;
            }
            --parts_left_;
            p.children.push_back(entity(b, depth + 1, p.subtype == "DIGEST"));
        }
    }

    std::size_t max_depth_;
    std::size_t parts_left_;
};

std::string quoted_or_nil(const std::optional<std::string>& s)
{
    return nstring(s);
}

std::string parameter_text(const parameter_list& list)
{
    if (list.empty()) {
        return "NIL";
    }
    std::string out = "(";
    for (const auto& [name, value] : list) {
        out += (out.size() > 1 ? " " : "") + smtp::imap::string_or_literal(name) + " " +
               smtp::imap::string_or_literal(value);
    }
    return out + ")";
}

std::string extension_text(const mime_part& p, bool multipart)
{
    // RFC 3501 §9: body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP
    // body-fld-loc]]]; body-ext-mpart = body-fld-param [SP body-fld-dsp ...]
    std::string out = multipart ? parameter_text(p.parameters) : quoted_or_nil(p.md5);
    if (p.disposition) {
        out += " (" + smtp::imap::string_or_literal(p.disposition->first) + " " +
               parameter_text(p.disposition->second) + ")";
    } else {
        out += " NIL";
    }
    if (!p.language) {
        out += " NIL";
    } else {
        std::vector<std::string> tags;
        field_scanner f(*p.language);
        while (auto t = f.token()) {
            tags.push_back(std::move(*t));
            f.take(',');
        }
        if (tags.size() == 1) {
            out += " " + smtp::imap::string_or_literal(tags.front());
        } else if (tags.empty()) {
            out += " NIL";
        } else {
            out += " (";
            for (std::size_t i = 0; i < tags.size(); ++i) {
                out += (i ? " " : "") + smtp::imap::string_or_literal(tags[i]);
            }
            out += ")";
        }
    }
    return out + " " + quoted_or_nil(p.location);
}

std::size_t line_count(std::string_view body)
{
    const auto n = static_cast<std::size_t>(std::count(body.begin(), body.end(), '\n'));
    return n + (!body.empty() && body.back() != '\n' ? 1 : 0);
}

} // namespace

mime_part parse_mime(std::string_view message, std::size_t max_depth, std::size_t max_parts)
{
    return mime_parser(max_depth, max_parts).entity(message, 0, false);
}

const mime_part* inner_message(const mime_part& part)
{
    const bool message = part.type == "MESSAGE" && part.subtype == "RFC822";
    return message && !part.children.empty() ? &part.children.front() : nullptr;
}

std::string body_structure(const mime_part& p, bool extensible)
{
    using smtp::imap::string_or_literal;
    if (p.type == "MULTIPART" && !p.children.empty()) {
        // RFC 3501 §9: body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
        std::string out = "(";
        for (const auto& c : p.children) {
            out += body_structure(c, extensible);
        }
        out += " " + string_or_literal(p.subtype);
        if (extensible) {
            out += " " + extension_text(p, true);
        }
        return out + ")";
    }
    // body-type-1part: body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP
    // body-fld-enc SP body-fld-octets; then envelope, body and lines for message/rfc822, lines
    // for text.
    std::string out = "(" + string_or_literal(p.type) + " " + string_or_literal(p.subtype) + " " +
                      parameter_text(p.parameters) + " " + quoted_or_nil(p.id) + " " +
                      quoted_or_nil(p.description) + " " + string_or_literal(p.encoding) + " " +
                      std::to_string(p.body.size());
    if (const auto* inner = inner_message(p)) {
        out += " " + envelope_of(inner->header) + " " + body_structure(*inner, extensible) + " " +
               std::to_string(line_count(p.body));
    } else if (p.type == "TEXT") {
        out += " " + std::to_string(line_count(p.body));
    }
    if (extensible) {
        out += " " + extension_text(p, false);
    }
    return out + ")";
}

const mime_part* find_part(const mime_part& message, const std::vector<std::uint32_t>& path)
{
    const mime_part* node = &message;
    bool top = true;
    for (auto n : path) {
        const mime_part* m = top ? node : inner_message(*node);
        top = false;
        if (!m) {
            m = node; // a part that holds no message: its part 1 is itself
        }
        if (m->type == "MULTIPART" && !m->children.empty()) {
            if (n == 0 || n > m->children.size()) {
                return nullptr;
            }
            node = &m->children[n - 1];
        } else if (n == 1) {
            node = m;
        } else {
            return nullptr;
        }
    }
    return node;
}

} // namespace mock::imap
