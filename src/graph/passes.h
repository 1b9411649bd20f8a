// Graph passes: each small, tested, and switchable so benchmarks can show what each buys.
//
//  - FuseSiluMul: mul(silu(a), b) with silu used once -> silu_mul(a, b) (SwiGLU in one pass).
//  - RemoveDeadNodes: nodes that no output depends on are marked dead (not run, not planned).
//  - PackMatMulWeights (weight_packer.h): matrices only MatMul reads get their packed layout
//    from the model's WeightPacker (CPU sessions pass it; memory plans and other backends don't).
//  - PlanMemory: liveness intervals packed first-fit into one arena, so a forward pass allocates
//    nothing; an elementwise node whose first input dies at it reuses that input's bytes.
#pragma once

#include "graph/graph.h"

namespace miaotui::graph {

class WeightPacker;

struct PassOptions {
  bool fuse = true;
  bool pack_weights = true;  // with a packer given to Optimize
};

void FuseSiluMul(Graph& g);
void RemoveDeadNodes(Graph& g);
void PlanMemory(Graph& g);

// Runs the enabled passes (packing only with a packer: the model's Model::weight_packer()), then
// plans memory.
void Optimize(Graph& g, const PassOptions& options, WeightPacker* packer = nullptr);

// Graphviz text of the graph (live nodes).
std::string ToDot(const Graph& g);

}  // namespace miaotui::graph
