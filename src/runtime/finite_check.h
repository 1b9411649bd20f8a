// Non-finite outputs are an error, never silently propagated: when logits contain NaN or Inf,
// the weights are scanned (slow, only then) to name the tensor responsible - typically a
// corrupted block scale in a quantized file - or the error says every weight is finite.
#pragma once

#include <span>

#include "base/status.h"
#include "models/model.h"

namespace miaotui::runtime {

Status CheckLogitsFinite(const models::Model& model, std::span<const float> logits);

}  // namespace miaotui::runtime
