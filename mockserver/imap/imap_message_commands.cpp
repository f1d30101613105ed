// The IMAP session's message commands (RFC 3501 §6.4): SEARCH, FETCH, STORE, COPY, MOVE
// (RFC 6851), EXPUNGE, their UID forms (with UID EXPUNGE, RFC 4315), and keeping the session's
// numbering of the selected folder in step with the folder (RFC 3501 §5.2, §7.4.1).
#include "mockserver/imap/command_parser.hpp"
#include "mockserver/imap/envelope.hpp"
#include "mockserver/imap/imap_session.hpp"
#include "mockserver/imap/message_text.hpp"
#include "mockserver/imap/mime_structure.hpp"
#include "mockserver/imap/search.hpp"
#include "smtp/ascii.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace mock::imap {

namespace {

// A UID set in its shortest form, e.g. "3:5,9" (RFC 4315 §3: uid-set).
std::string uid_set_text(const std::vector<std::uint32_t>& uids)
{
    std::string out;
    for (std::size_t i = 0; i < uids.size();) {
        std::size_t j = i;
        while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) {
            ++j;
        }
        out += out.empty() ? "" : ",";
        out += i == j ? fmt::format("{}", uids[i]) : fmt::format("{}:{}", uids[i], uids[j]);
        i = j + 1;
    }
    return out;
}

// RFC 3501 §9: flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" /
// flag-keyword / flag-extension. Keywords and extensions are not permanent here and are ignored
// (RFC 3501 §7.1, PERMANENTFLAGS).
bool read_flag(arg_reader& in, flag_set& flags)
{
    const auto at = in.offset();
    const bool system = in.take('\\');
    auto word = in.atom("a flag");
    if (!word) {
        return false;
    }
    if (!system) {
        return true;
    }
    const auto name = smtp::to_upper(*word);
    if (name == "SEEN") {
        flags |= flag_seen;
    } else if (name == "ANSWERED") {
        flags |= flag_answered;
    } else if (name == "FLAGGED") {
        flags |= flag_flagged;
    } else if (name == "DELETED") {
        flags |= flag_deleted;
    } else if (name == "DRAFT") {
        flags |= flag_draft;
    } else if (name == "RECENT") {
        in.fail("a flag that can be stored (\\Recent cannot)", at);
        return false;
    }
    return true;
}

// RFC 3501 §9: (flag-list / (flag *(SP flag)))
std::optional<flag_set> read_flags(arg_reader& in)
{
    flag_set flags = 0;
    const bool list = in.take('(');
    if (list && in.take(')')) {
        return flags;
    }
    do {
        if (!read_flag(in, flags)) {
            return std::nullopt;
        }
    } while (in.take(' '));
    if (list && !in.expect(')', "\")\" ending the flag list")) {
        return std::nullopt;
    }
    return flags;
}

} // namespace

std::uint32_t imap_session::largest_uid() const
{
    return view_.empty() ? 0 : view_.back().uid;
}

std::optional<std::size_t> imap_session::index_of_uid(std::uint32_t uid) const
{
    auto it = std::lower_bound(view_.begin(), view_.end(), uid,
                               [](const view_entry& e, std::uint32_t u) { return e.uid < u; });
    if (it == view_.end() || it->uid != uid) {
        return std::nullopt;
    }
    return static_cast<std::size_t>(it - view_.begin());
}

std::vector<std::uint32_t> imap_session::uids_of(const std::vector<std::size_t>& messages) const
{
    std::vector<std::uint32_t> uids;
    for (auto i : messages) {
        if (!view_[i].expunged) {
            uids.push_back(view_[i].uid);
        }
    }
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    return uids;
}

void imap_session::sync(bool allow_expunge)
{
    if (state_ != state::selected) {
        return;
    }
    auto snap = mailboxes_.read(user_, folder_, !read_only_);
    uid_next_ = snap.uid_next;
    next_change_in_ = snap.next_change_in;
    const auto known_uid = largest_uid();
    // Flag changes and removals of known messages (both lists ascend by UID).
    std::size_t j = 0;
    for (std::size_t i = 0; i < view_.size(); ++i) {
        auto& e = view_[i];
        while (j < snap.messages.size() && snap.messages[j].uid < e.uid) {
            ++j;
        }
        if (j < snap.messages.size() && snap.messages[j].uid == e.uid) {
            if (!e.expunged && snap.messages[j].flags != e.flags) {
                e.flags = snap.messages[j].flags;
                untagged(fmt::format("{} FETCH (FLAGS {})", i + 1, flags_text(e.flags, e.recent)));
            }
        } else {
            e.expunged = true;
        }
    }
    for (auto& m : snap.messages) {
        if (m.uid > known_uid) {
            view_.push_back(
                {m.uid, std::move(m.content), m.internal_date, m.flags, m.recent, false});
        }
    }
    // RFC 3501 §7.4.1: EXPUNGE only while a command other than FETCH, STORE or SEARCH runs;
    // from the highest number down, so that each number is right when it is read.
    if (allow_expunge) {
        for (std::size_t i = view_.size(); i-- > 0;) {
            if (view_[i].expunged) {
                untagged(fmt::format("{} EXPUNGE", i + 1));
                view_.erase(view_.begin() + static_cast<std::ptrdiff_t>(i));
                --announced_exists_;
            }
        }
    }
    const auto recent = static_cast<std::size_t>(
        std::count_if(view_.begin(), view_.end(), [](const view_entry& e) { return e.recent; }));
    if (view_.size() != announced_exists_) {
        untagged(fmt::format("{} EXISTS", view_.size())); // RFC 3501 §7.3.1
        announced_exists_ = view_.size();
    }
    if (recent != announced_recent_) {
        untagged(fmt::format("{} RECENT", recent)); // RFC 3501 §7.3.2
        announced_recent_ = recent;
    }
}

std::optional<std::vector<std::size_t>>
imap_session::messages_of(const std::string& tag, const std::string& name, arg_reader& in, bool uid)
{
    auto set = in.space() ? in.sequence() : std::nullopt;
    if (!set) {
        syntax_error(tag, name, in);
        return std::nullopt;
    }
    std::vector<std::size_t> out;
    if (uid) {
        // RFC 3501 §6.4.8: UIDs that do not exist are ignored.
        const auto ranges = set->resolve(largest_uid());
        for (std::size_t i = 0; i < view_.size(); ++i) {
            const auto u = view_[i].uid;
            auto it = std::upper_bound(
                ranges.begin(), ranges.end(), u,
                [](std::uint32_t v, const sequence_set::range& r) { return v < r.first; });
            if (it != ranges.begin() && u <= std::prev(it)->last) {
                out.push_back(i);
            }
        }
        return out;
    }
    const auto count = static_cast<std::uint32_t>(view_.size());
    if (set->exceeds(count)) {
        bad(tag, fmt::format("Error in IMAP command {}: a message number is over {}, the number "
                             "of messages in the folder",
                             name, count));
        return std::nullopt;
    }
    for (const auto& r : set->resolve(count)) {
        for (std::uint64_t n = r.first; n <= r.last; ++n) {
            out.push_back(static_cast<std::size_t>(n - 1));
        }
    }
    return out;
}

void imap_session::cmd_search(const std::string& tag, const std::string& name, arg_reader& in,
                              bool uid)
{
    auto program = parse_search(in);
    if (!program) {
        syntax_error(tag, name, in);
        return;
    }
    if (program->charset && !smtp::iequals(*program->charset, "US-ASCII") &&
        !smtp::iequals(*program->charset, "UTF-8")) {
        // RFC 3501 §6.4.4, §7.1: BADCHARSET lists what is supported.
        tagged(tag, "NO", "[BADCHARSET (US-ASCII UTF-8)] Unsupported charset");
        return;
    }
    const search_bounds bounds{static_cast<std::uint32_t>(view_.size()), largest_uid()};
    std::string out = "SEARCH";
    for (std::size_t i = 0; i < view_.size(); ++i) {
        const auto& e = view_[i];
        const search_subject m{static_cast<std::uint32_t>(i + 1),
                               e.uid,
                               e.flags,
                               e.recent,
                               e.content->data,
                               e.internal_date};
        if (matches(program->key, m, bounds)) {
            out += fmt::format(" {}", uid ? e.uid : i + 1);
        }
    }
    untagged(out);
    complete(tag, name, {}, uid);
}

void imap_session::cmd_fetch(const std::string& tag, const std::string& name, arg_reader& in,
                             bool uid)
{
    auto messages = messages_of(tag, name, in, uid);
    if (!messages) {
        return;
    }
    auto request = parse_fetch(in, uid);
    if (!request) {
        syntax_error(tag, name, in);
        return;
    }
    job_ = fetch_job{tag, name, std::move(*request), std::move(*messages), 0, uid};
}

// Produces FETCH responses until a write's worth is queued, then the tagged completion once
// every message is done.
void imap_session::continue_fetch()
{
    while (job_->next < job_->messages.size() && output_.size() < config_.max_write) {
        fetch_one(*job_, job_->messages[job_->next++]);
    }
    if (job_->next == job_->messages.size()) {
        const auto job = std::move(*job_);
        job_.reset();
        complete(job.tag, job.name, {}, job.uid);
    }
}

void imap_session::fetch_one(const fetch_job& job, std::size_t index)
{
    auto& e = view_[index];
    bool add_flags = false;
    // RFC 3501 §6.4.5: BODY[...] (not PEEK), RFC822 and RFC822.TEXT set \Seen; the changed
    // flags SHOULD be part of the response.
    if (job.request.sets_seen && !read_only_ && (e.flags & flag_seen) == 0 && !e.expunged) {
        auto changed =
            mailboxes_.change_flags(user_, folder_, {e.uid}, flag_change::add, flag_seen);
        if (!changed.empty()) {
            e.flags = changed.front().second;
            add_flags = !job.request.has_flags;
        }
    }
    output_.text(fmt::format("* {} FETCH (", index + 1));
    bool first = true;
    for (const auto& item : job.request.items) {
        output_.text(first ? "" : " ");
        first = false;
        switch (item.what) {
        case fetch_item::kind::envelope:
            output_.text("ENVELOPE " + envelope_of(split_message(e.content->data).header));
            break;
        case fetch_item::kind::flags:
            output_.text("FLAGS " + flags_text(e.flags, e.recent));
            break;
        case fetch_item::kind::internal_date:
            output_.text("INTERNALDATE " + internal_date_text(e.internal_date));
            break;
        case fetch_item::kind::rfc822_size:
            output_.text(fmt::format("RFC822.SIZE {}", e.content->data.size()));
            break;
        case fetch_item::kind::uid:
            output_.text(fmt::format("UID {}", e.uid));
            break;
        case fetch_item::kind::section:
            fetch_section(item, e);
            break;
        case fetch_item::kind::body:
        case fetch_item::kind::structure:
            output_.text(item.label + " " +
                         body_structure(parse_mime(e.content->data),
                                        item.what == fetch_item::kind::structure));
            break;
        }
    }
    if (add_flags) {
        output_.text(" FLAGS " + flags_text(e.flags, e.recent));
    }
    output_.text(")\r\n");
}

void imap_session::fetch_section(const fetch_item& item, const view_entry& e)
{
    // RFC 3501 §7.4.2: the section's text as a literal, NIL for a part that is not there.
    // Parts of the stored message are queued as views of it; only header fields are built.
    const auto text = section_of(item, e.content->data);
    if (!text.exists) {
        output_.text(item.label + " NIL");
        return;
    }
    if (!text.built) {
        const auto part = partial_of(item, text.stored);
        output_.text(fmt::format("{} {{{}}}\r\n", item.label, part.size()));
        output_.view(e.content, part);
        return;
    }
    const auto part = partial_of(item, *text.built);
    output_.text(fmt::format("{} {{{}}}\r\n{}", item.label, part.size(), part));
}

void imap_session::cmd_store(const std::string& tag, const std::string& name, arg_reader& in,
                             bool uid)
{
    auto messages = messages_of(tag, name, in, uid);
    if (!messages) {
        return;
    }
    // RFC 3501 §6.4.6: store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list /
    // (flag *(SP flag)))
    flag_change how = flag_change::replace;
    if (in.space()) {
        how = in.take('+') ? flag_change::add : in.take('-') ? flag_change::remove : how;
    }
    const auto at = in.offset();
    auto item = in.keyword("FLAGS, +FLAGS or -FLAGS");
    if (item && *item != "FLAGS" && *item != "FLAGS.SILENT") {
        in.fail("FLAGS or FLAGS.SILENT", at);
    }
    auto flags = item && in.space() ? read_flags(in) : std::nullopt;
    if (!flags || !in.end()) {
        syntax_error(tag, name, in);
        return;
    }
    if (read_only_) {
        tagged(tag, "NO", "[READ-ONLY] The folder is selected with EXAMINE");
        return;
    }
    const bool silent = *item == "FLAGS.SILENT";
    for (const auto& [u, now_set] :
         mailboxes_.change_flags(user_, folder_, uids_of(*messages), how, *flags)) {
        const auto i = index_of_uid(u);
        if (!i) {
            continue;
        }
        view_[*i].flags = now_set;
        if (!silent) {
            // RFC 3501 §6.4.8: a UID command's FETCH responses carry the UID.
            untagged(fmt::format("{} FETCH ({}FLAGS {})", *i + 1,
                                 uid ? fmt::format("UID {} ", u) : std::string(),
                                 flags_text(now_set, view_[*i].recent)));
        }
    }
    complete(tag, name, {}, uid);
}

void imap_session::cmd_copy(const std::string& tag, const std::string& name, arg_reader& in,
                            bool uid, bool move)
{
    auto messages = messages_of(tag, name, in, uid);
    if (!messages) {
        return;
    }
    auto mailbox = in.space() ? in.astring("a folder name") : std::nullopt;
    if (!mailbox || !in.end()) {
        syntax_error(tag, name, in);
        return;
    }
    const auto target = find_folder(*mailbox);
    if (!target) {
        // RFC 3501 §6.4.7: TRYCREATE when the target does not exist.
        tagged(tag, "NO", "[TRYCREATE] No such folder (there are INBOX and Junk)");
        return;
    }
    if (move && read_only_) {
        tagged(tag, "NO", "[READ-ONLY] The folder is selected with EXAMINE");
        return;
    }
    const auto uids = uids_of(*messages);
    const auto copied = mailboxes_.copy(user_, folder_, uids, *target);
    std::string code;
    if (!copied.uids.empty()) {
        std::vector<std::uint32_t> from;
        std::vector<std::uint32_t> to;
        for (const auto& [a, b] : copied.uids) {
            from.push_back(a);
            to.push_back(b);
        }
        // RFC 4315 §3: COPYUID uidvalidity source-set destination-set
        code = fmt::format("COPYUID {} {} {}", copied.uid_validity, uid_set_text(from),
                           uid_set_text(to));
    }
    if (!move) {
        complete(tag, name, code, uid);
        return;
    }
    // RFC 6851 §4.3: COPYUID comes in an untagged OK, before the EXPUNGE responses.
    if (!code.empty()) {
        untagged(fmt::format("OK [{}] Moved", code));
    }
    for (auto u : mailboxes_.expunge(user_, folder_, uids)) {
        if (auto i = index_of_uid(u)) {
            view_[*i].expunged = true;
        }
    }
    complete(tag, name, {}, true);
}

void imap_session::cmd_expunge(const std::string& tag, const std::string& name, arg_reader& in,
                               bool uid)
{
    // RFC 3501 §6.4.3: EXPUNGE; RFC 4315 §2.1: UID EXPUNGE sequence-set.
    std::optional<std::vector<std::uint32_t>> only;
    if (uid) {
        auto messages = messages_of(tag, name, in, true);
        if (!messages) {
            return;
        }
        only = uids_of(*messages);
    }
    if (!in.end()) {
        syntax_error(tag, name, in);
        return;
    }
    if (read_only_) {
        tagged(tag, "NO", "[READ-ONLY] The folder is selected with EXAMINE");
        return;
    }
    std::vector<std::uint32_t> deleted;
    for (const auto& e : view_) {
        if ((e.flags & flag_deleted) != 0 &&
            (!only || std::binary_search(only->begin(), only->end(), e.uid))) {
            deleted.push_back(e.uid);
        }
    }
    for (auto u : mailboxes_.expunge(user_, folder_, deleted)) {
        if (auto i = index_of_uid(u)) {
            view_[*i].expunged = true;
        }
    }
    complete(tag, name);
}

} // namespace mock::imap
