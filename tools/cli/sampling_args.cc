#include "sampling_args.h"

#include <random>

namespace miaotui::cli {

void SamplingArgs::Register(ArgParser& p) {
  p.Option("temp", "", &params.temperature, "T", "temperature (default 0.8; 0 = greedy)");
  p.Option("top-k", "", &params.top_k, "K", "top-k sampling (default 40; 0 = off)");
  p.Option("top-p", "", &params.top_p, "P", "top-p sampling (default 0.95; 1 = off)");
  p.Option("min-p", "", &params.min_p, "P", "min-p sampling (default 0.05; 0 = off)");
  p.Option("repeat-penalty", "", &params.repeat_penalty, "X",
           "repetition penalty (default 1 = off)");
  p.Option("repeat-last-n", "", &params.repeat_last_n, "N",
           "tokens the penalty looks back (default 64)");
  p.Option("seed", "s", &seed, "S", "random seed (default: random)");
}

runtime::SamplingParams SamplingArgs::Resolve() const {
  runtime::SamplingParams out = params;
  out.seed = seed >= 0 ? static_cast<uint64_t>(seed) : std::random_device{}();
  return out;
}

}  // namespace miaotui::cli
