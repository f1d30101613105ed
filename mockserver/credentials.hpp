#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace mock {

/// Checks a user name and password, for AUTH (RFC 4954) and POP3 PASS.
class credential_checker {
public:
    virtual ~credential_checker() = default;

    /// Whether `user` exists and `password` is theirs.
    virtual bool check(std::string_view user, std::string_view password) const = 0;

    /// Whether `user` is known at all.
    virtual bool knows(std::string_view user) const = 0;
};

/// Users from a `--users FILE` of `user:password` lines ('#' starts a comment).
class user_table final : public credential_checker {
public:
    /// Parses the file; throws std::runtime_error naming the file and line of a bad entry.
    static user_table load(const std::filesystem::path& file);

    /// Adds or replaces a user.
    void add(std::string user, std::string password);

    bool check(std::string_view user, std::string_view password) const override;
    bool knows(std::string_view user) const override;

    /// How many users are listed.
    std::size_t size() const noexcept { return users_.size(); }

private:
    std::map<std::string, std::string, std::less<>> users_;
};

} // namespace mock
