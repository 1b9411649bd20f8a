// The sampling options shared by the generating subcommands (--temp, --top-k, --top-p, --min-p,
// --repeat-penalty, --repeat-last-n, --seed), registered on an ArgParser with the defaults of
// runtime::SamplingParams. After parsing, ResolveSeed() turns "no --seed" into a random seed.
#pragma once

#include <cstdint>

#include "args.h"
#include "runtime/sampler.h"

namespace miaotui::cli {

struct SamplingArgs {
  runtime::SamplingParams params;
  int64_t seed = -1;  // < 0: random

  void Register(ArgParser& p);
  // params with the seed filled in.
  runtime::SamplingParams Resolve() const;
};

}  // namespace miaotui::cli
