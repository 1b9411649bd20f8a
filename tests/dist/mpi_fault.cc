// Run under mpirun -np 2: rank 1 misbehaves (mode "die": killed by SIGKILL; mode "hang": sleeps
// without answering) while rank 0 all-reduces with a 2 s timeout. The run must end within the
// bound with an error naming rank 1 (ours, or the launcher's for a dead process), never hang.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

#include "dist/mpi_communicator.h"

int main(int argc, char** argv) {
  using namespace miaotui;
  const char* mode = argc > 1 ? argv[1] : "hang";
  auto comm = dist::CreateMpiCommunicator(&argc, &argv);
  if (!comm.ok()) {
    std::fprintf(stderr, "%s\n", comm.status().message().c_str());
    return 2;
  }
  dist::Communicator& c = **comm;
  c.set_timeout(std::chrono::seconds(2));
  float x[4] = {1, 2, 3, 4};
  if (Status s = c.AllReduceSum(x, 4); !s.ok()) c.Abort(s);  // both ranks healthy here
  if (c.rank() == 1) {
    if (std::strcmp(mode, "die") == 0) raise(SIGKILL);
    std::this_thread::sleep_for(std::chrono::seconds(120));
  }
  if (Status s = c.AllReduceSum(x, 4); !s.ok()) c.Abort(s);
  std::fprintf(stderr, "unexpected: all-reduce completed without rank 1\n");
  return 3;
}
