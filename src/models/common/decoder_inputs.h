// The inputs every decoder graph starts with: token ids, the KV-cache addressing (positions,
// slots, sequence ids, block table) and the rows whose logits are wanted.
#pragma once

#include "graph/graph.h"
#include "models/model.h"

namespace miaotui::models {

inline void AddDecoderInputs(graph::GraphBuilder& g, const ForwardShape& s, ForwardGraph* fg) {
  fg->shape = s;
  fg->tokens = g.Input("tokens", DType::kI32, s.n_tokens);
  fg->kv.positions = g.Input("positions", DType::kI32, s.n_tokens);
  fg->kv.slots = g.Input("kv_slots", DType::kI32, s.n_tokens);
  fg->kv.seq_ids = g.Input("seq_ids", DType::kI32, s.n_tokens);
  fg->kv.block_table = g.Input("block_table", DType::kI32, s.n_seqs * s.max_blocks);
  fg->kv.max_blocks = s.max_blocks;
  fg->out_rows = g.Input("out_rows", DType::kI32, s.n_outputs);
}

}  // namespace miaotui::models
