// The BPE merge loop by rank, shared by byte-level BPE and SentencePiece BPE loaded from a
// Hugging Face tokenizer.json (Hugging Face's BPE model): repeatedly merge the adjacent pair of
// tokens whose merge is listed earliest (lowest rank), the leftmost pair on equal ranks, with a
// priority queue and lazy invalidation: O(n log n) in the number of symbols.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace miaotui::tokenizer {

// One symbol: a byte range [start, start + n) of the text, holding token `id` (-1: not a token,
// never merges). Apply links the symbols (prev/next) and sets n = 0 on those merged away.
struct MergeSymbol {
  int32_t prev = -1, next = -1;
  uint32_t start = 0, n = 0;
  int32_t id = -1;
};

// An open-addressing hash table from token pairs to merges (the lookup is the hot spot of BPE).
class MergeTable {
 public:
  // Sizes the table for about n merges (optional; it grows as needed).
  void Reserve(size_t n);
  // Adds a merge a + b -> c of the given rank (a, b >= 0); the first merge of a pair wins.
  void Add(int32_t a, int32_t b, int32_t c, int32_t rank);
  bool empty() const { return size_ == 0; }

  // Merges `syms` (in text order; at least one) in place. Afterwards the surviving symbols are
  // reached from index 0 through `next` until -1.
  void Apply(std::vector<MergeSymbol>* syms) const;

 private:
  struct Info {
    int32_t rank;
    int32_t new_id;
  };
  struct Slot {
    uint64_t key = kEmpty;
    Info info{};
  };
  static constexpr uint64_t kEmpty = ~uint64_t{0};  // no pair of ids >= 0 has this key
  static uint64_t Key(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }
  const Info* Find(int32_t a, int32_t b) const;

  size_t SlotOf(uint64_t key) const {
    return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 32) & (slots_.size() - 1);
  }

  std::vector<Slot> slots_;  // size a power of two, at most half full
  size_t size_ = 0;
};

}  // namespace miaotui::tokenizer
