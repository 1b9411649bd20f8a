// ResolveModelPath: -m, else MIAOTUI_MODEL, else the shipped model (see default_model.h).
#include "default_model.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <vector>

#include "pull.h"

namespace miaotui::cli {
namespace {

std::string ExecutableDir() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

}  // namespace

Result<std::string> ResolveModelPath(const std::string& model_arg) {
  if (!model_arg.empty()) {
    if (auto cached = pull::FindInCache(model_arg, pull::DefaultCacheDir())) return *cached;
    return model_arg;
  }
  if (const char* env = std::getenv("MIAOTUI_MODEL"); env != nullptr && *env != '\0') {
    return std::string(env);
  }
  std::vector<std::string> candidates;
  if (std::string dir = ExecutableDir(); !dir.empty()) {
    candidates.push_back(dir + "/../../../models/" + kShippedModel);
    candidates.push_back(dir + "/../share/miaotui/models/" + kShippedModel);
  }
#ifdef MIAOTUI_DATA_DIR
  candidates.push_back(std::string(MIAOTUI_DATA_DIR) + "/" + kShippedModel);
#endif
  std::string looked;
  for (const std::string& c : candidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(c, ec)) {
      return std::filesystem::path(c).lexically_normal().string();
    }
    looked += (looked.empty() ? "" : ", ") + c;
  }
  return NotFound("no model given (use -m PATH or set MIAOTUI_MODEL), and the shipped model " +
                  std::string(kShippedModel) + " is not at " + looked);
}

}  // namespace miaotui::cli
