#include "mockserver/imap/store_mailbox.hpp"

#include "smtp/ascii.hpp"

#include <algorithm>

namespace mock::imap {

namespace {

std::size_t index_of(folder_id f)
{
    return static_cast<std::size_t>(f);
}

} // namespace

store_mailbox::store_mailbox(pop3::maildrop_source& maildrops, std::uint32_t uid_validity,
                             delivery_policy policy, wall_clock clock)
    : maildrops_(maildrops)
    , uid_validity_(uid_validity == 0 ? 1 : uid_validity) // RFC 3501 §9: nz-number
    , policy_(std::move(policy))
    , clock_(clock ? std::move(clock) : wall_clock(&std::chrono::system_clock::now))
{
}

bool store_mailbox::authenticate(std::string_view user, std::string_view password) const
{
    return maildrops_.authenticate(user, password);
}

store_mailbox::user_state& store_mailbox::refresh(std::string_view user)
{
    auto key = smtp::to_lower(user);
    auto it = users_.find(key);
    if (it == users_.end()) {
        it = users_.emplace(std::move(key), user_state{}).first;
    }
    user_state& st = it->second;
    const auto drop = maildrops_.open(user);
    std::set<std::string> present;
    for (const auto& e : drop) {
        present.insert(e.id);
    }
    // A message that left the maildrop (POP3 deleted it, the store was cleared) leaves every
    // folder, and its held-back deliveries are cancelled.
    auto gone = [&](const std::string& source) {
        return present.count(source) == 0;
    };
    for (auto& f : st.folders) {
        std::erase_if(f.entries, [&](const entry& e) { return gone(e.source); });
    }
    std::erase_if(st.pending, [&](const pending_delivery& p) { return gone(p.source); });
    std::erase_if(st.known, gone);
    deliver_new(st, user, drop);
    return st;
}

void store_mailbox::deliver_new(user_state& st, std::string_view user,
                                const std::vector<pop3::maildrop_entry>& drop)
{
    for (const auto& e : drop) {
        if (!st.known.insert(e.id).second) {
            continue;
        }
        std::vector<delivery> plan =
            policy_ ? policy_(*e.message, user) : std::vector<delivery>{delivery{}};
        for (auto& d : plan) {
            st.pending.push_back({e.message->received_at + d.delay, d.folder, e.id,
                                  d.content ? std::move(d.content) : e.message});
        }
    }
    // Everything due arrives in the order it fell due; UIDs follow that order.
    const auto now = clock_();
    std::stable_sort(
        st.pending.begin(), st.pending.end(),
        [](const pending_delivery& a, const pending_delivery& b) { return a.due < b.due; });
    auto first_later = std::find_if(st.pending.begin(), st.pending.end(),
                                    [&](const pending_delivery& p) { return p.due > now; });
    for (auto it = st.pending.begin(); it != first_later; ++it) {
        auto& f = st.folders[index_of(it->folder)];
        f.entries.push_back({f.uid_next++, it->source, std::move(it->content), it->due, 0});
    }
    st.pending.erase(st.pending.begin(), first_later);
}

folder_snapshot store_mailbox::read(std::string_view user, folder_id folder, bool claim_recent)
{
    std::lock_guard lock(mutex_);
    user_state& st = refresh(user);
    folder_state& f = st.folders[index_of(folder)];
    folder_snapshot snap;
    snap.uid_validity = uid_validity_;
    snap.uid_next = f.uid_next;
    snap.messages.reserve(f.entries.size());
    for (const auto& e : f.entries) {
        snap.messages.push_back(
            {e.uid, e.content, e.internal_date, e.flags, e.uid > f.recent_claimed});
    }
    if (claim_recent) {
        f.recent_claimed = f.uid_next - 1;
    }
    // st.pending is sorted by due time after refresh().
    if (!st.pending.empty()) {
        auto wait = std::chrono::ceil<std::chrono::milliseconds>(st.pending.front().due - clock_());
        snap.next_change_in = std::max(wait, std::chrono::milliseconds(1));
    }
    return snap;
}

std::vector<std::pair<std::uint32_t, flag_set>>
store_mailbox::change_flags(std::string_view user, folder_id folder,
                            const std::vector<std::uint32_t>& uids, flag_change how, flag_set flags)
{
    std::lock_guard lock(mutex_);
    folder_state& f = refresh(user).folders[index_of(folder)];
    std::vector<std::pair<std::uint32_t, flag_set>> out;
    for (auto& e : f.entries) {
        if (!std::binary_search(uids.begin(), uids.end(), e.uid)) {
            continue;
        }
        switch (how) {
        case flag_change::replace:
            e.flags = flags;
            break;
        case flag_change::add:
            e.flags |= flags;
            break;
        case flag_change::remove:
            e.flags &= static_cast<flag_set>(~flags);
            break;
        }
        out.emplace_back(e.uid, e.flags);
    }
    return out;
}

std::vector<std::uint32_t> store_mailbox::expunge(std::string_view user, folder_id folder,
                                                  const std::vector<std::uint32_t>& uids)
{
    std::lock_guard lock(mutex_);
    user_state& st = refresh(user);
    folder_state& f = st.folders[index_of(folder)];
    std::vector<std::uint32_t> removed;
    std::set<std::string> sources;
    std::erase_if(f.entries, [&](const entry& e) {
        if (!std::binary_search(uids.begin(), uids.end(), e.uid)) {
            return false;
        }
        removed.push_back(e.uid);
        sources.insert(e.source);
        return true;
    });
    release_unreferenced(st, user, sources);
    return removed;
}

void store_mailbox::release_unreferenced(user_state& st, std::string_view user,
                                         const std::set<std::string>& sources)
{
    // A message is removed from the maildrop once no folder holds a copy and none is on its
    // way; then POP3 no longer lists it either, and a Maildir copy is deleted.
    std::vector<std::string> release;
    for (const auto& s : sources) {
        bool held = std::any_of(st.pending.begin(), st.pending.end(),
                                [&](const pending_delivery& p) { return p.source == s; });
        for (const auto& f : st.folders) {
            held = held || std::any_of(f.entries.begin(), f.entries.end(),
                                       [&](const entry& e) { return e.source == s; });
        }
        if (!held) {
            release.push_back(s);
        }
    }
    if (!release.empty()) {
        maildrops_.remove(user, release);
    }
}

copy_result store_mailbox::copy(std::string_view user, folder_id from,
                                const std::vector<std::uint32_t>& uids, folder_id to)
{
    std::lock_guard lock(mutex_);
    user_state& st = refresh(user);
    // Copy first: copying a folder into itself must not see its own copies.
    std::vector<entry> copies;
    for (const auto& e : st.folders[index_of(from)].entries) {
        if (std::binary_search(uids.begin(), uids.end(), e.uid)) {
            copies.push_back(e);
        }
    }
    folder_state& target = st.folders[index_of(to)];
    copy_result result;
    result.uid_validity = uid_validity_;
    for (auto& e : copies) {
        const auto source_uid = e.uid;
        e.uid = target.uid_next++;
        result.uids.emplace_back(source_uid, e.uid);
        target.entries.push_back(std::move(e));
    }
    return result;
}

} // namespace mock::imap
