#pragma once

// Routing as a table, for every HTTP service of the project: rows of (method, pattern, handler,
// accepted query parameters), like toxiproxy's Routes(). A pattern is a path whose `{name}`
// segments match any one segment and are handed to the handler as path parameters:
//
//   route_table<api_state> table{{
//       {"GET",    "/api/v1/rules/{id}", get_rule},
//       {"DELETE", "/api/v1/rules/{id}", delete_rule},
//       {"GET",    "/api/v1/sessions",   list_sessions, {"since", "limit"}},
//   }};
//   response r = table.dispatch(request, state);
//
// A path no row matches is 404; a path some row matches with another method is 405 with
// `Allow` listing that path's methods; a query parameter the row does not accept is 400. Errors
// come from io/http_errors.hpp. Pure.

#include "io/http_errors.hpp"
#include "io/http_message.hpp"
#include "io/http_target.hpp"

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace io::http {

/// The `{name}` segments a pattern matched, in order.
class path_params {
public:
    /// Adds one.
    void add(std::string name, std::string value)
    {
        values_.emplace_back(std::move(name), std::move(value));
    }
    /// The value of `{name}`; empty when the pattern has no such parameter.
    std::string_view get(std::string_view name) const noexcept
    {
        for (const auto& [k, v] : values_) {
            if (k == name) {
                return v;
            }
        }
        return {};
    }

private:
    std::vector<std::pair<std::string, std::string>> values_;
};

/// A request as a route's handler sees it.
struct route_call {
    /// The request.
    const request& req;
    /// Its target taken apart.
    const request_target& target;
    /// The pattern's parameters.
    const path_params& params;
};

/// The method and pattern of one row, without its handler.
struct route_key {
    /// The method, e.g. "GET".
    std::string_view method;
    /// The pattern, e.g. "/api/v1/rules/{id}".
    std::string_view pattern;
    /// Query parameters the route accepts; any other is a 400. {"*"} accepts any.
    std::vector<std::string_view> query;
};

/// What looking a request up in a table found.
struct route_lookup {
    /// The row that matched, or nothing.
    std::optional<std::size_t> row;
    /// Its path parameters.
    path_params params;
    /// The error response when no row matched or a query parameter is not accepted.
    std::optional<response> error;
};

/// Looks `req` up among `keys`, in order. Pure; used by route_table.
route_lookup find_route(const std::vector<route_key>& keys, const request& req,
                        const request_target& target);

/// A routing table whose handlers take a `Context&` (the service's state).
template <typename Context> class route_table {
public:
    /// A handler.
    using handler = std::function<response(const route_call&, Context&)>;

    /// One row.
    struct row {
        /// The method, e.g. "GET".
        std::string_view method;
        /// The pattern, e.g. "/api/v1/rules/{id}".
        std::string_view pattern;
        /// What answers it.
        handler answer;
        /// Query parameters it accepts; any other is a 400. {"*"} accepts any.
        std::vector<std::string_view> query = {};
    };

    /// A table of `rows`, matched in order.
    route_table(std::initializer_list<row> rows)
        : rows_(rows)
    {
        for (const auto& r : rows_) {
            keys_.push_back({r.method, r.pattern, r.query});
        }
    }

    /// Answers `req`: the matching row's handler, or the routing error.
    response dispatch(const request& req, Context& context) const
    {
        auto target = parse_request_target(req.target);
        if (!target) {
            return make_error(http_error::invalid_query,
                              "the request target '" + req.target + "' is malformed");
        }
        auto found = find_route(keys_, req, *target);
        if (found.error) {
            return std::move(*found.error);
        }
        return rows_[*found.row].answer(route_call{req, *target, found.params}, context);
    }

    /// The rows' methods and patterns.
    const std::vector<route_key>& keys() const noexcept { return keys_; }

private:
    std::vector<row> rows_;
    std::vector<route_key> keys_;
};

} // namespace io::http
