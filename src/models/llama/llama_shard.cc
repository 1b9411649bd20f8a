// A Llama-family shard: tensor parallelism keeps rank r's contiguous block of query heads (and
// the KV heads they read, so grouped-query attention stays local), its block of feed-forward
// columns, and the matching input columns of the output and down projections (copied at load;
// their partial products are summed by the graph's all-reduce). Pipeline parallelism keeps a
// contiguous range of layers; the KV cache then holds only those.
#include "models/common/shard.h"
#include "models/llama/llama.h"

namespace miaotui::models::llama {

Status LlamaModel::ApplyShard(const Shard& s, const std::string& path) {
  LlamaConfig& c = config_;
  MT_RETURN_IF_ERROR(CheckShard(path, s, c.n_layer,
                                {{"head count", c.n_head},
                                 {"KV head count", c.n_head_kv},
                                 {"feed-forward length", c.n_ff}}));
  shard_ = s;
  std::tie(layer_begin_, layer_end_) = StageLayers(c.n_layer, s);
  const int64_t t = s.tp_size, r = s.tp_rank, hd = c.head_dim;
  if (t > 1) {
    const int64_t q = c.n_head / t * hd, kv = c.n_head_kv / t * hd, ff = c.n_ff / t;
    for (int64_t l = layer_begin_; l < layer_end_; ++l) {
      LlamaLayer& L = weights_.layers[l];
      const std::string layer = "layer " + std::to_string(l);
      SliceRows(&L.wq, &L.bq, r, q);
      SliceRows(&L.wk, &L.bk, r, kv);
      SliceRows(&L.wv, &L.bv, r, kv);
      MT_ASSIGN_OR_RETURN(L.wo, source_->ColumnSlice(L.wo, r * q, q, layer + " attention output"));
      SliceRows(&L.w_gate, nullptr, r, ff);
      SliceRows(&L.w_up, nullptr, r, ff);
      MT_ASSIGN_OR_RETURN(L.w_down, source_->ColumnSlice(L.w_down, r * ff, ff, layer + " ffn down"));
    }
    c.n_head /= t;
    c.n_head_kv /= t;
    c.n_ff /= t;
  }
  SetShardInfo(s, layer_begin_, layer_end_, c.n_head_kv * hd, &info_);
  return Status::Ok();
}

}  // namespace miaotui::models::llama
