#include "runtime/finite_check.h"

#include <cmath>

namespace miaotui::runtime {

Status CheckLogitsFinite(const models::Model& model, std::span<const float> logits) {
  for (float x : logits) {
    if (std::isfinite(x)) continue;
    const std::optional<std::string> bad = model.FindNonFiniteWeight();
    if (bad) {
      return DataLoss(model.info().path + ": the logits are NaN/Inf because " + *bad +
                      " holds NaN or Inf values (a corrupted file?)");
    }
    return Internal(model.info().path +
                    ": the logits are NaN/Inf although every weight is finite (numerical "
                    "overflow in the activations)");
  }
  return Status::Ok();
}

}  // namespace miaotui::runtime
