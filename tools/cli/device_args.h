// --device cpu|cuda|auto for the commands that run a model (docs/CUDA.md).
//
//  cpu (default)  the CPU backend, as always.
//  cuda           the CUDA backend; where no device is usable, an error
//                 "no CUDA device: <reason>; use --device cpu".
//  auto           CUDA where it can run, else the CPU with a one-line note on stderr.
//
// Sessions (runtime::Session) do not run on the CUDA backend yet, so today `cuda` with a device
// present is an error saying so, and `auto` falls back to the CPU with a note.
#pragma once

#include <string>

#include "args.h"
#include "base/status.h"
#include "graph/backend.h"

namespace miaotui::cli {

void AddDeviceOption(ArgParser& p, std::string* device);

// The device a command runs on. `quiet`: print no note (ranks other than 0).
Result<graph::Device> ResolveDevice(const std::string& flag, bool quiet);

}  // namespace miaotui::cli
