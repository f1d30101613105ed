#pragma once

// The regular expressions of a rule's `when.command` and `when.argument`, matched by RE2 in
// time linear in the text, so that no pattern can stall the server (RE2 has no backtracking:
// backreferences and lookaround are not supported and are refused when the rule is loaded).
//
//   std::string why;
//   auto p = pattern::compile("@blocked\\.example>$", why);  // nothing, and `why`, when invalid
//   p->partial_match("TO:<a@blocked.example>");              // case-insensitive

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace faults {

/// A compiled, case-insensitive RE2 pattern. Copies share the compiled form; matching is
/// thread-safe.
class pattern {
public:
    /// Compiles `text`; on failure returns nothing and sets `error` to what is wrong.
    static std::optional<pattern> compile(std::string_view text, std::string& error);

    /// The pattern as written.
    const std::string& text() const noexcept { return text_; }

    /// True when the pattern matches all of `subject`.
    bool full_match(std::string_view subject) const;

    /// True when the pattern matches somewhere in `subject`.
    bool partial_match(std::string_view subject) const;

    /// Patterns are equal when written the same.
    friend bool operator==(const pattern& a, const pattern& b) { return a.text_ == b.text_; }

private:
    pattern(std::string text, std::shared_ptr<const re2::RE2> re);

    std::string text_;
    std::shared_ptr<const re2::RE2> re_;
};

} // namespace faults
