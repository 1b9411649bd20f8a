// Generate: the prompt in one batched pass, then token-by-token sampling until n_predict tokens,
// an end-of-generation token (unless ignore_eos) or a full context.
//
// Text is streamed through `on_text` as complete UTF-8: bytes of a character split across tokens
// are held back until the character is complete, so a stream never shows U+FFFD mid-way.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/sampler.h"
#include "runtime/session.h"

namespace miaotui::runtime {

struct GenerateOptions {
  int32_t n_predict = 128;  // < 0: until end of generation or a full context
  bool ignore_eos = false;
  SamplingParams sampling;
  bool prompt_logits = false;  // keep the logits of every prompt position
};

struct GenerateResult {
  std::vector<int32_t> tokens;  // generated ids
  std::string text;             // their bytes
  std::vector<float> prompt_logits;  // [n_prompt, n_vocab] when asked
  bool stopped_at_eog = false;
  double prompt_seconds = 0, generate_seconds = 0;
};

Result<GenerateResult> Generate(Session& session, const std::vector<int32_t>& prompt,
                                const GenerateOptions& options,
                                const std::function<void(std::string_view)>& on_text);

}  // namespace miaotui::runtime
