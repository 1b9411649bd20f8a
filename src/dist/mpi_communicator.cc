#include "dist/mpi_communicator.h"

#include <mpi.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace miaotui::dist {
namespace {

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator(int rank, int size) : rank_(rank), size_(size) {}
  ~MpiCommunicator() override { MPI_Finalize(); }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  const char* kind() const override { return "mpi"; }

  [[noreturn]] void Abort(const Status& error) override {
    const std::string& m = error.message();
    if (m.rfind("rank ", 0) == 0) {
      std::fprintf(stderr, "miaotui: error: %s\n", m.c_str());
    } else {
      std::fprintf(stderr, "miaotui: error: rank %d: %s\n", rank_, m.c_str());
    }
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
    std::_Exit(1);
  }

 protected:
  Status Exchange(std::span<const Message> sends, std::span<const Message> recvs,
                  const char* what) override {
    const size_t n = sends.size() + recvs.size();
    std::vector<MPI_Request> req(n, MPI_REQUEST_NULL);
    std::vector<int> peer(n);
    size_t i = 0;
    // Receives first, so a peer's eager message finds its buffer.
    for (const Message& m : recvs) {
      if (m.bytes > INT_MAX) return Unimplemented("message over 2 GiB in " + std::string(what));
      MPI_Irecv(m.data, static_cast<int>(m.bytes), MPI_BYTE, m.peer, m.tag, MPI_COMM_WORLD,
                &req[i]);
      peer[i++] = m.peer;
    }
    for (const Message& m : sends) {
      if (m.bytes > INT_MAX) return Unimplemented("message over 2 GiB in " + std::string(what));
      MPI_Isend(m.data, static_cast<int>(m.bytes), MPI_BYTE, m.peer, m.tag, MPI_COMM_WORLD,
                &req[i]);
      peer[i++] = m.peer;
    }
    const auto start = std::chrono::steady_clock::now();
    const bool bounded = timeout().count() > 0;
    for (int64_t spin = 0;; ++spin) {
      int done = 0;
      MPI_Testall(static_cast<int>(n), req.data(), &done, MPI_STATUSES_IGNORE);
      if (done) return Status::Ok();
      const auto waited = std::chrono::steady_clock::now() - start;
      if (bounded && waited > timeout()) {
        for (size_t k = 0; k < n; ++k) {
          if (req[k] != MPI_REQUEST_NULL) Abort(TimeoutError(peer[k], what));
        }
        Abort(TimeoutError(peer[0], what));
      }
      // Yield at first (latency of small per-token messages), then sleep (an idle rank must not
      // steal a core from its peers on an oversubscribed machine).
      if (waited < std::chrono::milliseconds(2)) {
        std::this_thread::yield();
      } else {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    }
  }

 private:
  int rank_, size_;
};

}  // namespace

bool LaunchedByMpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"}) {
    if (std::getenv(v) != nullptr) return true;
  }
  return false;
}

Result<std::unique_ptr<Communicator>> CreateMpiCommunicator(int* argc, char*** argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS) {
      return Internal("MPI_Init_thread failed");
    }
    if (provided < MPI_THREAD_SERIALIZED) {
      return Unimplemented("this MPI library does not provide MPI_THREAD_SERIALIZED");
    }
  }
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return std::unique_ptr<Communicator>(new MpiCommunicator(rank, size));
}

}  // namespace miaotui::dist
