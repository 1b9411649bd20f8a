// Reading the architecture name of a Hugging Face folder from its config.json.
#include <string>

#include "base/status.h"
#include "formats/json_file.h"

namespace miaotui::models {

Result<std::string> ReadHfArchitecture(const std::string& dir) {
  const std::string path = dir + "/config.json";
  MT_ASSIGN_OR_RETURN(nlohmann::json cfg, formats::ReadJsonFile(path));
  auto it = cfg.find("architectures");
  if (it == cfg.end() || !it->is_array() || it->empty() || !(*it)[0].is_string()) {
    return InvalidArgument(path + ": field 'architectures' must be a non-empty array of strings");
  }
  return (*it)[0].get<std::string>();
}

}  // namespace miaotui::models
