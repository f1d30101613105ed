#include "mockserver/control/api_message.hpp"

#include "mockserver/control/json_text.hpp"

namespace mock::control {

api_response json_response(const boost::json::value& body, int status)
{
    api_response r;
    r.status = status;
    r.body = to_json_text(body);
    r.body += '\n';
    return r;
}

} // namespace mock::control
