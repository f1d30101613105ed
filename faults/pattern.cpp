#include "faults/pattern.hpp"

#include <re2/re2.h>

namespace faults {
namespace {

// What RE2's own error text means for someone who wrote an ECMAScript or Perl pattern: the
// constructs that need backtracking, which RE2 leaves out to run in linear time.
std::string explain(const re2::RE2& re, std::string_view text)
{
    const std::string why = re.error();
    const std::string& arg = re.error_arg();
    const auto at = text.find(arg);
    const char next = at != std::string_view::npos && at + arg.size() < text.size()
                          ? text[at + arg.size()]
                          : '\0';
    switch (re.error_code()) {
    case re2::RE2::ErrorBadPerlOp:
        if (arg == "(?=" || arg == "(?!" || (arg == "(?<" && (next == '=' || next == '!'))) {
            return why + " (lookahead and lookbehind are not supported)";
        }
        if (arg == "(?<") {
            return why + " (name a group with (?P<name>...))";
        }
        if (arg == "(?>") {
            return why + " (atomic groups are not supported)";
        }
        break;
    case re2::RE2::ErrorBadEscape:
        if (arg.size() == 2 && arg[1] >= '1' && arg[1] <= '9') {
            return why + " (backreferences are not supported)";
        }
        break;
    case re2::RE2::ErrorRepeatOp:
        if (arg.size() == 2 && arg[1] == '+') {
            return why + " (possessive quantifiers are not supported)";
        }
        break;
    case re2::RE2::ErrorRepeatSize:
        return why + " (at most {1000})";
    default:
        break;
    }
    return why;
}

} // namespace

pattern::pattern(std::string text, std::shared_ptr<const re2::RE2> re)
    : text_(std::move(text))
    , re_(std::move(re))
{
}

std::optional<pattern> pattern::compile(std::string_view text, std::string& error)
{
    re2::RE2::Options options;
    options.set_case_sensitive(false);
    options.set_log_errors(false);
    auto re = std::make_shared<const re2::RE2>(re2::StringPiece(text.data(), text.size()), options);
    if (!re->ok()) {
        error = "bad regular expression '" + std::string(text) + "': " + explain(*re, text) +
                "; patterns use RE2 syntax, which runs in linear time";
        return std::nullopt;
    }
    return pattern(std::string(text), std::move(re));
}

bool pattern::full_match(std::string_view subject) const
{
    return re2::RE2::FullMatch(re2::StringPiece(subject.data(), subject.size()), *re_);
}

bool pattern::partial_match(std::string_view subject) const
{
    return re2::RE2::PartialMatch(re2::StringPiece(subject.data(), subject.size()), *re_);
}

} // namespace faults
