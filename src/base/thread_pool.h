// A persistent team of threads that runs one function on every member at once, with a cheap
// spinning barrier between dependent steps.
//
// The caller of Run() is member 0; members 1..n-1 are owned threads that sleep on a condition
// variable between Run() calls and spin briefly before sleeping, so back-to-back calls (decode
// steps) do not pay a wake-up. Inside Run(), Barrier() synchronises all members; it spins with a
// pause and then yields, so a team larger than the core count degrades gracefully; a team larger
// than the CPUs this process may run on (affinity) spins only a few pauses before yielding.
//
// Thread safety: Run() must not be called concurrently or re-entrantly. Barrier() only inside
// Run() and by every member the same number of times.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace miaotui {

class ThreadPool {
 public:
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_; }

  // Runs fn(member_index, team_size) on every member and returns when all have returned.
  void Run(const std::function<void(int, int)>& fn);

  // Blocks until every member of the team has reached the same barrier.
  void Barrier();

  // Splits [0, n) into `parts` near-equal contiguous ranges; returns range `i` as [begin, end).
  static void SplitRange(int64_t n, int parts, int i, int64_t* begin, int64_t* end) {
    int64_t base = n / parts, rem = n % parts;
    *begin = i * base + (i < rem ? i : rem);
    *end = *begin + base + (i < rem ? 1 : 0);
  }

 private:
  void WorkerLoop(int index);

  int n_;
  int run_spins_, idle_spins_, barrier_spins_;  // pauses before yielding (SpinBudget)
  std::vector<std::thread> workers_;
  const std::function<void(int, int)>* job_ = nullptr;
  std::atomic<uint64_t> job_epoch_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable cv_;

  alignas(64) std::atomic<int> barrier_count_{0};
  alignas(64) std::atomic<uint32_t> barrier_generation_{0};
};

}  // namespace miaotui
