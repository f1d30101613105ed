#pragma once

// How an I/O operation on a connection failed, in words the session state machines (SMTP and
// POP3) understand without knowing Asio. The driver translates its error codes into these facts
// (connection.hpp, to_transport_error); the state machines decide what each one means.

#include <string_view>

namespace mock {

/// What went wrong with a read, a write or a handshake.
enum class transport_error {
    end_of_stream, ///< the peer closed its side (FIN): a read returned end of file
    reset,         ///< the peer reset the connection (RST), or it was gone when we wrote
    truncated,     ///< a TLS stream ended without close_notify (the peer just closed TCP)
    failed,        ///< anything else: the operation failed for a local or network reason
};

/// A short name of the error, e.g. "reset", for transcripts.
constexpr std::string_view to_string(transport_error e) noexcept
{
    switch (e) {
    case transport_error::end_of_stream:
        return "end of stream";
    case transport_error::reset:
        return "reset";
    case transport_error::truncated:
        return "truncated TLS stream";
    case transport_error::failed:
        return "failed";
    }
    return "failed";
}

} // namespace mock
