#include "mockserver/control/api_message.hpp"

#include "json/json_text.hpp"

namespace mock::control {

api_response json_response(const boost::json::value& body, int status)
{
    api_response r;
    r.status = status;
    r.body = json_text::serialize(body);
    r.body += '\n';
    return r;
}

} // namespace mock::control
