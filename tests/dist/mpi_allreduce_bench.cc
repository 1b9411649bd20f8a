// Communication cost alone (no compute to wait for), run under mpirun -np N: the median time of
// one AllReduceSum of n floats — what tensor parallelism pays twice per layer per token — and of
// a one-way Send of n floats (pipeline parallelism's hidden state, timed as half a round trip),
// for n = the hidden widths of the benchmark models. Rank 0 prints a Markdown table row per size.
//
//   mpirun -np 2 build/.../tests/dist/mpi_allreduce_bench [iterations]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "dist/mpi_communicator.h"

namespace {

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace miaotui;
  using Clock = std::chrono::steady_clock;
  auto made = dist::CreateMpiCommunicator(&argc, &argv);
  if (!made.ok()) {
    std::fprintf(stderr, "%s\n", made.status().message().c_str());
    return 2;
  }
  dist::Communicator& c = **made;
  const int iters = argc > 1 ? std::atoi(argv[1]) : 2000;
  if (c.rank() == 0) {
    std::printf("| floats | bytes | all-reduce (%d ranks), median us | one-way send, median us |\n"
                "| --- | --- | --- | --- |\n", c.size());
  }
  for (int64_t n : {64, 768, 2048, 4096}) {
    std::vector<float> x(static_cast<size_t>(n), 1.0f);
    std::vector<double> reduce, send;
    for (int i = 0; i < iters; ++i) {
      if (Status s = c.Barrier(); !s.ok()) c.Abort(s);
      const auto t0 = Clock::now();
      if (Status s = c.AllReduceSum(x.data(), n); !s.ok()) c.Abort(s);
      reduce.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      // Ping-pong between ranks 0 and 1: half the round trip is one send.
      const auto t1 = Clock::now();
      const size_t bytes = x.size() * sizeof(float);
      Status s = Status::Ok();
      if (c.rank() == 0) {
        s = c.Send(x.data(), bytes, 1, 7);
        if (s.ok()) s = c.Recv(x.data(), bytes, 1, 7);
      } else if (c.rank() == 1) {
        s = c.Recv(x.data(), bytes, 0, 7);
        if (s.ok()) s = c.Send(x.data(), bytes, 0, 7);
      }
      if (!s.ok()) c.Abort(s);
      send.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t1).count() / 2);
    }
    if (c.rank() == 0) {
      std::printf("| %lld | %lld | %.1f | %.1f |\n", static_cast<long long>(n),
                  static_cast<long long>(n * 4), Median(reduce), Median(send));
    }
  }
  return 0;
}
