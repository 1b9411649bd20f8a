#include "tokenizer/rank_merge.h"

#include <queue>

namespace miaotui::tokenizer {

void MergeTable::Add(int32_t a, int32_t b, int32_t c, int32_t rank) {
  merges_.try_emplace(Key(a, b), Info{rank, c});
}

const MergeTable::Info* MergeTable::Find(int32_t a, int32_t b) const {
  if (a < 0 || b < 0) return nullptr;
  auto it = merges_.find(Key(a, b));
  return it == merges_.end() ? nullptr : &it->second;
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
