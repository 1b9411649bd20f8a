#include "dist_args.h"

#include <cstdio>
#include <vector>

#include "commands.h"
#include "dist/group_communicator.h"
#include "runtime/session.h"
#ifdef MIAOTUI_MPI
#include "dist/mpi_communicator.h"
#endif

namespace miaotui::cli {

void AddDistOptions(ArgParser& p, DistArgs* a) {
  p.Option("tp", "", &a->tp, "N", "tensor parallelism over N ranks (run under mpirun -np N)");
  p.Option("pp", "", &a->pp, "N", "pipeline parallelism over N ranks (run under mpirun -np N)");
  p.Option("dist-timeout", "", &a->timeout_s, "S",
           "seconds a rank waits for a peer before ending the run (default 60)");
}

int DistRun::Fail(const Status& s) {
  if (comm && comm->size() > 1) comm->Abort(s);
  return cli::Fail(s);
}

Result<DistRun> StartDist(const DistArgs& a) {
  if (a.tp < 1 || a.pp < 1) return InvalidArgument("--tp and --pp must be >= 1");
  DistRun run;
#ifdef MIAOTUI_MPI
  if (dist::LaunchedByMpi()) {
    MT_ASSIGN_OR_RETURN(run.comm, dist::CreateMpiCommunicator(nullptr, nullptr));
  }
#endif
  if (!run.comm) run.comm = std::make_unique<dist::LocalCommunicator>();
  dist::Communicator& c = *run.comm;
  if (a.timeout_s > 0) {
    c.set_timeout(std::chrono::milliseconds(static_cast<int64_t>(a.timeout_s * 1000)));
  }
  if (a.tp * a.pp != c.size()) {
    std::string hint = c.size() == 1 && a.tp * a.pp > 1
#ifdef MIAOTUI_MPI
                           ? " (start it with mpirun -np " + std::to_string(a.tp * a.pp) + ")"
#else
                           ? " (this build has no MPI: configure with -DMIAOTUI_MPI=ON)"
#endif
                           : "";
    return InvalidArgument("rank " + std::to_string(c.rank()) + ": --tp " + std::to_string(a.tp) +
                           " x --pp " + std::to_string(a.pp) + " needs " +
                           std::to_string(a.tp * a.pp) + " ranks but the run has " +
                           std::to_string(c.size()) + hint);
  }
  run.shard = models::Shard{.tp_rank = c.rank() % a.tp, .tp_size = a.tp,
                            .pp_rank = c.rank() / a.tp, .pp_size = a.pp};
  if (a.tp > 1 && a.pp > 1) {
    std::vector<int> stage;
    for (int t = 0; t < a.tp; ++t) stage.push_back(run.shard.pp_rank * a.tp + t);
    run.tp_comm = std::make_unique<dist::GroupCommunicator>(&c, std::move(stage));
  }
  return run;
}

Result<std::unique_ptr<models::Model>> LoadShard(DistRun& run, const std::string& path) {
  auto model = models::LoadModel(path, run.shard);
  if (!model.ok()) {
    if (run.comm->size() == 1) return model.status();
    run.comm->Abort(model.status());  // stops every rank, naming this one
  }
  models::ModelInfo info = (*model)->info();
  MT_RETURN_IF_ERROR(runtime::CheckSameModelEverywhere(*run.comm, info));
  return model;
}

Result<std::string> CommSummary(dist::Communicator& comm, int64_t tokens,
                                const dist::Communicator* group) {
  dist::CommStats s = comm.stats();
  if (group != nullptr) {
    s.bytes_sent += group->stats().bytes_sent;
    s.messages_sent += group->stats().messages_sent;
    s.seconds += group->stats().seconds;
  }
  const double mine[3] = {static_cast<double>(s.bytes_sent),
                          static_cast<double>(s.messages_sent), s.seconds};
  std::vector<double> all(3 * comm.size());
  MT_RETURN_IF_ERROR(comm.AllGather(mine, sizeof(mine), all.data()));
  std::string out = "comm";
  for (int r = 0; r < comm.size(); ++r) {
    char buf[200];
    const double t = tokens > 0 ? static_cast<double>(tokens) : 1.0;
    std::snprintf(buf, sizeof(buf),
                  "%s rank %d sent %.0f bytes in %.0f messages (%.1f bytes, %.2f messages and "
                  "%.3f ms waiting per token)",
                  r == 0 ? ":" : ";", r, all[3 * r], all[3 * r + 1], all[3 * r] / t,
                  all[3 * r + 1] / t, all[3 * r + 2] * 1e3 / t);
    out += buf;
  }
  return out;
}

}  // namespace miaotui::cli
