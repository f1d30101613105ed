#include "mockserver/imap/command_reader.hpp"

#include <algorithm>

namespace mock::imap {

namespace {

// Enough of an over-long line's end to find a literal announcement ("{4294967295+}").
constexpr std::size_t tail_keep = 16;
// Enough of an over-long first line's start to find its tag.
constexpr std::size_t head_keep = 128;

std::string_view without_cr(std::string_view line)
{
    if (!line.empty() && line.back() == '\r') {
        line.remove_suffix(1);
    }
    return line;
}

} // namespace

std::string command_tag(std::string_view command, bool need_space)
{
    // RFC 3501 §9: tag = 1*<any ASTRING-CHAR except "+">
    std::size_t n = 0;
    while (n < command.size() && command[n] != '+' && smtp::imap::is_astring_char(command[n])) {
        ++n;
    }
    const bool ends = n < command.size() ? command[n] == ' ' : !need_space;
    return n > 0 && ends ? std::string(command.substr(0, n)) : std::string("*");
}

command_reader::command_reader(input_limits limits)
    : limits_(limits)
{
}

void command_reader::feed(std::string_view bytes)
{
    compact();
    buffer_.append(bytes);
}

void command_reader::compact()
{
    if (pos_ > 0 && pos_ * 2 >= buffer_.size()) {
        buffer_.erase(0, pos_);
        pos_ = 0;
    }
}

std::size_t command_reader::discard_buffered() noexcept
{
    const std::size_t n = buffer_.size() - pos_;
    buffer_.clear();
    pos_ = 0;
    return n;
}

void command_reader::refuse(input_error e, std::size_t size)
{
    if (!refused_) {
        refused_ = command_refused{
            command_.empty() ? command_tag(skipped_head_, true) : command_tag(command_), e, size};
    }
}

reader_event command_reader::next()
{
    for (;;) {
        if (in_literal_) {
            auto e = read_literal();
            if (!std::holds_alternative<command_text>(e)) {
                return e; // need_input
            }
            continue;
        }
        const auto lf = buffer_.find('\n', pos_);
        if (lf == std::string::npos) {
            skip_partial_line();
            return need_input{};
        }
        const std::string_view raw(buffer_.data() + pos_, lf - pos_);
        pos_ = lf + 1;
        const auto line = without_cr(raw);
        const bool too_long = skipping_line_ || line.size() > limits_.line;
        auto e = end_of_line(line, too_long);
        if (!std::holds_alternative<need_input>(e)) {
            return e;
        }
    }
}

// Takes what has arrived of the current literal; command_text{} (empty) once it is complete.
reader_event command_reader::read_literal()
{
    const std::size_t take = std::min(literal_left_, buffer_.size() - pos_);
    if (!refused_) {
        command_.append(buffer_, pos_, take);
    }
    pos_ += take;
    literal_left_ -= take;
    if (literal_left_ > 0) {
        compact();
        return need_input{};
    }
    in_literal_ = false;
    return command_text{};
}

// A line without its end yet: once it is over the limit, its octets are dropped as they come,
// keeping only its start (for the tag) and its end (for a literal announcement).
void command_reader::skip_partial_line()
{
    const std::string_view partial(buffer_.data() + pos_, buffer_.size() - pos_);
    // A CR may still be followed by LF: it does not count against the limit yet.
    if (!skipping_line_ && partial.size() <= limits_.line + 1) {
        compact();
        return;
    }
    if (!skipping_line_ && command_.empty()) {
        skipped_head_ = std::string(partial.substr(0, head_keep));
    }
    skipping_line_ = true;
    skipped_tail_ += partial;
    if (skipped_tail_.size() > tail_keep) {
        skipped_tail_.erase(0, skipped_tail_.size() - tail_keep);
    }
    pos_ = buffer_.size();
    compact();
}

reader_event command_reader::end_of_line(std::string_view line, bool too_long)
{
    std::string tail;
    if (too_long) {
        if (!skipping_line_ && command_.empty()) {
            skipped_head_ = std::string(line.substr(0, head_keep));
        }
        tail = skipping_line_ ? skipped_tail_ + std::string(line) : std::string(line);
        tail = without_cr(tail);
        skipping_line_ = false;
        skipped_tail_.clear();
        refuse(input_error::line_too_long);
        line = tail;
    } else if (command_.empty() && command_octets_ == 0 && line.empty() && !refused_) {
        return need_input{}; // an empty line between commands
    } else {
        command_octets_ += line.size() + 2;
        if (command_octets_ > limits_.command) {
            refuse(input_error::command_too_long);
        }
        if (!refused_) {
            command_ += line;
        }
    }
    if (auto literal = smtp::imap::trailing_literal(line)) {
        return announce(*literal);
    }
    return finish();
}

reader_event command_reader::announce(const smtp::imap::literal_header& literal)
{
    command_octets_ += literal.size;
    if (!literal.non_synchronizing) {
        // RFC 3501 §7.5: the client waits for "+" before sending the octets; a refusal instead
        // ends the command.
        if (!refused_ && literal.size > limits_.literal) {
            refuse(input_error::literal_too_long, literal.size);
        } else if (!refused_ && command_octets_ > limits_.command) {
            refuse(input_error::command_too_long, literal.size);
        }
        if (refused_) {
            return finish();
        }
        command_ += "\r\n";
        in_literal_ = true;
        literal_left_ = literal.size;
        return literal_wanted{literal.size};
    }
    // RFC 7888 §3: the octets of "{n+}" follow at once, wanted or not; a refused one is read
    // and dropped so that the stream stays in step.
    if (!limits_.literal_plus) {
        refuse(input_error::literal_plus, literal.size);
    } else if (literal.size > limits_.literal) {
        refuse(input_error::literal_too_long, literal.size);
    } else if (command_octets_ > limits_.command) {
        refuse(input_error::command_too_long, literal.size);
    }
    if (!refused_) {
        command_ += "\r\n";
    }
    in_literal_ = true;
    literal_left_ = literal.size;
    return need_input{};
}

reader_event command_reader::finish()
{
    reader_event out = refused_ ? reader_event(*refused_) : reader_event(command_text{command_});
    command_.clear();
    command_octets_ = 0;
    refused_.reset();
    skipped_head_.clear();
    return out;
}

std::optional<plain_line> command_reader::next_line()
{
    const auto lf = buffer_.find('\n', pos_);
    if (lf == std::string::npos) {
        skip_partial_line();
        return std::nullopt;
    }
    const auto line = without_cr(std::string_view(buffer_.data() + pos_, lf - pos_));
    pos_ = lf + 1;
    plain_line out;
    if (skipping_line_ || line.size() > limits_.line) {
        out.too_long = true;
    } else {
        out.text = std::string(line);
    }
    skipping_line_ = false;
    skipped_tail_.clear();
    skipped_head_.clear();
    return out;
}

} // namespace mock::imap
