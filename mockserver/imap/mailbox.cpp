#include "mockserver/imap/mailbox.hpp"

#include "smtp/ascii.hpp"

namespace mock::imap {

std::string_view folder_name(folder_id f) noexcept
{
    return f == folder_id::inbox ? "INBOX" : "Junk";
}

std::optional<folder_id> find_folder(std::string_view name) noexcept
{
    // RFC 3501 §5.1: "INBOX" is case-insensitive; other names are case-sensitive.
    if (smtp::iequals(name, "INBOX")) {
        return folder_id::inbox;
    }
    if (name == "Junk") {
        return folder_id::junk;
    }
    return std::nullopt;
}

} // namespace mock::imap
