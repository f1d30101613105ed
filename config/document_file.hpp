#pragma once

// Reading a configuration document from a file, bounded: regular files only (a FIFO, a device
// such as /dev/zero or a directory is refused before anything is read), at most
// max_document_size octets.
//
//   std::string text = config::read_document_file("scenario.yaml");  // throws config::error

#include <cstddef>
#include <filesystem>
#include <string>

namespace config {

/// The largest document any loader reads: 1 MiB, the control API's body limit.
inline constexpr std::size_t max_document_size = 1024 * 1024;

/// The contents of `file`. Throws config::error naming the file when it cannot be opened, is
/// not a regular file, or holds more than `limit` octets.
std::string read_document_file(const std::filesystem::path& file,
                               std::size_t limit = max_document_size);

} // namespace config
