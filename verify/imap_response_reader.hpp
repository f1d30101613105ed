#pragma once

// Incremental, bounded reader of IMAP4rev1 server responses (RFC 3501 §7, §4.3): a response is
// a line, and when a line ends with a literal's "{n}", n raw octets and another line follow.
// No I/O.

#include <boost/system/result.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace verify {

/// One complete server response.
struct imap_response {
    /// The response's lines joined, CRLFs removed; each literal's "{n}" stays in place and
    /// stands for the next entry of `literals`.
    std::string text;
    /// The literals' octets, in order.
    std::vector<std::string> literals;
};

/// Cuts server responses from the byte stream as they arrive.
class imap_response_reader {
public:
    /// Octets a line may take (RFC 7162 §4 recommends clients accept 8192 at least).
    static constexpr std::size_t max_line_octets = 65536;
    /// Octets one literal may take; the verifier fetches the headers and text of its own
    /// test messages only.
    static constexpr std::size_t max_literal_octets = 1024 * 1024;
    /// Octets of literals one response may carry.
    static constexpr std::size_t max_response_octets = 4 * 1024 * 1024;

    /// Appends received bytes.
    void feed(std::string_view bytes);

    /// The next complete response; nothing until more bytes arrive; verify_errc::
    /// response_too_long when a bound is exceeded (the reader is then unusable).
    boost::system::result<std::optional<imap_response>> next();

private:
    std::string buffer_;
    std::size_t consumed_ = 0;
    imap_response current_;
    std::size_t current_octets_ = 0;
    std::optional<std::size_t> literal_pending_;
};

} // namespace verify
