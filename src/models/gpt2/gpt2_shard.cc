// A GPT-2 shard: tensor parallelism keeps rank r's block of heads (rows of the fused QKV weight
// and bias) and of MLP columns, and the matching input columns of the attention output and MLP
// down projections (copied at load); their biases stay whole and are added after the all-reduce.
// Pipeline parallelism keeps a contiguous range of layers.
#include "models/common/shard.h"
#include "models/gpt2/gpt2.h"

namespace miaotui::models::gpt2 {

Status Gpt2Model::ApplyShard(const Shard& s, const std::string& path) {
  Gpt2Config& c = config_;
  MT_RETURN_IF_ERROR(CheckShard(path, s, c.n_layer,
                                {{"head count", c.n_head}, {"feed-forward length", c.n_ff}}));
  shard_ = s;
  std::tie(layer_begin_, layer_end_) = StageLayers(c.n_layer, s);
  const int64_t t = s.tp_size, r = s.tp_rank;
  const int64_t hd = c.n_embd / c.n_head;
  if (t > 1) {
    const int64_t q = c.n_head / t * hd, ff = c.n_ff / t;
    for (int64_t l = layer_begin_; l < layer_end_; ++l) {
      Gpt2Layer& L = weights_.layers[l];
      const std::string layer = "layer " + std::to_string(l);
      SliceRows(&L.wq, &L.bq, r, q);
      SliceRows(&L.wk, &L.bk, r, q);
      SliceRows(&L.wv, &L.bv, r, q);
      MT_ASSIGN_OR_RETURN(L.wo, source_->ColumnSlice(L.wo, r * q, q, layer + " attention output"));
      SliceRows(&L.w_up, &L.b_up, r, ff);
      MT_ASSIGN_OR_RETURN(L.w_down, source_->ColumnSlice(L.w_down, r * ff, ff, layer + " ffn down"));
    }
    c.n_head /= t;
    c.n_ff /= t;
  }
  SetShardInfo(s, layer_begin_, layer_end_, c.n_head * hd, &info_);
  return Status::Ok();
}

}  // namespace miaotui::models::gpt2
