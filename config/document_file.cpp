#include "config/document_file.hpp"

#include "config/error.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace config {
namespace {

// Closes the descriptor on every path out.
struct descriptor {
    int fd = -1;
    ~descriptor()
    {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

std::string kind_of(mode_t mode)
{
    if (S_ISDIR(mode)) {
        return "a directory";
    }
    if (S_ISFIFO(mode)) {
        return "a FIFO";
    }
    if (S_ISCHR(mode) || S_ISBLK(mode)) {
        return "a device";
    }
    if (S_ISSOCK(mode)) {
        return "a socket";
    }
    return "not a regular file";
}

std::string too_large(std::size_t limit)
{
    return "the file is over the limit of " + std::to_string(limit) + " octets";
}

} // namespace

std::string read_document_file(const std::filesystem::path& file, std::size_t limit)
{
    const std::string name = file.string();
    // O_NONBLOCK: opening a FIFO must not wait for a writer; the type check below refuses it.
    descriptor d{::open(name.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
    if (d.fd < 0) {
        throw error(name, 0, 0, "", std::string("cannot read the file: ") + std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(d.fd, &st) != 0) {
        throw error(name, 0, 0, "", std::string("cannot read the file: ") + std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        throw error(name, 0, 0, "",
                    "cannot read the file: it is " + kind_of(st.st_mode) + "; give a regular file");
    }
    if (static_cast<std::uint64_t>(st.st_size) > limit) {
        throw error(name, 0, 0, "",
                    too_large(limit) + " (it has " + std::to_string(st.st_size) + ")");
    }
    // Read at most one octet past the limit: a file that grew since fstat is still refused.
    std::string text(static_cast<std::size_t>(st.st_size) + 1, '\0');
    std::size_t got = 0;
    for (;;) {
        if (got == text.size()) {
            if (text.size() > limit) {
                throw error(name, 0, 0, "", too_large(limit));
            }
            text.resize(std::min(text.size() * 2, limit + 1));
        }
        const auto n = ::read(d.fd, text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            throw error(name, 0, 0, "",
                        std::string("cannot read the file: ") + std::strerror(errno));
        }
        if (n == 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    text.resize(got);
    return text;
}

} // namespace config
