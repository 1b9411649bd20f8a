// BlockPool: hands out the KV cache's blocks to sequences, and remembers the blocks of finished
// prompts so a later request with the same prefix reuses them (prefix caching).
//
// A block is free, owned (refcount >= 1: sequences are reading it) or cached (refcount 0, holding
// the K/V of a known full block of tokens, evictable in least-recently-used order). A full block
// is identified by a hash of ALL tokens from the start of the sequence up to its end, so a match
// means the whole prefix matches. Allocate() takes a free block, else evicts the oldest cached
// one. Not thread-safe: the engine's scheduler thread owns it.
#pragma once

#include <cstdint>
#include <list>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

namespace miaotui::runtime {

class BlockPool {
 public:
  BlockPool(int64_t n_blocks, int64_t block_size);

  int64_t n_blocks() const { return static_cast<int64_t>(refs_.size()); }
  int64_t block_size() const { return block_size_; }
  // Blocks a new allocation could get now (free + evictable cached).
  int64_t available() const { return static_cast<int64_t>(free_.size() + lru_.size()); }
  int64_t used() const { return n_blocks() - available(); }

  std::optional<int32_t> Allocate();
  void Release(int32_t block);  // drops one reference; at 0 the block is cached or freed

  // Longest run of cached full blocks matching `tokens` from the start (at most max_blocks);
  // each returned block gains a reference.
  std::vector<int32_t> MatchPrefix(std::span<const int32_t> tokens, int64_t max_blocks);
  // Records that `block` holds full block number `index` of `tokens` (its K/V are complete), so
  // it can be matched after its owners release it.
  void Register(std::span<const int32_t> tokens, int64_t index, int32_t block);

  int64_t prefix_hits() const { return prefix_hits_; }  // blocks reused, in total

 private:
  uint64_t PrefixHash(std::span<const int32_t> tokens, int64_t n_full_blocks) const;

  int64_t block_size_;
  std::vector<int32_t> refs_;
  std::vector<int32_t> free_;
  // Cached blocks with refcount 0, oldest first, and where each sits in that list.
  std::list<int32_t> lru_;
  std::vector<std::list<int32_t>::iterator> lru_pos_;
  std::vector<bool> in_lru_;
  std::unordered_map<uint64_t, int32_t> by_hash_;
  std::vector<std::optional<uint64_t>> hash_of_;
  int64_t prefix_hits_ = 0;
};

}  // namespace miaotui::runtime
