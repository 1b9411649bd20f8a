// `miaotui bench --roofline`: this machine's limits, measured with short built-in loops, and the
// bytes a decode step must read.
//
//   ReadBandwidth   DRAM read bandwidth (bytes/s) with `pool`'s threads: every member sums its
//                   share of a 256 MiB buffer (far beyond any cache); best of a few passes.
//   PeakFp32        fp32 FMA throughput (FLOP/s, an FMA counts 2) of all of `pool`'s members,
//                   each running independent FMA chains on the widest vectors the CPU has;
//                   per member ops / its thread CPU time, summed (a busy machine does not
//                   lower the peak).
//   PeakInt8        int8 dot-product throughput (ops/s, a byte product and its add count 2):
//                   vpdpbusd (AVX-512 VNNI) chains; 0 when the CPU has no VNNI.
//   DecodeWeightBytes  weight bytes one generated token reads: every tensor of the model file,
//                   except that the token-embedding table contributes one row unless it is also
//                   the output projection (no separate output.weight). HF folders: all weights.
// The loops take about 0.1-0.3 s per call; their results are for dividing by, not exact peaks.
#pragma once

#include <cstdint>

#include "base/thread_pool.h"
#include "models/model.h"

namespace miaotui::cli {

double ReadBandwidth(ThreadPool& pool);
double PeakFp32(ThreadPool& pool);
double PeakInt8(ThreadPool& pool);
int64_t DecodeWeightBytes(const models::ModelInfo& info);

}  // namespace miaotui::cli
