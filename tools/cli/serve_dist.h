// miaotui serve under MPI with tensor parallelism: rank 0 serves HTTP and schedules; every rank
// computes every engine step.
//
//   mpirun -np 2 miaotui serve --tp 2 -m model.gguf --port 8080
//
// Rank 0's engine broadcasts each step's graph inputs (shape, token ids, positions, KV slots,
// sequence ids, block table, output rows: runtime::StepInputs) before running it. The other ranks
// hold the same number of KV blocks (their own heads' share) and no scheduler: they run the same
// graph over the same slots, so the block table alone mirrors the cache bookkeeping (requests
// added, finished or cancelled, prefix-cache hits) without replaying it. A follower waits for the
// next step without a time limit (an idle server); inside a step, the graph's all-reduces keep the
// --dist-timeout bound. When rank 0 ends (normally or after an error), ~ServeDist broadcasts a stop
// so the followers exit. Pipeline parallelism is refused (see docs/DISTRIBUTED.md).
#pragma once

#include <memory>
#include <string>

#include "dist_args.h"
#include "models/model.h"
#include "server.h"

namespace miaotui::cli {

class ServeDist {
 public:
  ServeDist() = default;
  ServeDist(const ServeDist&) = delete;
  ServeDist& operator=(const ServeDist&) = delete;
  ~ServeDist() { Stop(); }

  DistArgs args;  // filled by AddDistOptions

  // Loads the model: the whole one in a single process, else this rank's tensor-parallel shard
  // (same file checked on every rank). Rank 0 gets the model, with `o->engine` wired to the
  // communicator and the step broadcast. The other ranks follow rank 0's steps until it stops,
  // then get a null model and the exit status in *follower_exit.
  Result<std::unique_ptr<models::Model>> Load(const std::string& path, server::ServerOptions* o,
                                              int* follower_exit);

  // Rank 0: tells the followers to exit (idempotent; call when the engine is idle or gone).
  void Stop();

  // Ends the run with `s` (every rank under MPI).
  int Fail(const Status& s);

 private:
  DistRun run_;
  bool leader_ = false;
};

}  // namespace miaotui::cli
