// Communicator: how the ranks of one distributed run talk (tensor and pipeline parallelism).
//
// An interface with three implementations: LocalCommunicator (one process, size 1: collectives are
// no-ops), ThreadGroup (N ranks as threads of one process, for tests) and the MPI one
// (mpi_communicator.h, built with -DMIAOTUI_MPI=ON). Models and the graph see only this header.
//
// Every operation is bounded by a timeout: a peer that does not answer in time gives a
// DeadlineExceeded-style error naming the rank waited on ("rank 0: no answer from rank 1 within
// 10 s during all-reduce"), never a hang. Collectives are built here from one primitive,
// Exchange (post every send and receive, wait for all), so they behave identically everywhere:
// AllReduceSum adds the ranks' buffers in rank order, so every rank gets bit-identical sums.
//
// Thread safety: one thread at a time per communicator. stats() counts what this rank sent.
//
// Fault injection for tests: MIAOTUI_DIST_DIE=R:N makes rank R kill itself (SIGKILL, as a crash
// would) when it starts its N-th operation (N >= 1), so a test can check that its peers end the
// run with an error naming R instead of hanging.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"

namespace miaotui::dist {

// What this rank has sent and how long it spent waiting in communication.
struct CommStats {
  int64_t bytes_sent = 0;
  int64_t messages_sent = 0;
  int64_t calls = 0;        // collective or point-to-point operations
  double seconds = 0;       // wall time inside the operations
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Human-readable name of the transport: "local", "threads", "mpi".
  virtual const char* kind() const = 0;

  // data[0..n) := the element-wise sum over ranks, identical on every rank.
  Status AllReduceSum(float* data, int64_t n);
  // all[r * bytes .. (r + 1) * bytes) := rank r's `mine`, on every rank.
  Status AllGather(const void* mine, size_t bytes, void* all);
  // data := root's data, on every rank.
  Status Broadcast(void* data, size_t bytes, int root);
  Status Send(const void* data, size_t bytes, int dst, int tag = 0);
  Status Recv(void* data, size_t bytes, int src, int tag = 0);
  Status Barrier();

  // Ends the whole run after an error: prints "miaotui: error: rank R: <message>" to stderr and
  // stops every rank (MPI_Abort for MPI; exit(1) locally).
  [[noreturn]] virtual void Abort(const Status& error);

  // How long a peer may keep this rank waiting (default 60 s; MIAOTUI_DIST_TIMEOUT_S overrides
  // at construction). Zero or negative: wait forever (an idle server rank waiting for work).
  void set_timeout(std::chrono::milliseconds t) { timeout_ = t; }
  std::chrono::milliseconds timeout() const { return timeout_; }

  const CommStats& stats() const { return stats_; }
  void ResetStats() { stats_ = {}; }

 protected:
  friend class GroupCommunicator;  // forwards its exchanges to its parent's transport
  Communicator();
  struct Message {
    int peer;
    int tag;
    void* data;
    size_t bytes;
  };
  // Posts every send and receive, then waits until all complete or the timeout passes. On a
  // timeout the error names the first peer whose message is missing and `what` was running.
  virtual Status Exchange(std::span<const Message> sends, std::span<const Message> recvs,
                          const char* what) = 0;
  // "rank R: no answer from rank P within T s during WHAT".
  Status TimeoutError(int peer, const char* what) const;

 private:
  Status Run(std::span<const Message> sends, std::span<const Message> recvs, const char* what);
  std::chrono::milliseconds timeout_;
  CommStats stats_;
  int die_rank_ = -1;      // MIAOTUI_DIST_DIE
  int64_t die_call_ = 0, ops_ = 0;
  std::vector<float> scratch_;
};

// One process, no peers: rank 0 of 1.
class LocalCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  const char* kind() const override { return "local"; }

 protected:
  Status Exchange(std::span<const Message> sends, std::span<const Message> recvs,
                  const char* what) override;
};

}  // namespace miaotui::dist
