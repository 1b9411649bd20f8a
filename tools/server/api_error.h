// ApiError: an error answer in OpenAI's shape,
//   {"error": {"message": ..., "type": ..., "param": <field or null>, "code": <code or null>}},
// with the HTTP status it is sent with. Every failure the server reports to a client is one.
#pragma once

#include <string>

namespace miaotui::server {

struct ApiError {
  int http_status = 400;
  std::string message;
  std::string param;  // the offending request field ("messages[0].content"); empty: null
  std::string code;   // e.g. "invalid_type", "context_length_exceeded"; empty: null
  std::string type = "invalid_request_error";
};

ApiError BadField(const std::string& param, const std::string& message,
                  const std::string& code = "invalid_value");
std::string ErrorJson(const ApiError& e);

}  // namespace miaotui::server
