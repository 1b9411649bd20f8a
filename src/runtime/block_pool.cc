#include "runtime/block_pool.h"

#include "base/check.h"

namespace miaotui::runtime {

BlockPool::BlockPool(int64_t n_blocks, int64_t block_size)
    : block_size_(block_size),
      refs_(n_blocks, 0),
      lru_pos_(n_blocks),
      in_lru_(n_blocks, false),
      hash_of_(n_blocks) {
  free_.reserve(n_blocks);
  for (int64_t b = n_blocks - 1; b >= 0; --b) free_.push_back(static_cast<int32_t>(b));
}

uint64_t BlockPool::PrefixHash(std::span<const int32_t> tokens, int64_t n_full_blocks) const {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a over the token ids
  const int64_t n = n_full_blocks * block_size_;
  for (int64_t i = 0; i < n; ++i) {
    uint32_t t = static_cast<uint32_t>(tokens[i]);
    for (int k = 0; k < 4; ++k) {
      h ^= (t >> (8 * k)) & 0xff;
      h *= 0x100000001b3ull;
    }
  }
  return h ^ static_cast<uint64_t>(n);
}

std::optional<int32_t> BlockPool::Allocate() {
  int32_t b;
  if (!free_.empty()) {
    b = free_.back();
    free_.pop_back();
  } else if (!lru_.empty()) {
    b = lru_.front();
    lru_.pop_front();
    in_lru_[b] = false;
    by_hash_.erase(*hash_of_[b]);
    hash_of_[b].reset();
  } else {
    return std::nullopt;
  }
  refs_[b] = 1;
  return b;
}

void BlockPool::Release(int32_t b) {
  CHECK(refs_[b] > 0);
  if (--refs_[b] > 0) return;
  if (hash_of_[b]) {
    lru_.push_back(b);
    lru_pos_[b] = std::prev(lru_.end());
    in_lru_[b] = true;
  } else {
    free_.push_back(b);
  }
}

std::vector<int32_t> BlockPool::MatchPrefix(std::span<const int32_t> tokens, int64_t max_blocks) {
  std::vector<int32_t> out;
  const int64_t full = static_cast<int64_t>(tokens.size()) / block_size_;
  for (int64_t i = 0; i < full && i < max_blocks; ++i) {
    auto it = by_hash_.find(PrefixHash(tokens, i + 1));
    if (it == by_hash_.end()) break;
    const int32_t b = it->second;
    if (in_lru_[b]) {
      lru_.erase(lru_pos_[b]);
      in_lru_[b] = false;
    }
    refs_[b]++;
    out.push_back(b);
  }
  prefix_hits_ += static_cast<int64_t>(out.size());
  return out;
}

void BlockPool::Register(std::span<const int32_t> tokens, int64_t index, int32_t block) {
  if (hash_of_[block]) return;
  const uint64_t h = PrefixHash(tokens, index + 1);
  if (by_hash_.count(h)) return;  // another block already holds this prefix
  by_hash_[h] = block;
  hash_of_[block] = h;
}

}  // namespace miaotui::runtime
