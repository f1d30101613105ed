#pragma once

// The Maildir copy of the store (`--store maildir:DIR`): one Maildir per recipient,
//   DIR/<recipient address, lower case>/{tmp,new,cur}/
// each message written to tmp/, flushed to disk, then renamed into new/ (the delivery protocol
// of the Maildir specification, https://cr.yp.to/proto/maildir.html), so Dovecot, mutt and
// any Maildir reader see whole messages only. The file holds the message byte-exact.

#include "mockserver/message_store.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mock {

/// Writes accepted messages into per-recipient Maildirs. Thread-safe.
class maildir_writer {
public:
    /// Creates `root` if needed. Throws std::filesystem::filesystem_error when it cannot.
    explicit maildir_writer(std::filesystem::path root);

    /// Delivers one copy of `m` to each recipient's Maildir, durably (written, fsync'd,
    /// renamed into new/, directory fsync'd) before returning. Returns the files in new/.
    /// All or nothing: on any failure the copies already made are removed, and
    /// std::system_error (naming the file) is thrown.
    std::vector<std::filesystem::path> write(const captured_message& m);

    /// Removes the copy of message `id` delivered to `recipient` (after POP3 DELE and QUIT).
    /// Looks in new/ and cur/ (a reader may have moved it). Returns whether one was removed.
    bool remove(const std::string& id, std::string_view recipient);

    /// The directory name of a recipient's Maildir: the address in lower case, with '/',
    /// control characters and a leading '.' replaced by '_'.
    static std::string mailbox_name(std::string_view recipient);

    /// A unique file name per the Maildir specification: "SECONDS.MusecPpidQn.HOST,S=SIZE".
    /// `host` has '/' and ':' encoded as "\057" and "\072".
    static std::string unique_name(std::chrono::system_clock::time_point t, long pid,
                                   std::uint64_t sequence, std::string_view host, std::size_t size);

    /// The root directory.
    const std::filesystem::path& root() const noexcept { return root_; }

private:
    // Writes `data` into `box`/tmp, fsyncs, renames it into `box`/new; returns the new path.
    std::filesystem::path deliver(const std::filesystem::path& box, std::string_view data);

    std::filesystem::path root_;
    std::string host_;
    long pid_;
    std::atomic<std::uint64_t> sequence_{0};
    std::mutex mutex_;
    std::map<std::pair<std::string, std::string>, std::filesystem::path> delivered_;
};

} // namespace mock
