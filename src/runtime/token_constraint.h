// TokenConstraint: a per-request rule on which tokens may come next (e.g. "the output stays a
// valid JSON prefix"). The engine calls Mask() on a copy of the logits row before sampling and
// Accept() with the token it chose; both run on the scheduler thread, never concurrently for one
// request. A constraint must leave at least one token allowed (an end-of-generation id when
// nothing else fits).
#pragma once

#include <cstdint>
#include <span>

namespace miaotui::runtime {

class TokenConstraint {
 public:
  virtual ~TokenConstraint() = default;
  // Sets the logits of tokens that may not come next to -infinity. `tokens_left`: how many
  // tokens may still be generated, this one included (< 0: no known limit).
  virtual void Mask(std::span<float> logits, int64_t tokens_left) = 0;
  virtual void Accept(int32_t token) = 0;
};

}  // namespace miaotui::runtime
