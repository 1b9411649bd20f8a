#include "graph/passes.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "base/aligned.h"
#include "graph/weight_packer.h"

namespace miaotui::graph {
namespace {

std::vector<int> UseCounts(const Graph& g) {
  std::vector<int> uses(g.nodes.size(), 0);
  for (const Node& n : g.nodes) {
    if (!n.alive) continue;
    for (int in : n.inputs) uses[in]++;
  }
  for (int o : g.outputs) uses[o]++;
  return uses;
}

bool IsElementwise(Op op) {
  return op == Op::kAdd || op == Op::kMul || op == Op::kSilu || op == Op::kSiluMul ||
         op == Op::kRope || op == Op::kRmsNorm || op == Op::kLayerNorm || op == Op::kAddRow ||
         op == Op::kGelu || op == Op::kTanh;
}

}  // namespace

void FuseSiluMul(Graph& g) {
  std::vector<int> uses = UseCounts(g);
  for (Node& n : g.nodes) {
    if (!n.alive || n.op != Op::kMul) continue;
    for (int side = 0; side < 2; ++side) {
      Node& s = g.nodes[n.inputs[side]];
      if (s.op == Op::kSilu && s.alive && uses[n.inputs[side]] == 1) {
        int a = s.inputs[0], b = n.inputs[1 - side];
        n.op = Op::kSiluMul;
        n.inputs = {a, b};
        s.alive = false;
        break;
      }
    }
  }
}

void RemoveDeadNodes(Graph& g) {
  std::vector<bool> needed(g.nodes.size(), false);
  for (int o : g.outputs) needed[o] = true;
  for (int i = static_cast<int>(g.nodes.size()) - 1; i >= 0; --i) {
    if (!needed[i] || !g.nodes[i].alive) continue;
    for (int in : g.nodes[i].inputs) needed[in] = true;
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    if (!needed[i]) g.nodes[i].alive = false;
  }
}

void PlanMemory(Graph& g) {
  const int n = static_cast<int>(g.nodes.size());
  std::vector<int> last_use(n, -1);
  for (int i = 0; i < n; ++i) {
    if (!g.nodes[i].alive) continue;
    for (int in : g.nodes[i].inputs) last_use[in] = std::max(last_use[in], i);
  }
  for (int o : g.outputs) last_use[o] = n;  // outputs live to the end

  // Free blocks: offset -> size, kept merged.
  std::map<int64_t, int64_t> free_blocks;
  int64_t arena_end = 0;
  auto allocate = [&](int64_t size) -> int64_t {
    for (auto it = free_blocks.begin(); it != free_blocks.end(); ++it) {
      if (it->second >= size) {
        int64_t off = it->first, rest = it->second - size;
        free_blocks.erase(it);
        if (rest > 0) free_blocks[off + size] = rest;
        return off;
      }
    }
    // Extend the arena, merging with a free block that touches its end.
    int64_t off = arena_end;
    if (!free_blocks.empty()) {
      auto last = std::prev(free_blocks.end());
      if (last->first + last->second == arena_end) {
        off = last->first;
        free_blocks.erase(last);
      }
    }
    arena_end = off + size;
    return off;
  };
  auto release = [&](int64_t off, int64_t size) {
    auto [it, ok] = free_blocks.emplace(off, size);
    auto next = std::next(it);
    if (next != free_blocks.end() && off + size == next->first) {
      it->second += next->second;
      free_blocks.erase(next);
    }
    if (it != free_blocks.begin()) {
      auto prev = std::prev(it);
      if (prev->first + prev->second == it->first) {
        prev->second += it->second;
        free_blocks.erase(it);
      }
    }
  };

  std::vector<int64_t> sizes(n, 0);
  for (int i = 0; i < n; ++i) {
    Node& node = g.nodes[i];
    node.offset = -1;
    if (!node.alive || node.op == Op::kWeight) continue;
    sizes[i] = static_cast<int64_t>(AlignUp(g.NodeBytes(i), kCacheLine));
    // Reuse the first input's bytes when it dies here and has the same size.
    if (IsElementwise(node.op) && !node.inputs.empty()) {
      int in = node.inputs[0];
      if (g.nodes[in].offset >= 0 && last_use[in] == i && sizes[in] == sizes[i]) {
        node.offset = g.nodes[in].offset;
        sizes[in] = 0;  // ownership moves to this node
      }
    }
    if (node.offset < 0) node.offset = allocate(sizes[i]);
    for (int in : node.inputs) {
      if (last_use[in] == i && g.nodes[in].offset >= 0 && sizes[in] > 0) {
        release(g.nodes[in].offset, sizes[in]);
        sizes[in] = 0;  // an input listed twice is released once
      }
    }
  }
  g.arena_bytes = static_cast<size_t>(arena_end);
  g.planned = true;
}

void Optimize(Graph& g, const PassOptions& options, WeightPacker* packer) {
  if (options.fuse) FuseSiluMul(g);
  RemoveDeadNodes(g);
  if (options.pack_weights && packer != nullptr) PackMatMulWeights(g, *packer);
  PlanMemory(g);
}

std::string ToDot(const Graph& g) {
  std::string s = "digraph miaotui {\n  node [shape=box, fontname=monospace];\n";
  char buf[256];
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (!n.alive) continue;
    std::snprintf(buf, sizeof(buf), "  n%zu [label=\"%s%s%s\\n%s %s\"%s];\n", i, OpName(n.op),
                  n.name.empty() ? "" : " ", n.name.c_str(), DTypeName(n.dtype),
                  n.shape.ToString().c_str(),
                  n.op == Op::kWeight ? ", style=filled, fillcolor=lightgrey" : "");
    s += buf;
    for (int in : n.inputs) {
      std::snprintf(buf, sizeof(buf), "  n%d -> n%zu;\n", in, i);
      s += buf;
    }
  }
  return s + "}\n";
}

}  // namespace miaotui::graph
