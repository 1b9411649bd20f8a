// The BPE merge loop by rank, shared by byte-level BPE and SentencePiece BPE loaded from a
// Hugging Face tokenizer.json (Hugging Face's BPE model): repeatedly merge the adjacent pair of
// tokens whose merge is listed earliest (lowest rank), the leftmost pair on equal ranks, with a
// priority queue and lazy invalidation: O(n log n) in the number of symbols.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace miaotui::tokenizer {

// One symbol: a byte range [start, start + n) of the text, holding token `id` (-1: not a token,
// never merges). Apply links the symbols (prev/next) and sets n = 0 on those merged away.
struct MergeSymbol {
  int32_t prev = -1, next = -1;
  uint32_t start = 0, n = 0;
  int32_t id = -1;
};

class MergeTable {
 public:
  void Reserve(size_t n) { merges_.reserve(n); }
  // Adds a merge a + b -> c of the given rank; the first merge of a pair wins.
  void Add(int32_t a, int32_t b, int32_t c, int32_t rank);
  bool empty() const { return merges_.empty(); }

  // Merges `syms` (in text order; at least one) in place. Afterwards the surviving symbols are
  // reached from index 0 through `next` until -1.
  void Apply(std::vector<MergeSymbol>* syms) const;

 private:
  struct Info {
    int32_t rank;
    int32_t new_id;
  };
  static uint64_t Key(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }
  const Info* Find(int32_t a, int32_t b) const;

  std::unordered_map<uint64_t, Info> merges_;
};

}  // namespace miaotui::tokenizer
