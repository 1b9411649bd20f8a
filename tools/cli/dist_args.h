// Distributed runs from the command line: --tp / --pp / --dist-timeout, the communicator (MPI when
// started by mpirun and built with -DMIAOTUI_MPI=ON, else local), this rank's model shard and the
// same-file check. Rank 0 prints; the other ranks stay silent.
//
//   mpirun -np 2 miaotui run --tp 2 -m model.gguf -p "..."
#pragma once

#include <memory>
#include <string>

#include "args.h"
#include "dist/communicator.h"
#include "models/model.h"

namespace miaotui::cli {

struct DistArgs {
  int32_t tp = 1, pp = 1;
  float timeout_s = 60;
};
void AddDistOptions(ArgParser& p, DistArgs* a);

struct DistRun {
  std::unique_ptr<dist::Communicator> comm;
  // With --tp and --pp together: this pipeline stage's tensor-parallel ranks (the graph's
  // all-reduce); null otherwise (the all-reduce then spans `comm`).
  std::unique_ptr<dist::Communicator> tp_comm;
  models::Shard shard;
  bool printer() const { return comm->rank() == 0; }
  // The rank that holds real logits (the last pipeline stage's first tensor-parallel rank).
  int logits_rank() const { return (shard.pp_size - 1) * shard.tp_size; }
  // Ends the run with `s`: under several ranks, every rank stops (naming this rank).
  int Fail(const Status& s);
};

// Creates the communicator and this rank's shard. Errors: --tp/--pp do not match the number of
// ranks, or --tp/--pp > 1 in a build without MPI or not started by mpirun.
Result<DistRun> StartDist(const DistArgs& a);

// Loads this rank's shard of the model and checks every rank loaded the same file.
Result<std::unique_ptr<models::Model>> LoadShard(DistRun& run, const std::string& path);

// "comm: rank 0 sent 1.2 MB in 340 messages, 12.3 ms waiting; rank 1 ..." gathered on every rank
// (with `group`, its traffic is added to each rank's).
Result<std::string> CommSummary(dist::Communicator& comm, int64_t tokens,
                                const dist::Communicator* group = nullptr);

}  // namespace miaotui::cli
