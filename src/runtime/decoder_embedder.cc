#include "runtime/decoder_embedder.h"

#include <cmath>
#include <string>

#include "graph/graph.h"

namespace miaotui::runtime {

Result<std::unique_ptr<DecoderEmbedder>> DecoderEmbedder::Create(const models::Model& model,
                                                                 int n_threads, int64_t n_ctx) {
  if (model.info().is_encoder) {
    return InvalidArgument(model.info().path + ": an encoder model embeds with runtime::Embedder");
  }
  auto e = std::unique_ptr<DecoderEmbedder>(new DecoderEmbedder());
  SessionOptions so;
  so.n_threads = n_threads;
  so.n_ctx = n_ctx;
  MT_ASSIGN_OR_RETURN(e->session_, Session::Create(model, so));
  e->n_embd_ = model.info().n_embd;
  const int64_t n_vocab = model.info().n_vocab;
  DecoderEmbedder* self = e.get();
  // The language-model head is the pass's last matrix product of width n_embd -> n_vocab;
  // its input is the normalized final hidden state of the output rows (the last token only).
  e->session_->SetNodeObserver([self, n_vocab](const graph::Graph& g, const graph::Node& n,
                                               const graph::Executor& ex) {
    if (n.op != graph::Op::kMatMul || n.shape.ne[0] != n_vocab) return;
    const graph::Node& in = g.nodes[n.inputs[0]];
    if (in.shape.ne[0] != self->n_embd_ || in.shape.NumRows() < 1) return;
    const float* x = ex.Output(g, graph::Tensor{n.inputs[0]});
    const float* last = x + (in.shape.NumRows() - 1) * self->n_embd_;
    self->last_hidden_.assign(last, last + self->n_embd_);
  });
  return e;
}

Result<std::vector<std::vector<float>>> DecoderEmbedder::Embed(
    const std::vector<std::vector<int32_t>>& inputs) {
  std::vector<std::vector<float>> out;
  out.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto& ids = inputs[i];
    const std::string name = "input " + std::to_string(i);
    if (ids.empty()) return InvalidArgument(name + " has no tokens");
    if (static_cast<int64_t>(ids.size()) > session_->n_ctx()) {
      return OutOfRange(name + " has " + std::to_string(ids.size()) +
                        " tokens but the context holds " + std::to_string(session_->n_ctx()));
    }
    session_->Reset();
    last_hidden_.clear();
    MT_RETURN_IF_ERROR(session_->Decode(ids, /*all_logits=*/false).status());
    if (static_cast<int64_t>(last_hidden_.size()) != n_embd_) {
      return Internal("the model's forward pass has no language-model head to read");
    }
    double norm = 0;
    for (float v : last_hidden_) norm += static_cast<double>(v) * v;
    const float scale = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.0f;
    std::vector<float> v(last_hidden_);
    for (float& x : v) x *= scale;
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace miaotui::runtime
