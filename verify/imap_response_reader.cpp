#include "verify/imap_response_reader.hpp"

#include "smtp/imap_syntax.hpp"
#include "verify/verify_error.hpp"

namespace verify {

void imap_response_reader::feed(std::string_view bytes)
{
    if (consumed_ > 0 && consumed_ * 2 >= buffer_.size()) {
        buffer_.erase(0, consumed_);
        consumed_ = 0;
    }
    buffer_.append(bytes);
}

boost::system::result<std::optional<imap_response>> imap_response_reader::next()
{
    for (;;) {
        const std::string_view rest = std::string_view(buffer_).substr(consumed_);
        if (literal_pending_) {
            if (rest.size() < *literal_pending_) {
                return std::optional<imap_response>();
            }
            current_.literals.emplace_back(rest.substr(0, *literal_pending_));
            consumed_ += *literal_pending_;
            literal_pending_.reset();
            continue;
        }
        const auto lf = rest.find('\n');
        if (lf == std::string_view::npos) {
            if (rest.size() > max_line_octets) {
                return make_error_code(verify_errc::response_too_long);
            }
            return std::optional<imap_response>();
        }
        if (lf + 1 > max_line_octets) {
            return make_error_code(verify_errc::response_too_long);
        }
        std::string_view line = rest.substr(0, lf);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        consumed_ += lf + 1;
        current_.text += line;
        current_octets_ += line.size();
        if (auto literal = smtp::imap::trailing_literal(line)) {
            const std::size_t n = literal->size;
            if (n > max_literal_octets || current_octets_ + n > max_response_octets) {
                return make_error_code(verify_errc::response_too_long);
            }
            current_octets_ += n;
            literal_pending_ = n;
            continue;
        }
        if (current_octets_ > max_response_octets) {
            return make_error_code(verify_errc::response_too_long);
        }
        imap_response done = std::move(current_);
        current_ = {};
        current_octets_ = 0;
        return std::optional<imap_response>(std::move(done));
    }
}

} // namespace verify
