#include "mockserver/maildir_writer.hpp"

#include "smtp/ascii.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <fcntl.h>
#include <fmt/format.h>
#include <system_error>
#include <unistd.h>

namespace mock {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what, const fs::path& path)
{
    throw std::system_error(errno, std::generic_category(), what + " " + path.string());
}

// Opens, writes everything, fsyncs and closes; throws on the first failure.
void write_durably(const fs::path& path, std::string_view bytes)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        fail("cannot create", path);
    }
    std::size_t done = 0;
    while (done < bytes.size()) {
        auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            int saved = errno;
            ::close(fd);
            errno = saved;
            fail("cannot write", path);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        int saved = errno;
        ::close(fd);
        errno = saved;
        fail("cannot fsync", path);
    }
    if (::close(fd) != 0) {
        fail("cannot close", path);
    }
}

void sync_directory(const fs::path& dir)
{
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        fail("cannot open directory", dir);
    }
    int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0) {
        fail("cannot fsync directory", dir);
    }
}

std::string host_name()
{
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') {
        return "localhost";
    }
    return buf;
}

} // namespace

maildir_writer::maildir_writer(fs::path root)
    : root_(std::move(root))
    , host_(host_name())
    , pid_(static_cast<long>(::getpid()))
{
    fs::create_directories(root_);
}

std::string maildir_writer::mailbox_name(std::string_view recipient)
{
    std::string out;
    for (char c : recipient) {
        auto u = static_cast<unsigned char>(c);
        if (c == '/' || u < 0x20 || u == 0x7F) {
            out += '_';
        } else {
            out += smtp::ascii_lower(c);
        }
    }
    if (out.empty() || out.front() == '.') {
        out.insert(out.begin(), '_');
    }
    return out;
}

std::string maildir_writer::unique_name(std::chrono::system_clock::time_point t, long pid,
                                        std::uint64_t sequence, std::string_view host,
                                        std::size_t size)
{
    using namespace std::chrono;
    auto us = duration_cast<microseconds>(t.time_since_epoch()).count();
    std::string safe_host;
    for (char c : host) {
        if (c == '/') {
            safe_host += "\\057";
        } else if (c == ':') {
            safe_host += "\\072";
        } else {
            safe_host += c;
        }
    }
    return fmt::format("{}.M{}P{}Q{}.{},S={}", us / 1000000, us % 1000000, pid, sequence, safe_host,
                       size);
}

std::vector<fs::path> maildir_writer::write(const captured_message& m)
{
    std::vector<fs::path> out;
    std::vector<std::string> done;
    try {
        for (const auto& rcpt : m.rcpt_to) {
            auto name = mailbox_name(rcpt);
            if (std::find(done.begin(), done.end(), name) != done.end()) {
                continue; // one copy per mailbox, even when a recipient is given twice
            }
            done.push_back(name);
            out.push_back(deliver(root_ / name, m.data));
            std::lock_guard lock(mutex_);
            delivered_[{m.id, name}] = out.back();
        }
    } catch (...) {
        // All or nothing: the session answers 451 and the client will retry, so no recipient
        // may keep a copy of a message that was not accepted.
        std::error_code ignored;
        for (const auto& path : out) {
            fs::remove(path, ignored);
        }
        std::lock_guard lock(mutex_);
        for (const auto& name : done) {
            delivered_.erase({m.id, name});
        }
        throw;
    }
    return out;
}

fs::path maildir_writer::deliver(const fs::path& box, std::string_view data)
{
    std::error_code ec;
    for (const char* sub : {"tmp", "new", "cur"}) {
        fs::create_directories(box / sub, ec);
        if (ec) {
            throw std::system_error(ec, "cannot create " + (box / sub).string());
        }
    }
    auto file = unique_name(std::chrono::system_clock::now(), pid_, sequence_.fetch_add(1) + 1,
                            host_, data.size());
    fs::path tmp = box / "tmp" / file;
    fs::path final_path = box / "new" / file;
    try {
        write_durably(tmp, data);
        if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
            fail("cannot rename into", final_path);
        }
    } catch (...) {
        fs::remove(tmp, ec);
        throw;
    }
    sync_directory(box / "new");
    return final_path;
}

bool maildir_writer::remove(const std::string& id, std::string_view recipient)
{
    auto name = mailbox_name(recipient);
    fs::path path;
    {
        std::lock_guard lock(mutex_);
        auto it = delivered_.find({id, name});
        if (it == delivered_.end()) {
            return false;
        }
        path = it->second;
        delivered_.erase(it);
    }
    std::error_code ec;
    if (fs::remove(path, ec)) {
        return true;
    }
    // A reader may have moved it to cur/, adding ":2,FLAGS" to the name.
    auto prefix = path.filename().string();
    for (const auto& entry : fs::directory_iterator(path.parent_path().parent_path() / "cur", ec)) {
        if (entry.path().filename().string().rfind(prefix, 0) == 0) {
            return fs::remove(entry.path(), ec);
        }
    }
    return false;
}

} // namespace mock
