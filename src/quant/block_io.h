// Reading and writing blocks at unaligned addresses, and the row loop every quantizer shares.
// Blocks are copied with memcpy: GGUF tensor data and caller buffers need no alignment.
#pragma once

#include <cstdint>
#include <cstring>

#include "base/check.h"

namespace miaotui::quant {

template <typename Block>
Block LoadBlock(const uint8_t* p) {
  Block b;
  std::memcpy(&b, p, sizeof(b));
  return b;
}

// For each block of `values_per_block` inputs: quantize_block(x, &block), then store the block.
// REQUIRES: n % values_per_block == 0.
template <typename Block, typename Fn>
void QuantizeBlocks(const float* x, void* blocks, int64_t n, int64_t values_per_block,
                    Fn quantize_block) {
  DCHECK(n % values_per_block == 0);
  auto* out = static_cast<uint8_t*>(blocks);
  for (int64_t i = 0; i < n / values_per_block; ++i) {
    Block b = {};
    quantize_block(x + i * values_per_block, &b);
    std::memcpy(out + i * sizeof(Block), &b, sizeof(Block));
  }
}

// As QuantizeBlocks, handing each block its slice of the per-value importances (null: none):
// quantize_block(x, importance_or_null, &block).
template <typename Block, typename Fn>
void QuantizeBlocksWeighted(const float* x, const float* importance, void* blocks, int64_t n,
                            int64_t values_per_block, Fn quantize_block) {
  DCHECK(n % values_per_block == 0);
  auto* out = static_cast<uint8_t*>(blocks);
  for (int64_t i = 0; i < n / values_per_block; ++i) {
    Block b = {};
    const int64_t off = i * values_per_block;
    quantize_block(x + off, importance ? importance + off : nullptr, &b);
    std::memcpy(out + i * sizeof(Block), &b, sizeof(Block));
  }
}

}  // namespace miaotui::quant
