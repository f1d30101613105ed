// The IMAP session's folder commands (RFC 3501 §6.3, §6.4.2): SELECT, EXAMINE, LIST, LSUB,
// STATUS, the commands that would change the fixed set of folders, IDLE (RFC 2177), CLOSE and
// UNSELECT (RFC 3691).
#include "mockserver/imap/command_parser.hpp"
#include "mockserver/imap/imap_session.hpp"
#include "smtp/ascii.hpp"
#include "smtp/imap_syntax.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace mock::imap {

namespace {

constexpr std::string_view system_flags = "(\\Answered \\Flagged \\Deleted \\Seen \\Draft)";

// RFC 3501 §6.3.8: "*" matches anything, "%" anything but the hierarchy delimiter "/".
// Iterative over (pattern, name) positions: no backtracking blow-up on hostile patterns.
bool wildcard_match(std::string_view pattern, std::string_view name, bool fold_case)
{
    std::vector<bool> row(name.size() + 1, false);
    row[0] = true;
    for (char p : pattern) {
        std::vector<bool> next(name.size() + 1, false);
        if (p == '*' || p == '%') {
            bool reach = false;
            for (std::size_t j = 0; j <= name.size(); ++j) {
                reach = row[j] || (reach && (p == '*' || name[j - 1] != '/'));
                next[j] = reach;
            }
        } else {
            for (std::size_t j = 1; j <= name.size(); ++j) {
                const bool same = fold_case ? smtp::ascii_upper(p) == smtp::ascii_upper(name[j - 1])
                                            : p == name[j - 1];
                next[j] = row[j - 1] && same;
            }
        }
        row = std::move(next);
    }
    return row[name.size()];
}

std::optional<folder_id> folder_argument(arg_reader& in)
{
    auto name = in.space() ? in.astring("a folder name") : std::nullopt;
    if (!name) {
        return std::nullopt;
    }
    return find_folder(*name);
}

} // namespace

void imap_session::select(folder_id folder, bool read_only)
{
    auto snap = mailboxes_.read(user_, folder, !read_only);
    state_ = state::selected;
    folder_ = folder;
    read_only_ = read_only;
    uid_validity_ = snap.uid_validity;
    uid_next_ = snap.uid_next;
    next_change_in_ = snap.next_change_in;
    view_.clear();
    std::size_t recent = 0;
    std::optional<std::size_t> first_unseen;
    for (auto& m : snap.messages) {
        recent += m.recent ? 1 : 0;
        if (!first_unseen && (m.flags & flag_seen) == 0) {
            first_unseen = view_.size() + 1;
        }
        view_.push_back({m.uid, std::move(m.content), m.internal_date, m.flags, m.recent, false});
    }
    announced_exists_ = view_.size();
    announced_recent_ = recent;
    // RFC 3501 §6.3.1: the untagged responses a SELECT must (and should) send.
    untagged(fmt::format("FLAGS {}", system_flags));
    if (read_only) {
        untagged("OK [PERMANENTFLAGS ()] Read-only folder");
    } else {
        untagged(fmt::format("OK [PERMANENTFLAGS {}] Flags permitted", system_flags));
    }
    untagged(fmt::format("{} EXISTS", view_.size()));
    untagged(fmt::format("{} RECENT", recent));
    if (first_unseen) {
        untagged(fmt::format("OK [UNSEEN {}] First unseen", *first_unseen));
    }
    untagged(fmt::format("OK [UIDVALIDITY {}] UIDs valid", uid_validity_));
    untagged(fmt::format("OK [UIDNEXT {}] Predicted next UID", uid_next_));
}

void imap_session::deselect()
{
    state_ = state::authenticated;
    view_.clear();
    announced_exists_ = 0;
    announced_recent_ = 0;
    next_change_in_.reset();
}

void imap_session::cmd_select(const std::string& tag, const std::string& name, arg_reader& in)
{
    auto mailbox = in.space() ? in.astring("a folder name") : std::nullopt;
    if (!mailbox || !in.end()) {
        syntax_error(tag, name, in);
        return;
    }
    // RFC 3501 §6.3.1: SELECT leaves the selected state first, even when it fails.
    if (state_ == state::selected) {
        deselect();
    }
    const auto folder = find_folder(*mailbox);
    if (!folder) {
        tagged(tag, "NO",
               fmt::format("[NONEXISTENT] No folder {} (there are INBOX and Junk)",
                           smtp::imap::astring(*mailbox)));
        return;
    }
    const bool read_only = name == "EXAMINE";
    select(*folder, read_only);
    tagged(tag, "OK",
           fmt::format("[{}] {} completed", read_only ? "READ-ONLY" : "READ-WRITE", name));
}

void imap_session::cmd_list(const std::string& tag, const std::string& name, arg_reader& in)
{
    // RFC 3501 §6.3.8: LIST SP mailbox SP list-mailbox
    auto reference = in.space() ? in.astring("a reference name") : std::nullopt;
    auto pattern = reference && in.space() ? in.list_mailbox() : std::nullopt;
    if (!pattern || !in.end()) {
        syntax_error(tag, name, in);
        return;
    }
    const bool lsub = name == "LSUB";
    if (pattern->empty() && !lsub) {
        // The hierarchy delimiter and the root.
        untagged(fmt::format("{} (\\Noselect) \"/\" \"\"", name));
        complete(tag, name);
        return;
    }
    const auto full = *reference + *pattern;
    for (auto f : all_folders) {
        const auto folder = folder_name(f);
        // RFC 3501 §5.1: INBOX matches in any case.
        if (!wildcard_match(full, folder, f == folder_id::inbox)) {
            continue;
        }
        // RFC 3348 §4 (CHILDREN), RFC 6154 §2 (the \Junk special use).
        const std::string_view attributes =
            lsub ? "" : (f == folder_id::junk ? "\\HasNoChildren \\Junk" : "\\HasNoChildren");
        untagged(fmt::format("{} ({}) \"/\" {}", name, attributes, smtp::imap::astring(folder)));
    }
    complete(tag, name);
}

void imap_session::cmd_status(const std::string& tag, arg_reader& in)
{
    // RFC 3501 §6.3.10: STATUS SP mailbox SP "(" status-att *(SP status-att) ")"
    auto mailbox = in.space() ? in.astring("a folder name") : std::nullopt;
    std::vector<std::string> items;
    if (mailbox && in.space() && in.expect('(', "\"(\" starting the status items")) {
        do {
            const auto at = in.offset();
            auto item = in.keyword("MESSAGES, RECENT, UIDNEXT, UIDVALIDITY or UNSEEN");
            if (item && *item != "MESSAGES" && *item != "RECENT" && *item != "UIDNEXT" &&
                *item != "UIDVALIDITY" && *item != "UNSEEN") {
                in.fail("MESSAGES, RECENT, UIDNEXT, UIDVALIDITY or UNSEEN", at);
            }
            if (item) {
                items.push_back(std::move(*item));
            }
        } while (in.ok() && in.take(' '));
        in.expect(')', "\")\" ending the status items");
    }
    if (!mailbox || !in.end()) {
        syntax_error(tag, "STATUS", in);
        return;
    }
    const auto folder = find_folder(*mailbox);
    if (!folder) {
        tagged(tag, "NO", "[NONEXISTENT] No such folder (there are INBOX and Junk)");
        return;
    }
    const auto snap = mailboxes_.read(user_, *folder, false);
    std::string out;
    for (const auto& item : items) {
        std::size_t value = 0;
        if (item == "MESSAGES") {
            value = snap.messages.size();
        } else if (item == "RECENT") {
            value = std::count_if(snap.messages.begin(), snap.messages.end(),
                                  [](const folder_message& m) { return m.recent; });
        } else if (item == "UIDNEXT") {
            value = snap.uid_next;
        } else if (item == "UIDVALIDITY") {
            value = snap.uid_validity;
        } else {
            value = std::count_if(snap.messages.begin(), snap.messages.end(),
                                  [](const folder_message& m) { return !(m.flags & flag_seen); });
        }
        out += fmt::format("{}{} {}", out.empty() ? "" : " ", item, value);
    }
    untagged(fmt::format("STATUS {} ({})", smtp::imap::astring(folder_name(*folder)), out));
    complete(tag, "STATUS");
}

void imap_session::cmd_fixed_folders(const std::string& tag, const std::string& name,
                                     arg_reader& in)
{
    // The folders are INBOX and Junk, always: CREATE, DELETE, RENAME and APPEND are refused
    // with the RFC 5530 codes; SUBSCRIBE and UNSUBSCRIBE accept the two and change nothing.
    const auto folder = folder_argument(in);
    if (!in.ok()) {
        syntax_error(tag, name, in);
        return;
    }
    if (name == "APPEND") {
        tagged(tag, "NO", "[CANNOT] Messages arrive here over SMTP only");
        return;
    }
    if (name == "RENAME") {
        auto target = in.space() ? in.astring("the new folder name") : std::nullopt;
        if (!target) {
            syntax_error(tag, name, in);
            return;
        }
    }
    if (!in.end()) {
        syntax_error(tag, name, in);
        return;
    }
    if (name == "SUBSCRIBE" || name == "UNSUBSCRIBE") {
        if (!folder) {
            tagged(tag, "NO", "[NONEXISTENT] No such folder (there are INBOX and Junk)");
            return;
        }
        complete(tag, name);
        return;
    }
    if (name == "CREATE" && folder) {
        tagged(tag, "NO", "[ALREADYEXISTS] The folder exists");
        return;
    }
    tagged(tag, "NO", "[CANNOT] The folders here are INBOX and Junk, always");
}

void imap_session::cmd_idle(const std::string& tag, arg_reader& in, time_point now)
{
    if (!in.end()) {
        syntax_error(tag, "IDLE", in);
        return;
    }
    // RFC 2177 §3: a continuation request, then news as it happens until DONE.
    output_.text("+ idling\r\n");
    sync(true);
    mode_ = input_mode::idle;
    pending_tag_ = tag;
    next_poll_ = now + poll_interval();
}

void imap_session::cmd_close(const std::string& tag, const std::string& name, arg_reader& in)
{
    if (!in.end()) {
        syntax_error(tag, name, in);
        return;
    }
    // RFC 3501 §6.4.2: CLOSE expunges silently (not in a read-only folder); UNSELECT does not.
    if (name == "CLOSE" && !read_only_) {
        std::vector<std::uint32_t> deleted;
        for (const auto& m : mailboxes_.read(user_, folder_, false).messages) {
            if ((m.flags & flag_deleted) != 0) {
                deleted.push_back(m.uid);
            }
        }
        if (!deleted.empty()) {
            mailboxes_.expunge(user_, folder_, deleted);
        }
    }
    deselect();
    tagged(tag, "OK", fmt::format("{} completed", name));
}

} // namespace mock::imap
