#include "graph/backend.h"

namespace miaotui::graph {

const char* DeviceName(Device d) {
  switch (d) {
    case Device::kCpu:
      return "cpu";
    case Device::kCuda:
      return "cuda";
    case Device::kAuto:
      return "auto";
  }
  return "?";
}

Result<Device> ParseDevice(std::string_view s) {
  if (s == "cpu") return Device::kCpu;
  if (s == "cuda") return Device::kCuda;
  if (s == "auto") return Device::kAuto;
  return InvalidArgument("--device must be cpu, cuda or auto, got '" + std::string(s) + "'");
}

}  // namespace miaotui::graph
