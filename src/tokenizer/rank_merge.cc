#include "tokenizer/rank_merge.h"

#include <queue>

namespace miaotui::tokenizer {

void MergeTable::Reserve(size_t n) {
  if (slots_.size() >= 2 * n) return;
  size_t cap = 16;
  while (cap < 2 * n) cap *= 2;
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(cap, Slot());
  size_ = 0;
  for (const Slot& s : old) {
    if (s.key != kEmpty)
      Add(static_cast<int32_t>(s.key >> 32), static_cast<int32_t>(s.key), s.info.new_id,
          s.info.rank);
  }
}

void MergeTable::Add(int32_t a, int32_t b, int32_t c, int32_t rank) {
  if (a < 0 || b < 0) return;
  if (2 * (size_ + 1) > slots_.size()) Reserve(2 * (size_ + 1));
  const uint64_t key = Key(a, b);
  for (size_t i = SlotOf(key);; i = (i + 1) & (slots_.size() - 1)) {
    if (slots_[i].key == key) return;  // the first merge of a pair wins
    if (slots_[i].key == kEmpty) {
      slots_[i] = {key, {rank, c}};
      ++size_;
      return;
    }
  }
}

const MergeTable::Info* MergeTable::Find(int32_t a, int32_t b) const {
  if (a < 0 || b < 0 || slots_.empty()) return nullptr;
  const uint64_t key = Key(a, b);
  for (size_t i = SlotOf(key);; i = (i + 1) & (slots_.size() - 1)) {
    if (slots_[i].key == key) return &slots_[i].info;
    if (slots_[i].key == kEmpty) return nullptr;
  }
}

void MergeTable::Apply(std::vector<MergeSymbol>* symbols) const {
  std::vector<MergeSymbol>& syms = *symbols;
  const auto count = static_cast<int32_t>(syms.size());
  for (int32_t i = 0; i < count; ++i) {
    syms[i].prev = i - 1;
    syms[i].next = i + 1 < count ? i + 1 : -1;
  }
  struct Merge {
    int32_t pos, rank, new_id;
  };
  // Lowest rank first; on equal ranks the leftmost position.
  auto worse = [](const Merge& l, const Merge& r) {
    return l.rank > r.rank || (l.rank == r.rank && l.pos > r.pos);
  };
  std::priority_queue<Merge, std::vector<Merge>, decltype(worse)> queue(worse);
  auto try_add = [&](int32_t left) {
    if (left < 0 || syms[left].next < 0) return;
    const Info* m = Find(syms[left].id, syms[syms[left].next].id);
    if (m != nullptr) queue.push({left, m->rank, m->new_id});
  };
  for (int32_t i = 0; i + 1 < count; ++i) try_add(i);
  while (!queue.empty()) {
    const Merge m = queue.top();
    queue.pop();
    MergeSymbol& l = syms[m.pos];
    if (l.n == 0 || l.next < 0) continue;
    MergeSymbol& r = syms[l.next];
    // Stale entry: the pair at this position changed since it was queued.
    const Info* now = Find(l.id, r.id);
    if (now == nullptr || now->rank != m.rank) continue;
    l.id = m.new_id;
    l.n += r.n;
    r.n = 0;
    l.next = r.next;
    if (r.next >= 0) syms[r.next].prev = m.pos;
    try_add(l.prev);
    try_add(m.pos);
  }
}

}  // namespace miaotui::tokenizer
