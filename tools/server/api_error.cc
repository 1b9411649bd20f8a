#include "api_error.h"

#include <nlohmann/json.hpp>

namespace miaotui::server {

ApiError BadField(const std::string& param, const std::string& message, const std::string& code) {
  ApiError e;
  e.message = message;
  e.param = param;
  e.code = code;
  return e;
}

std::string ErrorJson(const ApiError& e) {
  nlohmann::json j;
  j["error"]["message"] = e.message;
  j["error"]["type"] = e.type;
  j["error"]["param"] = e.param.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.param);
  j["error"]["code"] = e.code.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.code);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace miaotui::server
