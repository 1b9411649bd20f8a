// The model a generating command uses when no -m is given: the Shakespeare model the project
// ships in models/ (so a fresh checkout generates text with no model hunt first).
//
// Lookup order for an empty -m: the MIAOTUI_MODEL environment variable (a GGUF file or a Hugging
// Face folder); models/<kShippedModel> beside the executable's build tree
// (<exe>/../../../models, i.e. build/<preset>/bin/miaotui in a checkout); the source tree's
// models/ folder compiled in as MIAOTUI_DATA_DIR. A non-empty -m is returned unchanged, except
// ORG/REPO[:FILE] naming no local path, which is looked up in the `miaotui pull` cache.
#pragma once

#include <string>

#include "base/status.h"

namespace miaotui::cli {

inline constexpr char kShippedModel[] = "shakespeare-11.5M.gguf";

// NotFound, naming every place looked at, when there is no shipped model either.
Result<std::string> ResolveModelPath(const std::string& model_arg);

}  // namespace miaotui::cli
